import Foundation
import DSLRTensor

// Peak signal-to-noise ratio as skimage.metrics.peak_signal_noise_ratio defines it, the
// number image-restoration papers report, plus a per-image form for batched evaluation.

/// Peak signal-to-noise ratio in dB over the whole tensor, like
/// `skimage.metrics.peak_signal_noise_ratio(a, b, data_range: dataRange)`: one MSE over every
/// element of the batch, not an average of per-image PSNRs.
///
/// The MSE is accumulated in float64 whatever the input dtype, as skimage promotes to float64,
/// so a float32 evaluation reports the same figure. Identical inputs give `+infinity`.
///
/// - Parameters:
///   - a: Reference image(s), any shape.
///   - b: Test image(s), the same shape as `a`.
///   - dataRange: The span of valid values (1 for images in [0, 1]); skimage requires it to be
///     stated for float images because it cannot be inferred.
public func psnr(_ a: Tensor, _ b: Tensor, dataRange: Double = 1) throws -> Double {
    try requireSameShape(a, b, "psnr")
    let mse = try withNoGrad { try (a.to(.float64) - b.to(.float64)).square().mean().item() }
    return 10 * log10(dataRange * dataRange / mse)
}

/// PSNR in dB of BT.601 Y (`bt601Y`, MATLAB's `rgb2ycbcr`) with `shave` pixels cut from
/// every border: how super-resolution papers score RGB results (the shave equals the scale,
/// so the borders where the low-resolution photo gives too little context do not count).
///
/// - Parameters:
///   - a, b: NCHW RGB images in [0, 1], the same shape, each side longer than 2·`shave`.
public func psnrY(_ a: Tensor, _ b: Tensor, shave: Int) throws -> Double {
    try requireSameShape(a, b, "psnrY")
    guard a.rank == 4, shave >= 0, a.shape[2] > 2 * shave, a.shape[3] > 2 * shave else {
        throw TorchError("psnrY: cannot shave \(shave) pixels from images of shape \(a.shape)")
    }
    let inner = { (t: Tensor) throws -> Tensor in
        try bt601Y(t.to(.float64)).narrow(2, start: shave, length: t.shape[2] - 2 * shave).narrow(3, start: shave, length: t.shape[3] - 2 * shave)
    }
    return try withNoGrad { try psnr(inner(a), inner(b), dataRange: 1) }
}

/// PSNR in dB of each batch element separately: the per-image MSE over C, H and W, giving a
/// tensor of shape [N] in the input's dtype that keeps its autograd graph (so it can serve as a
/// loss or be averaged the way some papers average per-image PSNR).
///
/// - Parameters:
///   - a: Reference images, NCHW.
///   - b: Test images, NCHW, the same shape as `a`.
///   - dataRange: The span of valid values (1 for images in [0, 1]).
public func psnrPerImage(_ a: Tensor, _ b: Tensor, dataRange: Double = 1) throws -> Tensor {
    try requireSameShape(a, b, "psnrPerImage")
    guard a.rank == 4 else { throw TorchError("psnrPerImage: expected NCHW tensors, got shape \(a.shape)") }
    let mse = try (a - b).square().mean(dims: [1, 2, 3])
    // 10·log10(R²/mse) written with natural logs, which the engine differentiates.
    return try (mse.log() * -1 + 2 * Foundation.log(dataRange)) * (10 / Foundation.log(10.0))
}

/// Rejects mismatched inputs up front, as skimage does, instead of letting broadcasting
/// silently compare an image with a different one.
func requireSameShape(_ a: Tensor, _ b: Tensor, _ function: String) throws {
    guard a.shape == b.shape else {
        throw TorchError("\(function): inputs have different shapes \(a.shape) and \(b.shape)")
    }
}
