// Counting, searching and order statistics: the building blocks of histogram equalisation,
// percentiles and lookup tables, kept on the engine so images never loop in Swift.
extension Tensor {
    /// Occurrences of each value of a 1-D non-negative int64 tensor, at least `minLength` bins.
    public func bincount(minLength: Int = 0) throws -> Tensor {
        try ATen.bincount.call(.tensor(self), .none, .int(minLength))
    }

    /// For each element, the index of the first boundary above it (`right`: boundaries[i-1] <=
    /// x < boundaries[i]) or at or above it (not `right`); `boundaries` is sorted and 1-D.
    public func bucketize(_ boundaries: Tensor, right: Bool = false) throws -> Tensor {
        try ATen.bucketize.call(.tensor(self), .tensor(boundaries), .bool(false), .bool(right))
    }

    /// The `k`-th smallest element (1-based) along `dim` and its index.
    public func kthvalue(_ k: Int, dim: Int = -1, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let r = try ATen.kthvalue.callTensors([.tensor(self), .int(k), .int(dim), .bool(keepDim)])
        return (r[0], r[1])
    }

    /// Python-style remainder (the sign of the divisor), elementwise.
    public func remainder(_ other: Tensor) throws -> Tensor {
        try ATen.remainder.call(.tensor(self), .tensor(other))
    }

    /// Elements of `self`, read as a flat row-major array, at int64 `index` (result shaped like it).
    public func take(_ index: Tensor) throws -> Tensor {
        try ATen.take.call(.tensor(self), .tensor(index))
    }
}
