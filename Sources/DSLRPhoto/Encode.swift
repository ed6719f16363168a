import CVips
import DSLRTensor

/// Encodes `photo` into `format` in memory.
///
/// Pixels are clamped to [0, 1] and rounded to 8 or 16 bits: 16 where `options.bitDepth`
/// asks for it, or where it is nil and the photo came from a 16-bit source and the format
/// holds 16 bits (PNG, TIFF). With `keepMetadata`, the photo's EXIF (orientation 1), ICC
/// profile and XMP are written where libvips' saver for the format writes them.
public func encodePhoto(_ photo: Photo, format: PhotoFormat, options: EncodeOptions = EncodeOptions()) throws -> [UInt8] {
    try encode(photo, format: format, options: options, context: VipsContext(path: "<memory>"))
}

func encode(_ photo: Photo, format: PhotoFormat, options: EncodeOptions, context: VipsContext) throws -> [UInt8] {
    let bits = try outputBitDepth(photo, format: format, options: options, path: context.path)
    let shape = photo.pixels.shape
    // One band is a grayscale or RAW mosaic plane (the Zurich layout's 16-bit Bayer PNGs).
    guard shape.count == 3, shape[0] == 3 || shape[0] == 1, shape[1] > 0, shape[2] > 0, photo.pixels.dtype.isFloatingPoint else {
        throw PhotoError(
            path: context.path,
            problem: "pixels must be a float tensor [3, H, W] or [1, H, W], got \(photo.pixels.dtype) \(shape)", kind: .badArgument)
    }
    if format == .heic, !vipsHasOperation("heifsave_buffer") {
        throw PhotoError(path: context.path, problem: heicUnsupported, kind: .unsupported)
    }
    try context.start()
    let samples = try interleavedSamples(
        photo.pixels, maxValue: bits == 16 ? 65535 : 255, dtype: bits == 16 ? .int32 : .uint8)
    // libvips reads `samples` in place, so everything is saved inside this scope.
    return try samples.withUnsafeBytes { raw in
        guard let wrapped = vips_image_new_from_memory(
            raw.baseAddress, raw.count, Int32(shape[2]), Int32(shape[1]), Int32(shape[0]), bits == 16 ? VIPS_FORMAT_INT : VIPS_FORMAT_UCHAR)
        else { throw context.failure("cannot hand the pixels to libvips") }
        var image = VipsImageRef(owning: wrapped)
        if bits == 16 {
            let source = image
            image = try context.image("cannot convert to 16 bits") { cv_cast(source.pointer, $0, VIPS_FORMAT_USHORT) }
        }
        let source = image
        let interpretation = shape[0] == 1
            ? (bits == 16 ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_B_W)
            : (bits == 16 ? VIPS_INTERPRETATION_RGB16 : VIPS_INTERPRETATION_sRGB)
        // A fresh header of our own: the blobs attached below touch no other image.
        image = try context.image("cannot label the pixels") { cv_set_interpretation(source.pointer, $0, interpretation) }
        if options.keepMetadata { photo.metadata.attach(to: image) }
        return try save(image, format: format, options: options, bits: bits, context: context)
    }
}

/// 8 or 16, checked against what the format holds and the options' ranges.
private func outputBitDepth(_ photo: Photo, format: PhotoFormat, options: EncodeOptions, path: String) throws -> Int {
    guard (1...100).contains(options.quality) else {
        throw PhotoError(path: path, problem: "quality \(options.quality) is outside 1...100", kind: .badArgument)
    }
    guard (0...9).contains(options.pngCompression) else {
        throw PhotoError(path: path, problem: "PNG compression \(options.pngCompression) is outside 0...9", kind: .badArgument)
    }
    guard let requested = options.bitDepth else {
        return photo.bitDepth == 16 && format.holdsSixteenBits ? 16 : 8
    }
    guard requested == 8 || requested == 16 else {
        throw PhotoError(path: path, problem: "bit depth \(requested) is not 8 or 16", kind: .badArgument)
    }
    guard requested == 8 || format.holdsSixteenBits else {
        throw PhotoError(path: path, problem: "\(format.rawValue.uppercased()) holds only 8-bit samples, 16 were asked for", kind: .badArgument)
    }
    return requested
}

private func save(_ image: VipsImageRef, format: PhotoFormat, options: EncodeOptions, bits: Int, context: VipsContext) throws -> [UInt8] {
    var buffer: UnsafeMutableRawPointer?
    var length = 0
    let quality = Int32(options.quality)
    let strip: Int32 = options.keepMetadata ? 0 : 1
    let status: Int32 = switch format {
    case .jpeg: cv_jpegsave(image.pointer, &buffer, &length, strip, quality)
    case .png: cv_pngsave(image.pointer, &buffer, &length, strip, Int32(options.pngCompression), Int32(bits))
    case .tiff: cv_tiffsave(image.pointer, &buffer, &length, strip)
    case .webp: cv_webpsave(image.pointer, &buffer, &length, strip, quality, options.lossless ? 1 : 0)
    case .heic: cv_heifsave(image.pointer, &buffer, &length, strip, quality)
    }
    guard status == 0, let buffer else {
        if let buffer { g_free(buffer) }
        throw context.failure("cannot encode as \(format.rawValue.uppercased())")
    }
    defer { g_free(buffer) }
    return Array(UnsafeRawBufferPointer(start: buffer, count: length))
}
