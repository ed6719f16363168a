import DSLRMetrics
import DSLRTensor

// Losses built on the structural-similarity metrics of DSLRMetrics.

/// Which SSIM a loss uses.
public enum SSIMConvention: String, Sendable, CaseIterable {
    /// pytorch-msssim's `ssim` (= tf.image.ssim up to float32): valid filtering, no crop. PPCN's
    /// SSIM loss is `1 - tf.image.ssim`.
    case pytorch
    /// skimage's `structural_similarity` (Gaussian, population covariance, 5-pixel crop).
    case skimage
}

/// 1 - SSIM, averaged over the batch.
public func ssimLoss(_ output: Tensor, _ target: Tensor, convention: SSIMConvention = .pytorch) throws -> Tensor {
    switch convention {
    case .pytorch: return try 1 - pytorchSSIMPerImage(output, target).mean()
    case .skimage: return try 1 - ssim(output, target)
    }
}

/// 1 - MS-SSIM (pytorch-msssim 1.0.0, data range 1), averaged over the batch. Images must be
/// larger than 160 pixels on their shorter side.
public func msssimLoss(_ output: Tensor, _ target: Tensor) throws -> Tensor {
    try 1 - msssim(output, target)
}

/// The LAB loss of Golub and Dado's PyNET study:
/// (1 - α)·mean|Lab(I) - Lab(I')| + α·(1 - MS-SSIM(L, L')).
///
/// Lab is skimage's (D65, L in [0, 100]); the L1 term averages over all three Lab channels in
/// those units; MS-SSIM compares L / 100 with data range 1 (the slides do not say how L is
/// scaled; MS-SSIM is invariant to the scale once the data range follows it).
/// Images must be larger than 160 pixels on their shorter side (MS-SSIM's five scales).
public func labLoss(_ output: Tensor, _ target: Tensor, alpha: Double) throws -> Tensor {
    let labO = try rgbToLab(output)
    let labT = try rgbToLab(target)
    let l1 = try (labO - labT).abs().mean()
    let lO = try labO.narrow(1, start: 0, length: 1) / 100
    let lT = try labT.narrow(1, start: 0, length: 1) / 100
    return try l1 * (1 - alpha) + (1 - msssim(lO, lT)) * alpha
}
