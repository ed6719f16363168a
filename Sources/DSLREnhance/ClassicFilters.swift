import Foundation
import DSLRTensor

// The spatial filters of the classic enhancer: a Gaussian blur equal to scipy's
// `ndimage.gaussian_filter` (as scikit-image uses it), unsharp masking equal to
// `skimage.filters.unsharp_mask`, and a self-guided filter for edge-preserving denoising.
// All are separable or box filters, so a 12 MP photo costs a few passes over its pixels.

/// Unsharp masking of each plane of an NCHW tensor in [0, 1]:
/// x + amount · (x - gaussianBlur(x, sigma)) where |x - blur| > threshold, clipped to [0, 1].
/// With `threshold` 0 this is `skimage.filters.unsharp_mask(x, radius: sigma, amount:)`.
public func unsharpMask(_ image: Tensor, sigma: Double = 1, amount: Double = 1, threshold: Double = 0) throws -> Tensor {
    let detail = try image - gaussianBlur(image, sigma: sigma)
    // The threshold keeps flat, noisy areas from being sharpened along with edges.
    let gated = threshold > 0 ? try detail * detail.abs().gt(threshold).to(detail.dtype) : detail
    return try (image + gated * amount).clamp(min: 0, max: 1)
}

/// The guided filter of He, Sun and Tang (2010) with the image as its own guide, per plane of
/// an NCHW tensor: in each (2r + 1)² window the output is a · I + b with a = var / (var + eps),
/// so edges (variance ≫ eps) survive and flat noise (variance ≪ eps) is averaged away.
public func guidedFilter(_ image: Tensor, radius: Int, eps: Double) throws -> Tensor {
    let shape = image.shape
    guard shape.count == 4 else { throw TorchError("guidedFilter: expected NCHW, got shape \(shape)") }
    guard radius > 0 else { return image }
    let mean = try boxMean(image, radius: radius)
    let variance = try (boxMean(image.square(), radius: radius) - mean.square()).clamp(min: 0)
    let a = try variance / (variance + eps)
    let b = try mean - a * mean
    return try boxMean(a, radius: radius) * image + boxMean(b, radius: radius)
}

/// The mean over a (2r + 1)² window, counting only pixels inside the image at the borders.
private func boxMean(_ x: Tensor, radius: Int) throws -> Tensor {
    let k = 2 * radius + 1
    return try avgPool2d(x, kernel: [k, k], stride: [1, 1], padding: [radius, radius], countIncludePad: false)
}

