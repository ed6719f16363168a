import DSLRTensor

// Pixel-wise losses between two tensors of the same shape, averaged over every element.

private func requireSameShape(_ a: Tensor, _ b: Tensor, _ loss: String) throws {
    guard a.shape == b.shape else {
        throw LossError("\(loss): inputs have different shapes \(a.shape) and \(b.shape)")
    }
}

/// Mean absolute error, `torch.nn.functional.l1_loss`.
public func l1Loss(_ output: Tensor, _ target: Tensor) throws -> Tensor {
    try requireSameShape(output, target, "l1")
    return try (output - target).abs().mean()
}

/// Mean squared error, `torch.nn.functional.mse_loss`.
public func mseLoss(_ output: Tensor, _ target: Tensor) throws -> Tensor {
    try requireSameShape(output, target, "mse")
    return try (output - target).square().mean()
}

/// Charbonnier loss mean(sqrt((output - target)² + ε²)), a differentiable L1 (LapSRN's form;
/// ε = 1e-3 there).
public func charbonnierLoss(_ output: Tensor, _ target: Tensor, epsilon: Double = 1e-3) throws -> Tensor {
    try requireSameShape(output, target, "charbonnier")
    return try ((output - target).square() + epsilon * epsilon).sqrt().mean()
}

/// MDIE's cycle-consistency loss E‖x - G(G(x, c), c')‖₁: the mean absolute error between an
/// input and its round-trip reconstruction.
public func cycleConsistencyLoss(input: Tensor, reconstruction: Tensor) throws -> Tensor {
    try requireSameShape(input, reconstruction, "cycle_l1")
    return try (input - reconstruction).abs().mean()
}
