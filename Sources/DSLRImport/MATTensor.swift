import DSLRTensor

extension MATArray {
    /// The engine dtype holding this class: unsigned 16/32/64-bit widen to signed ones.
    var engineDType: DType {
        switch numericClass {
        case .double: .float64
        case .single: .float32
        case .int8: .int8
        case .uint8: .uint8
        case .int16: .int16
        case .int32, .uint16: .int32
        case .int64, .uint32, .uint64: .int64
        case .logical: .bool
        }
    }

    /// The elements as a tensor shaped with MATLAB's dims in reverse, with no reordering:
    /// MATLAB's column-major A(i, j, k) is element [k, j, i]. This is the cheap view, and
    /// for MatConvNet filters (width × height × in × out) it is already PyTorch's
    /// [out, in, height, width].
    public func reversedDimsTensor() throws -> Tensor {
        let shape = Array(dims.reversed())
        switch numericClass {
        case .uint16, .uint32, .uint64:
            let values = try widenedUnsigned()
            return try Tensor(values, shape: shape).to(engineDType)
        default:
            return try bytes.withUnsafeBytes { try Tensor(bytes: $0, shape: shape, dtype: engineDType) }
        }
    }

    /// The elements as a row-major tensor with MATLAB's dims: element [i, j, k] is
    /// MATLAB's A(i+1, j+1, k+1).
    public func tensor() throws -> Tensor {
        try reversedDimsTensor().permute(Array((0..<dims.count).reversed())).contiguous()
    }

    /// Every element converted to Double, column-major (for small arrays: metadata, means).
    public func doubles() throws -> [Double] {
        try reversedDimsTensor().toArray(Double.self)
    }

    private func widenedUnsigned() throws -> [Int64] {
        let size = numericClass.byteSize
        return try stride(from: 0, to: bytes.count, by: size).map { start in
            var bits: UInt64 = 0
            for k in (0..<size).reversed() { bits = bits << 8 | UInt64(bytes[start + k]) }
            guard let value = Int64(exactly: bits) else {
                throw TorchError("uint64 value \(bits) does not fit the engine's int64")
            }
            return value
        }
    }
}
