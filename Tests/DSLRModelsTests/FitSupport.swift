import DSLRNN
import DSLRTensor

/// Mean squared error of `forward` on a first batch, before and after `steps` Adam steps
/// on fresh batches (for tests that a network can learn a given mapping).
func squaredErrorBeforeAndAfterFitting(
    _ parameters: [(String, Tensor)], steps: Int, learningRate: Double,
    batch: () throws -> (Tensor, Tensor), forward: (Tensor) throws -> Tensor
) throws -> (before: Double, after: Double) {
    var adam = Adam(parameters, learningRate: learningRate)
    let (x0, y0) = try batch()
    let before = try (x0 - y0).square().mean().item()
    for _ in 0..<steps {
        let (x, y) = try batch()
        try adam.zeroGrad()
        try (forward(x) - y).square().mean().backward()
        try adam.step()
    }
    let after = try withNoGrad { try (forward(x0) - y0).square().mean().item() }
    return (before, after)
}
