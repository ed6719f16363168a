import CVips
import DSLRTensor
import Foundation

/// The header of the photo at `path` (no pixel decoding).
public func photoInfo(_ path: String) throws -> PhotoInfo {
    let context = VipsContext(path: path)
    return PhotoInfo(try openFile(path, context: context))
}

/// Decodes the photo at `path`: upright (EXIF orientation applied), RGB, float [3, H, W] in [0, 1].
///
/// Greyscale becomes three equal channels, alpha is composited onto white, other colour
/// spaces (CMYK, Lab, ...) are converted to sRGB by libvips. 16-bit sources keep their
/// precision (samples / 65535). A photo over `options.maxPixels` is refused after its
/// header is read, before any pixel is decoded.
public func readPhoto(_ path: String, options: DecodeOptions = DecodeOptions()) throws -> Photo {
    let context = VipsContext(path: path)
    return try decode(try openFile(path, context: context), context: context, options: options)
}

/// Decodes a photo held in memory; `name` is used in errors.
public func decodePhoto(_ bytes: [UInt8], name: String, options: DecodeOptions = DecodeOptions()) throws -> Photo {
    let context = VipsContext(path: name)
    guard !bytes.isEmpty else { throw PhotoError(path: name, problem: "empty, not a photo") }
    try checkJPEGSize(path: name, byteCount: bytes.count) { offset, count in
        offset < bytes.count ? Array(bytes[offset..<min(bytes.count, offset + count)]) : []
    }
    // libvips reads the bytes in place, so the image must be finished inside this scope.
    return try bytes.withUnsafeBytes { raw in
        try context.start()
        guard let source = vips_source_new_from_memory(raw.baseAddress, raw.count) else {
            throw context.failure("cannot read")
        }
        return try decode(try open(source, context: context, fileExtension: nil), context: context, options: options)
    }
}

/// Opens a file's header; missing files and folders are reported before libvips is asked.
func openFile(_ path: String, context: VipsContext) throws -> VipsImageRef {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        throw PhotoError(path: path, problem: "no such file", kind: .notFound)
    }
    guard !isFolder.boolValue else { throw PhotoError(path: path, problem: "is a folder, not a photo") }
    if let problem = notARegularFile(path) { throw PhotoError(path: path, problem: problem) }
    try checkJPEGFileSize(path)
    try context.start()
    guard let source = vips_source_new_from_file(path) else { throw context.failure("cannot open") }
    return try open(source, context: context, fileExtension: URL(fileURLWithPath: path).pathExtension)
}

/// Reads the header from `source` (consumed: its reference is released).
private func open(
    _ source: UnsafeMutablePointer<VipsSource>, context: VipsContext, fileExtension: String?
) throws -> VipsImageRef {
    defer { g_object_unref(source) }
    guard vips_foreign_find_load_source(source) != nil else {
        vips_error_clear()
        if let fileExtension, PhotoFormat(fileExtension: fileExtension) == .heic, !vipsHasOperation("heifload_source") {
            throw PhotoError(path: context.path, problem: heicUnsupported, kind: .unsupported)
        }
        throw PhotoError(path: context.path, problem: "not a photo (libvips recognises no image format in it)")
    }
    guard let image = cv_open(source) else { throw context.failure("damaged or truncated, its header cannot be read") }
    return VipsImageRef(owning: image)
}

let heicUnsupported = "HEIC is not supported by this libvips build"
private let damagedPixels = "damaged or truncated, its pixels cannot be decoded"

/// Header check, orientation, colour conversion, then the one pass that decodes pixels.
private func decode(_ opened: VipsImageRef, context: VipsContext, options: DecodeOptions) throws -> Photo {
    try options.checkPixelCount(width: opened.width, height: opened.height, path: context.path)
    let metadata = PhotoMetadata(reading: opened)
    var image = opened
    if vips_image_get_orientation(image.pointer) != 1 {
        // Rotation reads pixels out of order; the file is read sequentially, so decode it
        // into memory first.
        guard let decoded = vips_image_copy_memory(image.pointer) else { throw context.failure(damagedPixels) }
        let inMemory = VipsImageRef(owning: decoded)
        image = try context.image("cannot apply the EXIF orientation") { cv_autorot(inMemory.pointer, $0) }
    }
    let sixteenBits = carriesSixteenBits(image)
    if !isRGBOrGrey(image.interpretation) {
        let target = sixteenBits ? VIPS_INTERPRETATION_RGB16 : VIPS_INTERPRETATION_sRGB
        let source = image
        image = try context.image("cannot convert to sRGB") { cv_colourspace(source.pointer, $0, target) }
    }
    // 16-bit samples cross into libtorch as int32 (it has no general uint16 arithmetic).
    let sampleFormat = sixteenBits ? VIPS_FORMAT_INT : VIPS_FORMAT_UCHAR
    if image.bandFormat != sampleFormat {
        let source = image
        image = try context.image("cannot convert samples") { cv_cast(source.pointer, $0, sampleFormat) }
    }
    guard (1...4).contains(image.bands) else {
        throw PhotoError(path: context.path, problem: "has \(image.bands) channels after conversion to RGB; expected 1 to 4")
    }
    let pixels = try rgbPixels(
        fromInterleaved: decodedSamples(image, dtype: sixteenBits ? .int32 : .uint8, context: context),
        maxValue: sixteenBits ? 65535 : 255)
    return Photo(pixels: pixels, bitDepth: sixteenBits ? 16 : 8, metadata: metadata)
}

/// Decodes all pixels into one interleaved H×W×C tensor (libvips' buffer is freed before
/// returning).
private func decodedSamples(_ image: VipsImageRef, dtype: DType, context: VipsContext) throws -> Tensor {
    var size = 0
    guard let data = vips_image_write_to_memory(image.pointer, &size) else { throw context.failure(damagedPixels) }
    defer { g_free(data) }
    return try Tensor(
        bytes: UnsafeRawBufferPointer(start: data, count: size), shape: [image.height, image.width, image.bands],
        dtype: dtype)
}

/// 16-bit integer samples, or RGB16 / GREY16 held in a wider format.
private func carriesSixteenBits(_ image: VipsImageRef) -> Bool {
    switch image.bandFormat {
    case VIPS_FORMAT_UCHAR, VIPS_FORMAT_CHAR: false
    case VIPS_FORMAT_USHORT, VIPS_FORMAT_SHORT: true
    default: [VIPS_INTERPRETATION_RGB16, VIPS_INTERPRETATION_GREY16].contains(image.interpretation)
    }
}

/// Interpretations whose samples are already the RGB or grey values to hand out.
private func isRGBOrGrey(_ interpretation: VipsInterpretation) -> Bool {
    [VIPS_INTERPRETATION_sRGB, VIPS_INTERPRETATION_RGB, VIPS_INTERPRETATION_RGB16, VIPS_INTERPRETATION_B_W,
     VIPS_INTERPRETATION_GREY16].contains(interpretation)
}

private func megapixels(_ count: Int) -> String {
    String(format: "%.1f MP", Double(count) / 1_000_000)
}

extension DecodeOptions {
    /// Refuses a `width` × `height` image over `maxPixels` (a `tooLarge` error naming `path`).
    /// Decoders call it with the header's size, before any pixel is decoded.
    public func checkPixelCount(width: Int, height: Int, path: String) throws {
        let (pixelCount, overflow) = width.multipliedReportingOverflow(by: height)
        guard overflow || pixelCount > maxPixels else { return }
        throw PhotoError(
            path: path,
            problem: "\(width)x\(height) pixels (\(overflow ? "too many" : megapixels(pixelCount))) exceed the limit of "
                + "\(megapixels(maxPixels)) (DecodeOptions.maxPixels); not decoded",
            kind: .tooLarge)
    }
}

extension PhotoInfo {
    init(_ image: VipsImageRef) {
        let bits: Int
        switch image.bandFormat {
        case VIPS_FORMAT_UCHAR, VIPS_FORMAT_CHAR: bits = 8
        case VIPS_FORMAT_USHORT, VIPS_FORMAT_SHORT: bits = 16
        case VIPS_FORMAT_DOUBLE, VIPS_FORMAT_COMPLEX: bits = 64
        case VIPS_FORMAT_DPCOMPLEX: bits = 128
        default: bits = 32
        }
        self.init(
            width: image.width, height: image.height, bands: image.bands, bitDepth: bits,
            format: PhotoFormat(loader: image.string("vips-loader"), heifCompression: image.string("heif-compression")),
            orientation: Int(vips_image_get_orientation(image.pointer)))
    }
}

extension PhotoFormat {
    /// The format a libvips loader name ("jpegload_source", ...) reads; HEIF holding AV1
    /// (AVIF) is not one of DSLRKit's formats.
    init?(loader: String?, heifCompression: String?) {
        guard let loader else { return nil }
        if loader.hasPrefix("jpegload") { self = .jpeg }
        else if loader.hasPrefix("pngload") { self = .png }
        else if loader.hasPrefix("tiffload") { self = .tiff }
        else if loader.hasPrefix("webpload") { self = .webp }
        else if loader.hasPrefix("heifload"), heifCompression != "av1" { self = .heic }
        else { return nil }
    }
}
