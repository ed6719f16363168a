import CTorch

/// What libtorch says about a tensor, read without touching its elements.
public struct TensorMetadata: Sendable, Equatable {
    public var shape: [Int]
    public var dtype: DType
    public var device: Device
}

extension Tensor {
    /// Shape, dtype and device, or a `TorchError` saying why they cannot be read: libtorch
    /// failed to describe the handle, or it holds a dtype or device DSLRKit does not model
    /// (complex, quantised, float8, the `meta` device, ...). The plain accessors (`shape`,
    /// `dtype`, `device`) never throw; use this where a wrong guess would matter.
    public func metadata() throws -> TensorMetadata {
        TensorMetadata(shape: try checkedShape(), dtype: try checkedDType(), device: try checkedDevice())
    }

    /// The sizes, read in two calls (rank, then sizes). Another thread resizing the tensor
    /// in between makes the second call fail; reading again gives a consistent answer.
    func checkedShape() throws -> [Int] {
        var lastError = TorchError("shape")
        for _ in 0..<3 {
            var rank: Int64 = 0
            try check(ct_describe(handle, nil, &rank, nil, 0), "shape")
            var sizes = [Int64](repeating: 0, count: Int(rank))
            if ct_describe(handle, nil, &rank, &sizes, Int64(sizes.count)) == 0 { return sizes.map(Int.init) }
            lastError = TorchError.last("shape")
        }
        throw lastError
    }

    func checkedDType() throws -> DType {
        var code: Int32 = 0
        try check(ct_describe(handle, &code, nil, nil, 0), "dtype")
        guard let dtype = DType(rawValue: code) else {
            throw TorchError("tensor has libtorch dtype code \(code) (\(scalarTypeName(code))), which DSLRKit does not support")
        }
        return dtype
    }

    func checkedDevice() throws -> Device {
        var type: Int32 = 0
        var index: Int32 = 0
        try check(ct_device(handle, &type, &index), "device")
        switch type {
        case 0: return .cpu
        case 1: return .cuda(Int(Swift.max(index, 0)))
        default: throw TorchError("tensor is on libtorch device type \(type), which DSLRKit does not support")
        }
    }

    /// Refuses a handle whose dtype DSLRKit cannot describe, so that tensors reaching Swift
    /// code always answer `dtype` truthfully. `source` names what produced it.
    func checkedSupported(_ source: String) throws -> Tensor {
        do { _ = try checkedDType() } catch let error as TorchError { throw TorchError("\(source): \(error.message)") }
        return self
    }
}

/// c10's names for the scalar types `DType` leaves out, for messages.
private func scalarTypeName(_ code: Int32) -> String {
    let names: [Int32: String] = [
        8: "complex32", 9: "complex64", 10: "complex128", 12: "qint8", 13: "quint8", 14: "qint32",
        16: "quint4x2", 17: "quint2x4", 23: "float8_e5m2", 24: "float8_e4m3fn",
        25: "float8_e5m2fnuz", 26: "float8_e4m3fnuz", 27: "uint16", 28: "uint32", 29: "uint64",
    ]
    return names[code] ?? "unknown"
}
