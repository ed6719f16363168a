import Foundation

/// Why a safetensors file could not be read or written. Each validation failure has its own
/// case so callers and tests can tell them apart; every case carries the source (usually the
/// path) so `description` alone is enough to act on.
public enum SafeTensorsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than the 8 bytes of the header-length prefix; `size` is what there was.
    case truncated(source: String, size: Int)
    /// The declared header length is 0, above `SafeTensorsFile.maxHeaderLength`, or longer than
    /// the `available` bytes that follow the prefix.
    case headerLengthOutOfBounds(source: String, declared: UInt64, available: Int)
    /// The header is not UTF-8 JSON, not a JSON object, repeats a key, or (when writing)
    /// cannot be produced, e.g. because two tensors share a name.
    case invalidHeader(source: String, reason: String)
    /// A header entry (a tensor, or `__metadata__`) has the wrong structure: not an object,
    /// missing/extra/wrong-typed fields, negative or non-integer dimensions or offsets.
    case invalidEntry(source: String, name: String, reason: String)
    /// The dtype string is not one this reader knows, so the bytes cannot be interpreted.
    case unknownDType(source: String, name: String, dtype: String)
    /// Shape times dtype size differs from the byte range; `expected` is nil when that
    /// product does not even fit in `Int`.
    case byteLengthMismatch(source: String, name: String, expected: Int?, actual: Int)
    /// The tensor's `data_offsets` end lies past the `bufferSize`-byte data buffer.
    case offsetOutOfRange(source: String, name: String, end: Int, bufferSize: Int)
    /// Two tensors claim some of the same bytes (`first` starts earlier in the buffer).
    case overlappingTensors(source: String, first: String, second: String)
    /// Bytes `start..<end` of the data buffer belong to no tensor: a gap between tensors, or
    /// trailing bytes when `end == bufferSize`. The spec requires exact coverage.
    case incompleteCoverage(source: String, start: Int, end: Int, bufferSize: Int)
    /// The operating system refused a read or write of `path`.
    case io(path: String, reason: String)

    /// One line naming the source and the problem, suitable for logs and CLI output.
    public var description: String {
        let text: String
        switch self {
        case let .truncated(source, size):
            text = "\(source): file is \(size) bytes, shorter than the 8-byte header length prefix"
        case let .headerLengthOutOfBounds(source, declared, available):
            if declared == 0 {
                text = "\(source): header length is 0, but a header must hold at least a JSON object"
            } else if declared > UInt64(SafeTensorsFile.maxHeaderLength) {
                text = "\(source): header length \(declared) exceeds the \(SafeTensorsFile.maxHeaderLength)-byte limit"
            } else {
                text = "\(source): header length \(declared) exceeds the \(available) bytes after the length prefix"
            }
        case let .invalidHeader(source, reason):
            text = "\(source): invalid header: \(reason)"
        case let .invalidEntry(source, name, reason):
            text = "\(source): entry '\(name)': \(reason)"
        case let .unknownDType(source, name, dtype):
            text = "\(source): tensor '\(name)' has unknown dtype '\(dtype)'"
        case let .byteLengthMismatch(source, name, expected, actual):
            let need = expected.map { "\($0) bytes" } ?? "more bytes than fit in Int"
            text = "\(source): tensor '\(name)': shape and dtype need \(need), but it has \(actual) bytes"
        case let .offsetOutOfRange(source, name, end, bufferSize):
            text = "\(source): tensor '\(name)': data_offsets end \(end) lies beyond the \(bufferSize)-byte data buffer"
        case let .overlappingTensors(source, first, second):
            text = "\(source): tensors '\(first)' and '\(second)' have overlapping data_offsets"
        case let .incompleteCoverage(source, start, end, bufferSize):
            let what = end == bufferSize ? "trailing bytes" : "gap: bytes"
            text = "\(source): \(what) \(start)..<\(end) of the \(bufferSize)-byte data buffer belong to no tensor"
        case let .io(path, reason):
            text = "\(path): \(reason)"
        }
        return singleLine(text)
    }
}

/// Escapes line breaks and other control characters: names and paths come from files and
/// users, and a newline inside one would split what callers log as a single line.
func singleLine(_ text: String) -> String {
    var out = ""
    out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
    for scalar in text.unicodeScalars {
        switch scalar.value {
        case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029:
            out += "\\u{" + String(scalar.value, radix: 16) + "}"
        default:
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// The current `errno` as text, for `io` reasons.
func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}
