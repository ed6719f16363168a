/// Hand parsing of the two protobuf messages of a tensor bundle index
/// (tensorflow/core/protobuf/tensor_bundle.proto): only the fields a reader needs, unknown
/// fields skipped as protobuf requires.

/// One protobuf field: its number and wire-format payload.
enum ProtoValue {
    case varint(UInt64)
    case fixed64(UInt64)
    case bytes(ByteReader)
    case fixed32(UInt32)
}

extension ByteReader {
    /// The next (field number, value) of a protobuf message, or nil at its end.
    mutating func protoField() throws -> (Int, ProtoValue)? {
        guard !isAtEnd else { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        guard field > 0 else { throw failure(.corrupt, "protobuf field number 0") }
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1: return (field, .fixed64(try fixed64()))
        case 2: return (field, .bytes(try sub(try count("length"))))
        case 5: return (field, .fixed32(try fixed32()))
        default: throw failure(.corrupt, "unsupported protobuf wire type \(key & 7) in field \(field)")
        }
    }
}

/// `BundleHeaderProto`: the entry under the empty key.
struct BundleHeader: Equatable {
    var numShards = 0
    /// 0 little-endian, 1 big-endian.
    var endianness = 0
    var producerVersion = 0

    init(parsing reader: ByteReader) throws {
        var r = reader
        while let (field, value) = try r.protoField() {
            switch (field, value) {
            case (1, .varint(let v)): numShards = Int(Int32(truncatingIfNeeded: v))
            case (2, .varint(let v)): endianness = Int(Int32(truncatingIfNeeded: v))
            case (3, .bytes(var version)):
                while let (f, inner) = try version.protoField() {
                    if f == 1, case .varint(let v) = inner { producerVersion = Int(Int32(truncatingIfNeeded: v)) }
                }
            default: break
            }
        }
    }
}

/// `BundleEntryProto`: where one tensor lives and how to check it.
struct BundleEntry: Equatable {
    var dtype = 0
    var shape: [Int] = []
    var unknownRank = false
    var shardID = 0
    var offset = 0
    var size = 0
    var maskedCRC32C: UInt32 = 0
    var sliceCount = 0

    init(parsing reader: ByteReader) throws {
        var r = reader
        while let (field, value) = try r.protoField() {
            switch (field, value) {
            case (1, .varint(let v)): dtype = Int(Int32(truncatingIfNeeded: v))
            case (2, .bytes(let s)): try parseShape(s)
            case (3, .varint(let v)): shardID = Int(Int32(truncatingIfNeeded: v))
            case (4, .varint(let v)): offset = try nonNegative(v, "offset", r)
            case (5, .varint(let v)): size = try nonNegative(v, "size", r)
            case (6, .fixed32(let v)): maskedCRC32C = v
            case (7, .bytes): sliceCount += 1
            default: break
            }
        }
    }

    /// `TensorShapeProto`: repeated `Dim { int64 size = 1; }` in field 2, `unknown_rank` in 3.
    private mutating func parseShape(_ reader: ByteReader) throws {
        var r = reader
        while let (field, value) = try r.protoField() {
            switch (field, value) {
            case (2, .bytes(var dim)):
                var size: Int64 = 0
                while let (f, inner) = try dim.protoField() {
                    if f == 1, case .varint(let v) = inner { size = Int64(bitPattern: v) }
                }
                guard size >= 0, size <= Int64(Int32.max) else {
                    throw r.failure(.corrupt, "tensor dimension \(size) is out of range")
                }
                shape.append(Int(size))
            case (3, .varint(let v)): unknownRank = v != 0
            default: break
            }
        }
    }
}

private func nonNegative(_ v: UInt64, _ what: String, _ r: ByteReader) throws -> Int {
    guard v <= UInt64(Int64.max) else { throw r.failure(.corrupt, "\(what) \(Int64(bitPattern: v)) is negative") }
    return Int(v)
}
