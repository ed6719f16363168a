import Foundation

/// The element types the safetensors header can name. Raw values are the exact header
/// spellings, so reading and writing both go through `rawValue` and cannot drift apart.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    /// One case per header spelling; the 8-bit floats are stored as raw bytes (no arithmetic here).
    case bool = "BOOL", uint8 = "U8", int8 = "I8", uint16 = "U16", int16 = "I16", uint32 = "U32", int32 = "I32",
        uint64 = "U64", int64 = "I64", float16 = "F16", bfloat16 = "BF16", float32 = "F32", float64 = "F64",
        float8E4M3 = "F8_E4M3", float8E5M2 = "F8_E5M2"

    /// Bytes per element. Every dtype the format supports here is byte-aligned, so this alone
    /// fixes how many bytes a tensor of a given shape must occupy in the buffer.
    public var byteSize: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E4M3, .float8E5M2: 1
        case .uint16, .int16, .float16, .bfloat16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        }
    }
}

/// Bytes a tensor of `shape` and `dtype` needs, or nil when that overflows `Int`: shapes come
/// from untrusted headers, and a plain multiplication would trap instead of reporting.
func requiredByteCount(shape: [Int], dtype: SafeTensorsDType) -> Int? {
    var total = dtype.byteSize
    for dim in shape {
        let (product, overflow) = total.multipliedReportingOverflow(by: dim)
        if overflow { return nil }
        total = product
    }
    return total
}

/// A fresh, zero-based copy of raw bytes; `Data` slices keep their parent's indices, which
/// makes `data[0]` trap for callers, so tensors never hold slices.
func zeroBasedCopy(_ raw: UnsafeRawBufferPointer) -> Data {
    guard let base = raw.baseAddress, raw.count > 0 else { return Data() }
    return Data(bytes: base, count: raw.count)
}

/// One tensor: its name, element type, shape and raw bytes (little-endian, row-major).
/// Construction checks that the bytes match the shape, so every `SafeTensor` in existence
/// can be serialised without further validation.
public struct SafeTensor: Sendable, Equatable {
    /// The tensor's key in the header; unique within a file.
    public let name: String
    /// How the bytes in `data` are to be interpreted.
    public let dtype: SafeTensorsDType
    /// Dimensions, outermost first; `[]` is a scalar (one element), a 0 anywhere means no elements.
    public let shape: [Int]
    /// Exactly `elementCount * dtype.byteSize` bytes with indices starting at 0.
    public let data: Data

    /// Builds a tensor from caller-supplied bytes; throws `invalidEntry` for a negative
    /// dimension and `byteLengthMismatch` when `data` is not exactly the size the shape needs,
    /// because a wrong-sized tensor would produce a file other readers reject.
    public init(name: String, dtype: SafeTensorsDType, shape: [Int], data: Data) throws {
        let source = "<memory>"
        if let bad = shape.first(where: { $0 < 0 }) {
            throw SafeTensorsError.invalidEntry(
                source: source, name: name, reason: "shape \(shape) has negative dimension \(bad)")
        }
        let expected = requiredByteCount(shape: shape, dtype: dtype)
        guard expected == data.count else {
            throw SafeTensorsError.byteLengthMismatch(
                source: source, name: name, expected: expected, actual: data.count)
        }
        let rebased = data.startIndex == 0 ? data : data.withUnsafeBytes { zeroBasedCopy($0) }
        self.init(validatedName: name, dtype: dtype, shape: shape, data: rebased)
    }

    /// For the reader, which has already validated everything against the header.
    init(validatedName name: String, dtype: SafeTensorsDType, shape: [Int], data: Data) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// Number of elements (product of the shape; 1 for a scalar). Cannot overflow, because
    /// construction verified that the byte count fits in `Int`.
    public var elementCount: Int { shape.reduce(1, *) }
}
