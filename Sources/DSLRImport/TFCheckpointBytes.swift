/// A bounds-checked cursor over a byte range: little-endian fixed integers, LevelDB/protobuf
/// varints and sub-ranges. Every overrun throws a `.truncated` or `.corrupt` error naming
/// `file` and `context`, never traps.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    let file: String
    let context: String

    init(_ bytes: [UInt8], range: Range<Int>? = nil, file: String, context: String) {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        self.position = r.lowerBound
        self.end = r.upperBound
        self.file = file
        self.context = context
    }

    var isAtEnd: Bool { position >= end }
    var remaining: Int { end - position }

    func failure(_ kind: TFCheckpointError.Kind, _ reason: String) -> TFCheckpointError {
        TFCheckpointError(kind, file: file, "\(context): \(reason)")
    }

    mutating func byte() throws -> UInt8 {
        guard position < end else { throw failure(.truncated, "ends inside a value") }
        defer { position += 1 }
        return bytes[position]
    }

    /// Base-128 varint, least significant group first, at most 10 bytes (64 bits).
    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: UInt64(0), to: 70, by: 7) {
            let b = try byte()
            if shift == 63 && b > 1 { throw failure(.corrupt, "varint overflows 64 bits") }
            value |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
        }
        throw failure(.corrupt, "varint longer than 10 bytes")
    }

    /// A varint that must fit a non-negative `Int` (sizes, offsets, counts).
    mutating func count(_ what: String) throws -> Int {
        let v = try varint()
        guard v <= UInt64(Int.max) else { throw failure(.corrupt, "\(what) \(v) is out of range") }
        return Int(v)
    }

    mutating func fixed32() throws -> UInt32 {
        guard remaining >= 4 else { throw failure(.truncated, "ends inside a 4-byte value") }
        defer { position += 4 }
        return fixed32(at: position)
    }

    mutating func fixed64() throws -> UInt64 {
        let low = try fixed32(), high = try fixed32()
        return UInt64(high) << 32 | UInt64(low)
    }

    func fixed32(at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }

    /// The next `n` bytes as a range of `bytes`, advancing past them.
    mutating func range(_ n: Int) throws -> Range<Int> {
        guard n >= 0, n <= remaining else { throw failure(.truncated, "declares \(n) bytes but \(remaining) remain") }
        defer { position += n }
        return position..<position + n
    }

    /// A reader over the next `n` bytes, advancing past them.
    mutating func sub(_ n: Int, context: String? = nil) throws -> ByteReader {
        ByteReader(bytes, range: try range(n), file: file, context: context ?? self.context)
    }
}
