import Foundation
import DSLRTensor

// Multi-scale SSIM as pytorch-msssim 1.0.0 computes it (`ms_ssim` and `ssim`), the figure most
// PyTorch image-enhancement code reports and trains on. It differs from skimage's SSIM (see
// SSIM.swift): 'valid' filtering with no crop, a window whose taps are computed in float32,
// and per-channel means.

/// Default MS-SSIM scale weights of Wang, Simoncelli and Bovik (2003), as in pytorch-msssim,
/// TensorFlow and DPED.
public let msssimDefaultWeights: [Double] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]

/// Window and constants of the Gaussian SSIM family.
public struct SSIMWindow: Sendable, Equatable {
    /// Taps per side; must be odd.
    public var size: Int
    public var sigma: Double
    public var k1: Double
    public var k2: Double

    public init(size: Int = 11, sigma: Double = 1.5, k1: Double = 0.01, k2: Double = 0.03) {
        self.size = size
        self.sigma = sigma
        self.k1 = k1
        self.k2 = k2
    }
}

/// pytorch-msssim's `_fspecial_gauss_1d`: sampled at integer offsets from the centre and
/// normalised, computed by libtorch in float32 (it builds the window with `dtype=torch.float`),
/// so that its exp and its summation order, and hence every rounded tap, are the same.
func pytorchGaussianTaps(size: Int, sigma: Double) throws -> [Double] {
    let coords = try Tensor.arange(0, Double(size), dtype: .float32) - Double(size / 2)
    let g = try (coords.square() * -1 / (2 * sigma * sigma)).exp()
    return try (g / g.sum()).toArray(Float.self).map(Double.init)
}

/// 'valid' separable Gaussian filtering of each channel; a dimension shorter than the window
/// is left unfiltered, as pytorch-msssim does (it warns and skips it).
private func validGaussianFilter(_ x: Tensor, taps: [Double]) throws -> Tensor {
    let channels = x.shape[1]
    let n = taps.count
    let window = try Tensor(taps).to(x.device, x.dtype)
    var out = x
    if out.shape[2] >= n {
        let w = try window.reshape([1, 1, n, 1]).expand([channels, 1, n, 1]).contiguous()
        out = try conv2d(out, weight: w, groups: channels)
    }
    if out.shape[3] >= n {
        let w = try window.reshape([1, 1, 1, n]).expand([channels, 1, 1, n]).contiguous()
        out = try conv2d(out, weight: w, groups: channels)
    }
    return out
}

/// pytorch-msssim's `_ssim`: the SSIM and contrast-structure maps averaged per image and
/// channel, each of shape [N, C].
private func ssimAndContrast(
    _ x: Tensor, _ y: Tensor, dataRange: Double, window: SSIMWindow, taps: [Double]
) throws -> (ssim: Tensor, cs: Tensor) {
    let c1 = (window.k1 * dataRange) * (window.k1 * dataRange)
    let c2 = (window.k2 * dataRange) * (window.k2 * dataRange)
    let channels = x.shape[1]
    let parts = try validGaussianFilter(cat([x, y, x * x, y * y, x * y], dim: 1), taps: taps).split(channels, dim: 1)
    let (mu1, mu2) = (parts[0], parts[1])
    let mu11 = try mu1 * mu1, mu22 = try mu2 * mu2, mu12 = try mu1 * mu2
    let s11 = try parts[2] - mu11, s22 = try parts[3] - mu22, s12 = try parts[4] - mu12
    let csMap = try (s12 * 2 + c2) / (s11 + s22 + c2)
    let ssimMap = try (mu12 * 2 + c1) / (mu11 + mu22 + c1) * csMap
    return (try ssimMap.flatten(from: 2).mean(dims: [2]), try csMap.flatten(from: 2).mean(dims: [2]))
}

private func requireBatches(_ a: Tensor, _ b: Tensor, _ function: String) throws {
    try requireSameShape(a, b, function)
    guard a.rank == 4 else { throw TorchError("\(function): expected NCHW tensors, got shape \(a.shape)") }
}

/// SSIM per image and channel exactly as `pytorch_msssim.ssim(a, b, size_average=False)`
/// averaged over channels: 'valid' Gaussian filtering, no crop, no clamping.
///
/// - Returns: shape [N], differentiable.
public func pytorchSSIMPerImage(
    _ a: Tensor, _ b: Tensor, dataRange: Double = 1, window: SSIMWindow = SSIMWindow()
) throws -> Tensor {
    try requireBatches(a, b, "pytorchSSIMPerImage")
    guard window.size % 2 == 1 else { throw TorchError("pytorchSSIMPerImage: window size must be odd, got \(window.size)") }
    let taps = try pytorchGaussianTaps(size: window.size, sigma: window.sigma)
    return try ssimAndContrast(a, b, dataRange: dataRange, window: window, taps: taps).ssim.mean(dims: [1])
}

/// MS-SSIM per image, exactly as `pytorch_msssim.ms_ssim(a, b, size_average=False)` of
/// pytorch-msssim 1.0.0: at each of the `weights.count` scales the per-channel contrast term
/// (and at the last, the SSIM) is clamped at 0 (ReLU), raised to its weight and multiplied;
/// between scales both images are 2×2 average-pooled with zero padding of 1 on both sides of an
/// odd dimension (counted in the average); the per-channel products are averaged over channels.
///
/// - Parameters:
///   - a, b: NCHW images whose shorter side exceeds (window.size - 1) · 2^(scales - 1)
///     (160 for the defaults), as pytorch-msssim asserts.
///   - dataRange: 1 for images in [0, 1], 255 for 8-bit values.
/// - Returns: shape [N], differentiable (the ReLU's gradient is 0 where it clamps).
public func msssimPerImage(
    _ a: Tensor, _ b: Tensor, dataRange: Double = 1,
    weights: [Double] = msssimDefaultWeights, window: SSIMWindow = SSIMWindow()
) throws -> Tensor {
    try requireBatches(a, b, "msssimPerImage")
    guard window.size % 2 == 1 else { throw TorchError("msssimPerImage: window size must be odd, got \(window.size)") }
    guard !weights.isEmpty else { throw TorchError("msssimPerImage: no scale weights") }
    let minimum = (window.size - 1) << (weights.count - 1)
    let side = min(a.shape[2], a.shape[3])
    guard side > minimum else {
        throw TorchError("msssimPerImage: images must be larger than \(minimum) pixels on their shorter side for \(weights.count) scales, got \(a.shape[2])x\(a.shape[3])")
    }
    let taps = try pytorchGaussianTaps(size: window.size, sigma: window.sigma)
    var (x, y) = (a, b)
    var product: Tensor?
    for (level, weight) in weights.enumerated() {
        let (ssim, cs) = try ssimAndContrast(x, y, dataRange: dataRange, window: window, taps: taps)
        let last = level == weights.count - 1
        let term = try (last ? ssim : cs).relu().pow(weight)
        product = try product.map { try $0 * term } ?? term
        if !last {
            let padding = [x.shape[2] % 2, x.shape[3] % 2]
            x = try avgPool2d(x, kernel: [2, 2], padding: padding)
            y = try avgPool2d(y, kernel: [2, 2], padding: padding)
        }
    }
    return try product!.mean(dims: [1])
}

/// Mean MS-SSIM over the batch, `pytorch_msssim.ms_ssim(a, b)` (size_average=True), as a 0-dim
/// tensor that keeps the autograd graph, so `1 - msssim(output, target)` is a loss.
/// See `msssimPerImage` for the exact definition and size requirement.
public func msssim(
    _ a: Tensor, _ b: Tensor, dataRange: Double = 1,
    weights: [Double] = msssimDefaultWeights, window: SSIMWindow = SSIMWindow()
) throws -> Tensor {
    try msssimPerImage(a, b, dataRange: dataRange, weights: weights, window: window).mean()
}
