extension Tensor {
    /// The `k` largest (or smallest) elements along `dim` and their indices, sorted.
    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        let r = try ATen.topk.callTensors([.tensor(self), .int(k), .int(dim), .bool(largest), .bool(true)])
        return (r[0], r[1])
    }
}
