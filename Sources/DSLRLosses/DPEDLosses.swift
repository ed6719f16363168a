import Foundation
import DSLRTensor

// The losses of DPED's train_model.py (Ignatov et al. 2017), reused by PPCN, with DPED's own
// normalisations so that loss weights from its papers (content 10, colour 0.5, texture 1,
// TV 2000) carry over. DPED works on NHWC; the sums here are layout-independent.

/// DPED's `gauss_kernel(21, 3)`: a 21×21 blur built from differences of the normal CDF over
/// 21 equal bins spanning ±(3 + half a bin), the square root of their outer product,
/// normalised to sum 1 and rounded to float32 as DPED stores it.
public func dpedBlurKernel(size: Int = 21, nsig: Double = 3) -> [Double] {
    let interval = (2 * nsig + 1) / Double(size)
    let low = -nsig - interval / 2, high = nsig + interval / 2
    let edges = (0...size).map { low + (high - low) * Double($0) / Double(size) }
    let cdf = edges.map { 0.5 * (1 + erf($0 / 2.0.squareRoot())) }
    let bins = (0..<size).map { cdf[$0 + 1] - cdf[$0] }
    var kernel = [Double]()
    kernel.reserveCapacity(size * size)
    for i in 0..<size { for j in 0..<size { kernel.append((bins[i] * bins[j]).squareRoot()) } }
    let total = kernel.reduce(0, +)
    return kernel.map { Double(Float($0 / total)) }
}

/// DPED's `blur`: every channel convolved with `dpedBlurKernel()` with TensorFlow 'SAME' zero
/// padding (10 pixels each side for 21 taps).
public func dpedBlur(_ x: Tensor) throws -> Tensor {
    guard x.rank == 4 else { throw LossError("dpedBlur: expected NCHW, got shape \(x.shape)") }
    let size = 21
    let channels = x.shape[1]
    let weight = try Tensor(dpedBlurKernel(size: size), shape: [1, 1, size, size])
        .expand([channels, 1, size, size]).contiguous().to(x.device, x.dtype)
    return try conv2d(x, weight: weight, padding: [size / 2, size / 2], groups: channels)
}

/// DPED's colour loss: Σ (blur(target) - blur(output))² / (2·N), summed over channels and
/// pixels and divided by twice the batch size, exactly as train_model.py.
public func dpedColorLoss(_ output: Tensor, _ target: Tensor) throws -> Tensor {
    guard output.shape == target.shape else {
        throw LossError("color: inputs have different shapes \(output.shape) and \(target.shape)")
    }
    return try (dpedBlur(target) - dpedBlur(output)).square().sum() / Double(2 * output.shape[0])
}

/// DPED's total-variation loss: (Σ(∂x)² / (C·H·(W-1)) + Σ(∂y)² / (C·(H-1)·W)) / N, with
/// forward differences (train_model.py's `2 · (x_tv/size + y_tv/size) / batch` with
/// `l2_loss` = ½Σ²).
public func totalVariationLoss(_ x: Tensor) throws -> Tensor {
    guard x.rank == 4, x.shape[2] > 1, x.shape[3] > 1 else {
        throw LossError("tv: expected NCHW at least 2x2, got shape \(x.shape)")
    }
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let dy = try x.narrow(2, start: 1, length: h - 1) - x.narrow(2, start: 0, length: h - 1)
    let dx = try x.narrow(3, start: 1, length: w - 1) - x.narrow(3, start: 0, length: w - 1)
    let xTerm = try dx.square().sum() / Double(c * h * (w - 1))
    let yTerm = try dy.square().sum() / Double(c * (h - 1) * w)
    return try (xTerm + yTerm) / Double(n)
}

private func requireTwoClasses(_ p: Tensor, _ function: String) throws {
    guard p.rank == 2, p.shape[1] == 2 else {
        throw LossError("\(function): expected discriminator probabilities of shape [N, 2], got \(p.shape)")
    }
}

/// DPED's generator texture loss from the discriminator's softmax on enhanced images:
/// Σᵢ log(clip(p[i, 1], 1e-10, 1)), where column 1 is "enhanced". It is the negated
/// discriminator cross-entropy (a sum over the batch, not a mean), so minimising it fools D.
public func dpedTextureLoss(probabilities p: Tensor) throws -> Tensor {
    try requireTwoClasses(p, "dpedTextureLoss")
    return try p.select(1, 1).clamp(min: 1e-10, max: 1).log().sum()
}

/// DPED's discriminator loss: -Σᵢ [tᵢ log p[i, 0] + (1 - tᵢ) log p[i, 1]] with probabilities
/// clipped to [1e-10, 1], where tᵢ = 1 for a DSLR (real) image and 0 for an enhanced one.
///
/// - Parameter isReal: shape [N], 1 or 0 per image.
public func dpedDiscriminatorLoss(probabilities p: Tensor, isReal: Tensor) throws -> Tensor {
    try requireTwoClasses(p, "dpedDiscriminatorLoss")
    let logs = try p.clamp(min: 1e-10, max: 1).log()
    let t = try isReal.to(p.device, p.dtype).reshape([-1])
    return try ((t * logs.select(1, 0) + (1 - t) * logs.select(1, 1)).sum()) * -1
}

/// The standard non-saturating GAN generator loss, mean softplus(-D(G(x))) =
/// BCE-with-logits(fake logits, 1).
public func nonSaturatingGeneratorLoss(fakeLogits: Tensor) throws -> Tensor {
    try (fakeLogits * -1).softplus().mean()
}

/// The standard GAN discriminator loss, BCE-with-logits(real, 1) + BCE-with-logits(fake, 0),
/// each a mean over the batch.
public func nonSaturatingDiscriminatorLoss(realLogits: Tensor, fakeLogits: Tensor) throws -> Tensor {
    try (realLogits * -1).softplus().mean() + fakeLogits.softplus().mean()
}
