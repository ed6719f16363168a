// Reductions. `dims` nil or empty reduces over every dimension.
extension Tensor {
    public func sum() throws -> Tensor { try ATen.sumAll.call(.tensor(self)) }
    public func sum(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try ATen.sumDims.call(.tensor(self), .ints(dims), .bool(keepDim))
    }
    public func mean() throws -> Tensor { try ATen.meanAll.call(.tensor(self)) }
    public func mean(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try ATen.meanDims.call(.tensor(self), .ints(dims), .bool(keepDim))
    }
    /// Variance; `correction` 0 is the biased (population) variance, 1 the sample variance.
    public func variance(dims: [Int], correction: Int = 1, keepDim: Bool = false) throws -> Tensor {
        try ATen.varDims.call(.tensor(self), .ints(dims), .int(correction), .bool(keepDim))
    }
    public func std(dims: [Int], correction: Int = 1, keepDim: Bool = false) throws -> Tensor {
        try ATen.stdDims.call(.tensor(self), .ints(dims), .int(correction), .bool(keepDim))
    }
    public func max() throws -> Tensor { try ATen.maxAll.call(.tensor(self)) }
    public func min() throws -> Tensor { try ATen.minAll.call(.tensor(self)) }
    /// Maximum along `dim` and its indices.
    public func max(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let r = try ATen.maxDim.callTensors([.tensor(self), .int(dim), .bool(keepDim)])
        return (r[0], r[1])
    }
    public func min(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let r = try ATen.minDim.callTensors([.tensor(self), .int(dim), .bool(keepDim)])
        return (r[0], r[1])
    }
    public func amax(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try ATen.amax.call(.tensor(self), .ints(dims), .bool(keepDim))
    }
    public func amin(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try ATen.amin.call(.tensor(self), .ints(dims), .bool(keepDim))
    }
    public func argmax(dim: Int, keepDim: Bool = false) throws -> Tensor {
        try ATen.argmax.call(.tensor(self), .int(dim), .bool(keepDim))
    }
    public func logsumexp(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try ATen.logsumexp.call(.tensor(self), .ints(dims), .bool(keepDim))
    }
    public func cumsum(dim: Int) throws -> Tensor { try ATen.cumsum.call(.tensor(self), .int(dim)) }
    public func prod() throws -> Tensor { try ATen.prodAll.call(.tensor(self)) }
    /// The p-norm over `dims` (all when nil).
    public func norm(_ p: Double = 2, dims: [Int]? = nil, keepDim: Bool = false) throws -> Tensor {
        try ATen.normDims.call(.tensor(self), .double(p), dims.map { .ints($0) } ?? .none, .bool(keepDim))
    }
    public func all() throws -> Bool { try ATen.all.call(.tensor(self)).item() != 0 }
    public func any() throws -> Bool { try ATen.any.call(.tensor(self)).item() != 0 }
    /// Histogram of `bins` equal bins over [min, max].
    public func histc(bins: Int, min: Double, max: Double) throws -> Tensor {
        try ATen.histc.call(.tensor(self), .int(bins), .double(min), .double(max))
    }
}
