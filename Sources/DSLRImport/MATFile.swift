import Foundation

/// A MATLAB MAT-file, level 5 (what MATLAB writes with `-v6` / `-v7`, and scipy's
/// `savemat`), read by DSLRKit's own parser.
///
/// The file is memory-mapped and each top-level variable is parsed on its own; compressed
/// (`-v7`) variables are inflated in chunks as they are parsed, so reading keeps only the
/// values themselves in memory. `include` can skip parts (e.g. VGG's fully connected layers)
/// without keeping their bytes at all. v7.3 files (HDF5) and v4 files are refused.
public struct MATFile: Sendable {
    /// Variables in file order.
    public let variables: [(name: String, value: MATValue)]
    /// The header's descriptive text ("MATLAB 5.0 MAT-file, Platform: ...").
    public let headerText: String

    /// The variable called `name`.
    public subscript(name: String) -> MATValue? { variables.first { $0.name == name }?.value }

    /// Reads `url`. `include` is asked about every array once its name and place are known
    /// (variables are `[.variable(name)]`); an array it declines is skipped and appears as
    /// `.omitted`. By default everything is read.
    public init(contentsOf url: URL, include: (([MATPathComponent]) -> Bool)? = nil) throws {
        let file = try MappedFile(path: url.path)
        (variables, headerText) = try Self.parse(file.bytes, path: url.path, include: include)
        withExtendedLifetime(file) {}
    }

    /// The variables and header text of the MAT-file `bytes` (the whole file); `path` names
    /// it in errors.
    static func parse(
        _ bytes: UnsafeRawBufferPointer, path: String, include: (([MATPathComponent]) -> Bool)?
    ) throws -> (variables: [(name: String, value: MATValue)], headerText: String) {
        let header = try MATHeader(bytes, path: path)
        var found: [(name: String, value: MATValue)] = []
        var offset = 128
        while offset < bytes.count {
            guard bytes.count - offset >= 8 else { throw MATError.truncated(path) }
            let type = Int(header.uint32(bytes, at: offset))
            let size = Int(header.uint32(bytes, at: offset + 4))
            let start = offset + 8
            guard size <= bytes.count - start else { throw MATError.truncated(path) }
            let body = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + size)])
            let source: any ByteSource
            switch type {
            case MATDataType.compressed.rawValue:
                source = try InflateSource(body, path: path)
                offset = start + size
            case MATDataType.matrix.rawValue:
                // Re-read the tag from the element's own bytes so the parser sees it.
                source = MemorySource(UnsafeRawBufferPointer(rebasing: bytes[offset..<(start + size)]), path: path)
                offset = start + (size + 7) / 8 * 8
            default:
                // Not a variable (MATLAB writes none at top level); step over it.
                offset = start + (size + 7) / 8 * 8
                continue
            }
            let parser = MATParser(source: source, bigEndian: header.bigEndian, path: path, include: include)
            found.append(try parser.topLevelVariable())
        }
        return (found, header.text)
    }
}

/// The 128-byte header: text, version, byte order.
struct MATHeader {
    let text: String
    let bigEndian: Bool

    init(_ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard bytes.count >= 128 else {
            throw MATError(path, "not a MAT-file (shorter than the 128-byte MAT-file header)")
        }
        let textBytes = Array(bytes[0..<116])
        text = String(decoding: textBytes.prefix { $0 != 0 }, as: UTF8.self)
            .trimmingCharacters(in: .whitespaces)
        // v7.3 files are HDF5 with a MAT header in a 512-byte user block.
        let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        if text.contains("MATLAB 7.3") || (bytes.count >= 520 && Array(bytes[512..<520]) == hdf5Signature) {
            throw MATError(path, "MAT-file v7.3 (HDF5) is not supported; re-save it as v7 "
                + "(MATLAB: save(FILE, '-struct', 'net', '-v7')) or with scipy.io.savemat")
        }
        switch (bytes[126], bytes[127]) {
        case (UInt8(ascii: "I"), UInt8(ascii: "M")): bigEndian = false
        case (UInt8(ascii: "M"), UInt8(ascii: "I")): bigEndian = true
        default:
            throw MATError(path, "not a MAT-file v5 (no 'IM'/'MI' byte-order mark at bytes 126-127; v4 files are not supported)")
        }
        let version = bigEndian ? UInt16(bytes[124]) << 8 | UInt16(bytes[125]) : UInt16(bytes[125]) << 8 | UInt16(bytes[124])
        guard version == 0x0100 else {
            throw MATError(path, "unsupported MAT-file version 0x\(String(version, radix: 16)) (only level 5, 0x0100, is read)")
        }
    }

    func uint32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }
}

/// Data element types of level-5 MAT-files.
enum MATDataType: Int {
    case int8 = 1, uint8 = 2, int16 = 3, uint16 = 4, int32 = 5, uint32 = 6, single = 7, double = 9
    case int64 = 12, uint64 = 13, matrix = 14, compressed = 15, utf8 = 16, utf16 = 17, utf32 = 18

    var byteSize: Int {
        switch self {
        case .int8, .uint8, .utf8, .matrix, .compressed: 1
        case .int16, .uint16, .utf16: 2
        case .int32, .uint32, .single, .utf32: 4
        case .double, .int64, .uint64: 8
        }
    }
}
