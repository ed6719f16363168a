import CVips

/// libvips' header names for the metadata DSLRKit carries.
enum MetadataField: String {
    case exif = "exif-data"
    case icc = "icc-profile-data"
    case xmp = "xmp-data"
}

/// JPEG's APP1 marker prefix; libvips keeps it on JPEG EXIF and adds it when parsing others.
let exifPrefix: [UInt8] = Array("Exif".utf8) + [0, 0]

extension PhotoMetadata {
    /// The value of EXIF's Orientation tag (IFD0, 0x0112), 1...8; nil without EXIF or tag.
    public var exifOrientation: Int? {
        guard let exif, let field = ExifOrientationField(exif) else { return nil }
        return field.value(in: exif)
    }

    /// The blobs of a decoded photo: EXIF without its APP1 prefix and with orientation 1
    /// (pixels come out upright), the ICC profile only if it describes RGB (a grey or CMYK
    /// source's profile no longer matches its converted RGB pixels), and XMP.
    init(reading image: VipsImageRef) {
        var exif = image.blob(.exif)
        if var block = exif {
            if block.starts(with: exifPrefix) { block.removeFirst(exifPrefix.count) }
            if let field = ExifOrientationField(block) { field.set(1, in: &block) }
            exif = block
        }
        let icc = image.blob(.icc).flatMap { iccColourSpace($0) == "RGB " ? $0 : nil }
        self.init(exif: exif, icc: icc, xmp: image.blob(.xmp))
    }

    /// Attaches the blobs to `image` for a saver to write (EXIF with the APP1 prefix the
    /// JPEG saver writes verbatim; the others strip it).
    func attach(to image: VipsImageRef) {
        if let exif { image.setBlob(.exif, exif.starts(with: exifPrefix) ? exif : exifPrefix + exif) }
        if let icc { image.setBlob(.icc, icc) }
        if let xmp { image.setBlob(.xmp, xmp) }
    }
}

extension VipsImageRef {
    func blob(_ field: MetadataField) -> [UInt8]? {
        guard vips_image_get_typeof(pointer, field.rawValue) != 0 else { return nil }
        var data: UnsafeRawPointer?
        var length = 0
        guard vips_image_get_blob(pointer, field.rawValue, &data, &length) == 0, let data, length > 0 else {
            vips_error_clear()
            return nil
        }
        return Array(UnsafeRawBufferPointer(start: data, count: length))
    }

    func setBlob(_ field: MetadataField, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { vips_image_set_blob_copy(pointer, field.rawValue, $0.baseAddress, $0.count) }
    }
}

/// The ICC header's data colour space signature ("RGB ", "GRAY", "CMYK", ...).
func iccColourSpace(_ profile: [UInt8]) -> String? {
    guard profile.count >= 20 else { return nil }
    return String(decoding: profile[16..<20], as: UTF8.self)
}

/// Where IFD0's Orientation value sits in a TIFF-structured EXIF block. Every offset is
/// bounds-checked, so a damaged block is simply left alone.
struct ExifOrientationField {
    let offset: Int
    let bigEndian: Bool

    init?(_ exif: [UInt8]) {
        guard exif.count >= 8 else { return nil }
        let big: Bool
        switch (exif[0], exif[1]) {
        case (0x49, 0x49): big = false  // "II"
        case (0x4D, 0x4D): big = true  // "MM"
        default: return nil
        }
        let read16 = { (at: Int) -> Int in big ? Int(exif[at]) << 8 | Int(exif[at + 1]) : Int(exif[at + 1]) << 8 | Int(exif[at]) }
        let read32 = { (at: Int) -> Int in big ? read16(at) << 16 | read16(at + 2) : read16(at + 2) << 16 | read16(at) }
        guard read16(2) == 42 else { return nil }
        let ifd = read32(4)
        guard ifd >= 8, ifd + 2 <= exif.count else { return nil }
        for index in 0..<read16(ifd) {
            let entry = ifd + 2 + 12 * index
            guard entry + 12 <= exif.count else { return nil }
            // Tag 0x0112, type SHORT (3), one value: stored in the entry itself.
            if read16(entry) == 0x0112 {
                guard read16(entry + 2) == 3, read32(entry + 4) == 1 else { return nil }
                offset = entry + 8
                bigEndian = big
                return
            }
        }
        return nil
    }

    func value(in exif: [UInt8]) -> Int {
        bigEndian ? Int(exif[offset]) << 8 | Int(exif[offset + 1]) : Int(exif[offset + 1]) << 8 | Int(exif[offset])
    }

    func set(_ value: UInt16, in exif: inout [UInt8]) {
        let high = UInt8(value >> 8), low = UInt8(value & 0xFF)
        exif[offset] = bigEndian ? high : low
        exif[offset + 1] = bigEndian ? low : high
    }
}
