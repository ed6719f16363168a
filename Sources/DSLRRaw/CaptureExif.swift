import Foundation

extension CaptureInfo {
    /// An EXIF block (TIFF structure, little-endian, without JPEG's "Exif\0\0" prefix, as
    /// `PhotoMetadata.exif` holds it) with what LibRaw told about the shot: make, model and
    /// date in IFD0, exposure time, f-number, ISO, capture date and focal length in the EXIF
    /// IFD, and orientation 1, because developed pixels are stored upright.
    ///
    /// LibRaw parses a RAW file's EXIF into fields but does not hand back the block itself,
    /// so the output's EXIF is written anew from those fields rather than copied.
    public func exif() -> [UInt8] {
        var main: [ExifField] = []
        if !make.isEmpty { main.append(.ascii(0x010F, make)) }
        if !model.isEmpty { main.append(.ascii(0x0110, model)) }
        main.append(.short(0x0112, 1))
        if let date { main.append(.ascii(0x0132, date)) }
        var shot: [ExifField] = []
        if let exposureTime { shot.append(.rational(0x829A, exposureFraction(exposureTime))) }
        if let fNumber { shot.append(.rational(0x829D, fraction(fNumber))) }
        if let iso { shot.append(.short(0x8827, UInt16(min(iso.rounded(), 65535)))) }
        shot.append(ExifField(tag: 0x9000, type: 7, count: 4, value: Array("0232".utf8)))
        if let date { shot.append(.ascii(0x9003, date)) }
        if let focalLength { shot.append(.rational(0x920A, fraction(focalLength))) }

        // IFD0 follows the 8-byte header; the EXIF IFD follows IFD0 and its values. The
        // pointer's own value does not change IFD0's size, so one pass places both.
        let exifOffset = 8 + ExifField.ifdSize(main + [.long(0x8769, 0)])
        main.append(.long(0x8769, UInt32(exifOffset)))
        var bytes: [UInt8] = [0x49, 0x49, 42, 0] + le(UInt32(8))
        bytes += ExifField.ifd(main, at: 8)
        bytes += ExifField.ifd(shot, at: exifOffset)
        return bytes
    }
}

/// One TIFF directory entry: its value is stored in the entry when it fits in 4 bytes,
/// otherwise after the directory at an offset the entry holds.
struct ExifField {
    var tag: UInt16
    var type: UInt16
    var count: UInt32
    var value: [UInt8]

    static func ascii(_ tag: UInt16, _ text: String) -> ExifField {
        let bytes = Array(text.utf8.map { $0 < 0x80 ? $0 : UInt8(ascii: "?") }) + [0]
        return ExifField(tag: tag, type: 2, count: UInt32(bytes.count), value: bytes)
    }
    static func short(_ tag: UInt16, _ value: UInt16) -> ExifField {
        ExifField(tag: tag, type: 3, count: 1, value: le(value))
    }
    static func long(_ tag: UInt16, _ value: UInt32) -> ExifField {
        ExifField(tag: tag, type: 4, count: 1, value: le(value))
    }
    static func rational(_ tag: UInt16, _ value: (UInt32, UInt32)) -> ExifField {
        ExifField(tag: tag, type: 5, count: 1, value: le(value.0) + le(value.1))
    }

    /// Bytes of values stored outside the entry, padded to even offsets as TIFF asks.
    private var outsideSize: Int { value.count > 4 ? (value.count + 1) / 2 * 2 : 0 }

    /// Bytes a directory of `fields` and its outside values take.
    static func ifdSize(_ fields: [ExifField]) -> Int {
        2 + 12 * fields.count + 4 + fields.map(\.outsideSize).reduce(0, +)
    }

    /// The directory of `fields` (sorted by tag, as TIFF requires) placed at `offset`, with
    /// no next directory, followed by its outside values.
    static func ifd(_ fields: [ExifField], at offset: Int) -> [UInt8] {
        let sorted = fields.sorted { $0.tag < $1.tag }
        var entries: [UInt8] = le(UInt16(sorted.count))
        var outside: [UInt8] = []
        let valuesStart = offset + 2 + 12 * sorted.count + 4
        for field in sorted {
            entries += le(field.tag) + le(field.type) + le(field.count)
            if field.value.count <= 4 {
                entries += field.value + [UInt8](repeating: 0, count: 4 - field.value.count)
            } else {
                entries += le(UInt32(valuesStart + outside.count))
                outside += field.value + (field.value.count % 2 == 1 ? [0] : [])
            }
        }
        return entries + le(UInt32(0)) + outside
    }
}

private func le(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
private func le(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }

/// Exposure times under a second as 1/n when they are (LibRaw gives 1/125 s as 0.008).
private func exposureFraction(_ seconds: Double) -> (UInt32, UInt32) {
    let reciprocal = 1 / seconds
    if seconds < 1, abs(reciprocal - reciprocal.rounded()) < 1e-3 * reciprocal, reciprocal < Double(UInt32.max) {
        return (1, UInt32(reciprocal.rounded()))
    }
    return fraction(seconds)
}

/// `value` as a fraction in thousandths, reduced (LibRaw's floats carry no more).
private func fraction(_ value: Double) -> (UInt32, UInt32) {
    let numerator = UInt32(min(max(value * 1000, 0), Double(UInt32.max)).rounded())
    var (a, b) = (numerator, UInt32(1000))
    while b != 0 { (a, b) = (b, a % b) }
    let divisor = max(a, 1)
    return (numerator / divisor, 1000 / divisor)
}
