import CTorch

/// A Swift scalar type that maps one-to-one onto a tensor dtype.
public protocol TensorElement: Sendable {
    static var dtype: DType { get }
}

extension Float: TensorElement { public static var dtype: DType { .float32 } }
extension Double: TensorElement { public static var dtype: DType { .float64 } }
extension UInt8: TensorElement { public static var dtype: DType { .uint8 } }
extension Int8: TensorElement { public static var dtype: DType { .int8 } }
extension Int16: TensorElement { public static var dtype: DType { .int16 } }
extension Int32: TensorElement { public static var dtype: DType { .int32 } }
extension Int64: TensorElement { public static var dtype: DType { .int64 } }
extension Int: TensorElement { public static var dtype: DType { .int64 } }
extension Bool: TensorElement { public static var dtype: DType { .bool } }
#if arch(x86_64) || arch(arm64)
extension Float16: TensorElement { public static var dtype: DType { .float16 } }
#endif

/// An n-dimensional array held by libtorch.
///
/// A `Tensor` owns one libtorch handle and frees it exactly once, when ARC releases the
/// last reference. Tensors are values in the PyTorch sense: operations return new tensors,
/// and only the explicitly in-place operations (named with a trailing underscore, used by
/// optimizers under `withNoGrad`) change storage that other references can see.
/// It is `Sendable` because libtorch's reference counting is thread-safe; as in PyTorch,
/// mutating one tensor from two threads at once is the caller's mistake.
public final class Tensor: @unchecked Sendable {
    package let handle: OpaquePointer

    /// Takes ownership of a handle returned by the C API.
    init(owning handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        ct_free(handle)
    }

    /// A CPU tensor holding a copy of `values`, shaped `shape` (default: one dimension).
    public convenience init<T: TensorElement>(_ values: [T], shape: [Int]? = nil) throws {
        let dims = shape ?? [values.count]
        let expected = dims.reduce(1, *)
        guard dims.allSatisfy({ $0 >= 0 }), expected == values.count else {
            throw TorchError("shape \(dims) needs \(expected) values, got \(values.count)")
        }
        let sizes = dims.map(Int64.init)
        let raw = values.withUnsafeBytes { bytes in
            sizes.withUnsafeBufferPointer { shapePointer in
                ct_from_bytes(bytes.baseAddress, bytes.count, shapePointer.baseAddress, Int64(sizes.count), T.dtype.rawValue)
            }
        }
        guard let raw else { throw TorchError.last("creating a tensor") }
        self.init(owning: raw)
    }

    /// A 0-dimensional CPU tensor.
    public convenience init<T: TensorElement>(scalar: T) throws {
        try self.init([scalar], shape: [])
    }

    /// A CPU tensor of `dtype` from raw little-endian bytes (e.g. a safetensors entry).
    public convenience init(bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws {
        let sizes = shape.map(Int64.init)
        let raw = sizes.withUnsafeBufferPointer { shapePointer in
            ct_from_bytes(bytes.baseAddress, bytes.count, shapePointer.baseAddress, Int64(sizes.count), dtype.rawValue)
        }
        guard let raw else { throw TorchError.last("creating a tensor") }
        self.init(owning: raw)
    }

    // The accessors below never stop the process. Tensors with a dtype DSLRKit does not
    // model are refused where operators return them, and libtorch cannot fail to describe
    // a handle DSLRKit made; should either happen anyway, they answer with the fallback
    // named in their comment and `metadata()` throws the reason.

    /// Sizes of each dimension ([] if libtorch cannot describe the handle).
    public var shape: [Int] { (try? checkedShape()) ?? [] }

    /// Number of dimensions (0 if libtorch cannot describe the handle).
    public var rank: Int {
        var rank: Int64 = 0
        return ct_describe(handle, nil, &rank, nil, 0) == 0 ? Int(rank) : 0
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// The element type (float32 for a dtype DSLRKit does not support).
    public var dtype: DType { (try? checkedDType()) ?? .float32 }

    /// Where the storage lives (cpu for a device DSLRKit does not support).
    public var device: Device { (try? checkedDevice()) ?? .cpu }

    /// The elements in row-major order, converted to `T`'s dtype if it differs.
    public func toArray<T: TensorElement>(_ type: T.Type = T.self) throws -> [T] {
        let source = try checkedDType() == T.dtype ? self : try to(T.dtype)
        let n = source.count
        var result = [T]()
        result.reserveCapacity(n)
        try withUnsafeTemporaryAllocation(of: T.self, capacity: Swift.max(n, 1)) { buffer in
            try check(ct_copy_bytes(source.handle, buffer.baseAddress, n * MemoryLayout<T>.stride), "reading a tensor")
            result.append(contentsOf: buffer.prefix(n))
        }
        return result
    }

    /// The raw bytes of the elements (row-major, this tensor's dtype, little-endian).
    public func bytes() throws -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count * (try checkedDType()).byteSize)
        try result.withUnsafeMutableBytes { buffer in
            try check(ct_copy_bytes(handle, buffer.baseAddress, buffer.count), "reading a tensor")
        }
        return result
    }

    /// The single value of a one-element tensor.
    public func item() throws -> Double {
        guard count == 1 else { throw TorchError("item() needs a one-element tensor, shape is \(shape)") }
        return try toArray(Double.self)[0]
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        do {
            let metadata = try metadata()
            return "Tensor(shape: \(metadata.shape), dtype: \(metadata.dtype), device: \(metadata.device))"
        } catch {
            return "Tensor(\(error))"
        }
    }
}
