// Linear algebra over the last two dims (batched over leading dims), as torch.linalg.

/// Singular value decomposition A = U · diag(S) · Vh.
///
/// - Parameter fullMatrices: U and Vh square (as `torch.linalg.svd`'s default); with false
///   the reduced factors, which drop the null space of a wide matrix.
public func svd(_ a: Tensor, fullMatrices: Bool = true) throws -> (u: Tensor, s: Tensor, vh: Tensor) {
    let r = try ATen.linalgSVD.callTensors([.tensor(a), .bool(fullMatrices)])
    guard r.count == 3 else { throw TorchError("aten::linalg_svd returned \(r.count) tensors, expected 3") }
    return (r[0], r[1], r[2])
}

/// The solution X of A · X = B for square, invertible A (B a matrix or a vector).
public func solve(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    try ATen.linalgSolve.call(.tensor(a), .tensor(b))
}
