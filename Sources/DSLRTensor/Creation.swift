/// Tensor constructors. Defaults: float32 on the CPU.
extension Tensor {
    public static func zeros(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try ATen.zeros.call(.ints(shape), .dtype(dtype), .none, .device(device))
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try ATen.ones.call(.ints(shape), .dtype(dtype), .none, .device(device))
    }

    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try ATen.full.call(.ints(shape), .double(value), .dtype(dtype), .none, .device(device))
    }

    /// Uniform samples in [0, 1) from the global generator (see `Torch.manualSeed`).
    public static func rand(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try ATen.rand.call(.ints(shape), .dtype(dtype), .none, .device(device))
    }

    /// Standard normal samples from the global generator.
    public static func randn(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try ATen.randn.call(.ints(shape), .dtype(dtype), .none, .device(device))
    }

    /// Integers uniformly drawn from [low, high).
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], device: Device = .cpu) throws -> Tensor {
        try ATen.randint.call(.int(low), .int(high), .ints(shape), .dtype(.int64), .none, .device(device))
    }

    /// A uniformly shuffled 0..<n.
    public static func randperm(_ n: Int, device: Device = .cpu) throws -> Tensor {
        try ATen.randperm.call(.int(n), .dtype(.int64), .none, .device(device))
    }

    /// start, start + step, ... below end.
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try ATen.arange.call(.double(start), .double(end), .double(step), .dtype(dtype), .none, .device(device))
    }

    public static func linspace(_ start: Double, _ end: Double, count: Int, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try ATen.linspace.call(.double(start), .double(end), .int(count), .dtype(dtype), .none, .device(device))
    }

    public static func eye(_ n: Int, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try ATen.eye.call(.int(n), .dtype(dtype), .none, .device(device))
    }

    public func zerosLike() throws -> Tensor { try ATen.zerosLike.call(.tensor(self)) }
    public func onesLike() throws -> Tensor { try ATen.onesLike.call(.tensor(self)) }
    public func randnLike() throws -> Tensor { try ATen.randnLike.call(.tensor(self)) }
    public func randLike() throws -> Tensor { try ATen.randLike.call(.tensor(self)) }

    /// A copy with the given dtype (the same tensor if it already has it).
    public func to(_ dtype: DType) throws -> Tensor {
        try ATen.toDtype.call(.tensor(self), .dtype(dtype))
    }

    /// A copy with the given dtype laid out in `memoryFormat`: converts and reorders a
    /// permuted view in one pass (plain `to` keeps the view's strides).
    public func to(_ dtype: DType, memoryFormat: MemoryFormat) throws -> Tensor {
        try ATen.toDtype.call(.tensor(self), .dtype(dtype), .bool(false), .bool(false), .int(memoryFormat.rawValue))
    }

    /// A copy on `device` (the same tensor if it is already there).
    public func to(_ device: Device) throws -> Tensor {
        try ATen.toDevice.call(.tensor(self), .device(device), .dtype(dtype))
    }

    public func to(_ device: Device, _ dtype: DType) throws -> Tensor {
        try ATen.toDevice.call(.tensor(self), .device(device), .dtype(dtype))
    }

    /// A new tensor with its own copy of the data (gradients flow back through it).
    public func clone() throws -> Tensor { try ATen.clone.call(.tensor(self)) }

    /// Row-major contiguous layout.
    public func contiguous() throws -> Tensor { try ATen.contiguous.call(.tensor(self)) }

    /// NHWC memory layout for 4-D tensors (faster convolutions with oneDNN on CPU).
    public func channelsLast() throws -> Tensor {
        try ATen.contiguous.call(.tensor(self), .int(MemoryFormat.channelsLast.rawValue))
    }
}

/// libtorch memory formats (c10::MemoryFormat codes).
public enum MemoryFormat: Int, Sendable {
    case contiguous = 0
    case preserve = 1
    case channelsLast = 2
}
