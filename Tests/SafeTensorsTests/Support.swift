import Foundation
import SafeTensors

/// Helpers shared by the SafeTensors tests: building and mutating raw files, naming error
/// cases, and decoding little-endian values.

/// Splits a serialised file into its header text and data buffer.
func splitFile(_ file: Data) -> (header: String, buffer: Data) {
    let bytes = [UInt8](file)
    var length = 0
    for index in 0..<8 { length |= Int(bytes[index]) << (8 * index) }
    let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
    return (header, Data(bytes[(8 + length)...]))
}

/// Assembles a file from header text and buffer, with the correct length prefix.
func assembleFile(header: String, buffer: Data) -> Data {
    let headerBytes = Array(header.utf8)
    var file = Data(lengthPrefix(UInt64(headerBytes.count)))
    file.append(contentsOf: headerBytes)
    file.append(buffer)
    return file
}

func lengthPrefix(_ value: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
}

/// Rewrites the header text of a valid file, asserting (by trapping in the test only) that the
/// pattern was present, so a typo in a test cannot silently test nothing.
func mutatingHeader(_ file: Data, replacing old: String, with new: String) -> Data {
    let (header, buffer) = splitFile(file)
    precondition(header.contains(old), "pattern \(old) not in header \(header)")
    return assembleFile(header: header.replacingOccurrences(of: old, with: new), buffer: buffer)
}

/// The error thrown by parsing `file`, or nil when it parses.
func readError(_ file: Data, source: String = "test.safetensors") -> SafeTensorsError? {
    do {
        _ = try SafeTensorsFile(bytes: file, source: source)
        return nil
    } catch let error as SafeTensorsError {
        return error
    } catch {
        return .io(path: "unexpected error type", reason: "\(error)")
    }
}

extension SafeTensorsError {
    /// The case without its payload, for checks where the reason text is not the point.
    var caseName: String {
        switch self {
        case .truncated: "truncated"
        case .headerLengthOutOfBounds: "headerLengthOutOfBounds"
        case .invalidHeader: "invalidHeader"
        case .invalidEntry: "invalidEntry"
        case .unknownDType: "unknownDType"
        case .byteLengthMismatch: "byteLengthMismatch"
        case .offsetOutOfRange: "offsetOutOfRange"
        case .overlappingTensors: "overlappingTensors"
        case .incompleteCoverage: "incompleteCoverage"
        case .io: "io"
        }
    }
}

/// Little-endian unsigned integer of `width` bytes at element `index`.
func littleEndian(_ data: Data, index: Int, width: Int) -> UInt64 {
    let bytes = [UInt8](data)
    var value: UInt64 = 0
    for byte in 0..<width {
        value |= UInt64(bytes[index * width + byte]) << (8 * UInt64(byte))
    }
    return value
}

/// IEEE half precision to Float by bit manipulation (normals, subnormals, inf/NaN).
func halfToFloat(_ bits: UInt16) -> Float {
    let sign = UInt32(bits >> 15) << 31
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits) & 0x3FF
    if exponent == 0 {
        // Subnormal or zero: mantissa * 2^-24, exact in Float.
        let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
        return sign == 0 ? magnitude : -magnitude
    }
    if exponent == 0x1F {
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    }
    return Float(bitPattern: sign | ((exponent + 127 - 15) << 23) | (mantissa << 13))
}

/// bfloat16 is the top half of a Float.
func bfloat16ToFloat(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
}

/// A fresh empty directory under the temporary directory.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("safetensors-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
