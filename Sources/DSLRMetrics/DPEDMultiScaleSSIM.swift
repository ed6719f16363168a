import Foundation
import DSLRTensor

// DPED's own MS-SSIM (`MultiScaleSSIM` in aiff22/DPED ssim.py, a numpy/scipy port of an old
// TensorFlow-research script). The MS-SSIM figures DPED, PPCN and their successors publish
// were computed with it, so reproducing those tables needs this variant, not pytorch-msssim's
// or tf.image's. How it differs from them:
// - one global mean: the SSIM and contrast maps are averaged over the whole batch and all
//   channels before the scales are combined (pytorch-msssim and TF combine scales per image
//   and channel, then average);
// - the window shrinks to min(11, H, W) taps at small scales, with sigma scaled by
//   size / 11 (the others keep 11 taps; pytorch-msssim skips filtering a short dimension, TF
//   refuses the input), so 100×100 DPED patches are accepted;
// - no ReLU on the contrast terms (a negative one gives NaN, as in DPED);
// - downsampling averages 2×2 blocks with the last row/column repeated for odd sizes
//   (scipy 'reflect'), like TF and unlike pytorch-msssim's zero padding on both sides.

/// DPED's `_FSpecialGauss`: a 2-D Gaussian sampled on integer offsets (half-integer ones for an
/// even size) and normalised; it is separable, so the 1-D factor is returned.
private func dpedGaussianTaps(size: Int, sigma: Double) -> [Double] {
    let offset = size % 2 == 0 ? 0.5 : 0.0
    let start = -(size / 2)
    let raw = (0..<size).map { i -> Double in
        let x = Double(start + i) + offset
        return Foundation.exp(-(x * x) / (2 * sigma * sigma))
    }
    let total = raw.reduce(0, +)
    return raw.map { $0 / total }
}

/// DPED's `_SSIMForMultiScale` on NCHW: means over N, C, H and W of the valid-filtered maps.
private func dpedSSIMAndContrast(
    _ x: Tensor, _ y: Tensor, maxValue: Double, window: SSIMWindow
) throws -> (ssim: Tensor, cs: Tensor) {
    let size = min(window.size, x.shape[2], x.shape[3])
    let sigma = Double(size) * window.sigma / Double(window.size)
    let taps = try Tensor(dpedGaussianTaps(size: size, sigma: sigma)).to(x.device, x.dtype)
    let channels = x.shape[1]
    let vertical = try taps.reshape([1, 1, size, 1]).expand([5 * channels, 1, size, 1]).contiguous()
    let horizontal = try taps.reshape([1, 1, 1, size]).expand([5 * channels, 1, 1, size]).contiguous()
    let stacked = try cat([x, y, x * x, y * y, x * y], dim: 1)
    let filtered = try conv2d(conv2d(stacked, weight: vertical, groups: 5 * channels), weight: horizontal, groups: 5 * channels)
    let parts = try filtered.split(channels, dim: 1)
    let (mu1, mu2) = (parts[0], parts[1])
    let mu11 = try mu1 * mu1, mu22 = try mu2 * mu2, mu12 = try mu1 * mu2
    let s11 = try parts[2] - mu11, s22 = try parts[3] - mu22, s12 = try parts[4] - mu12
    let c1 = (window.k1 * maxValue) * (window.k1 * maxValue)
    let c2 = (window.k2 * maxValue) * (window.k2 * maxValue)
    let v1 = try s12 * 2 + c2
    let v2 = try s11 + s22 + c2
    let ssim = try ((mu12 * 2 + c1) * v1 / ((mu11 + mu22 + c1) * v2)).mean()
    return (ssim, try (v1 / v2).mean())
}

/// scipy.ndimage.convolve with a 2×2 box and mode 'reflect', then every other sample: each
/// output is the mean of a 2×2 block, and an odd trailing row/column is averaged with itself.
private func dpedDownsample(_ x: Tensor) throws -> Tensor {
    let padded = try x.pad([0, x.shape[3] % 2, 0, x.shape[2] % 2], mode: .replicate)
    return try avgPool2d(padded, kernel: [2, 2])
}

/// MS-SSIM exactly as DPED's `MultiScaleSSIM(img1, img2, max_val)` (aiff22/DPED ssim.py), the
/// variant behind DPED's and PPCN's published MS-SSIM numbers.
///
/// DPED calls it on NHWC arrays in 0...255 with `max_val=255`; pass the same images here as
/// NCHW (`x.permute([0, 3, 1, 2])`) with `maxValue: 255`, or images in [0, 1] with
/// `maxValue: 1` (the value is the same up to rounding: every term is scale-invariant once
/// the constants scale with `maxValue`). See the file comment for how it differs from
/// `msssim` (pytorch-msssim) and tf.image.ssim_multiscale.
///
/// - Returns: a 0-dim tensor over the whole batch, differentiable.
public func dpedMultiScaleSSIM(
    _ a: Tensor, _ b: Tensor, maxValue: Double = 255,
    weights: [Double] = msssimDefaultWeights, window: SSIMWindow = SSIMWindow()
) throws -> Tensor {
    try requireSameShape(a, b, "dpedMultiScaleSSIM")
    guard a.rank == 4 else { throw TorchError("dpedMultiScaleSSIM: expected NCHW tensors, got shape \(a.shape)") }
    guard !weights.isEmpty else { throw TorchError("dpedMultiScaleSSIM: no scale weights") }
    var (x, y) = (a, b)
    var product: Tensor?
    for (level, weight) in weights.enumerated() {
        guard x.shape[2] >= 1, x.shape[3] >= 1 else {
            throw TorchError("dpedMultiScaleSSIM: images of \(a.shape[2])x\(a.shape[3]) are too small for \(weights.count) scales")
        }
        let (ssim, cs) = try dpedSSIMAndContrast(x, y, maxValue: maxValue, window: window)
        let last = level == weights.count - 1
        let term = try (last ? ssim : cs).pow(weight)
        product = try product.map { try $0 * term } ?? term
        if !last {
            x = try dpedDownsample(x)
            y = try dpedDownsample(y)
        }
    }
    return product!
}
