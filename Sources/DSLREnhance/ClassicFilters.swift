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
///
/// With `subsample` s > 1 this is the fast guided filter (He and Sun, 2015): a and b are
/// computed on an s-times smaller image with radius max(1, r / s) and upsampled bilinearly,
/// which cuts the cost on a 12 MP photo several-fold at the price of slightly softer edges.
public func guidedFilter(_ image: Tensor, radius: Int, eps: Double, subsample: Int = 1) throws -> Tensor {
    let shape = image.shape
    guard shape.count == 4 else { throw TorchError("guidedFilter: expected NCHW, got shape \(shape)") }
    guard subsample >= 1 else { throw TorchError("guidedFilter: subsample must be at least 1, got \(subsample)") }
    guard radius > 0 else { return image }
    let small = subsample == 1 ? image : try areaShrink(image, by: subsample)
    let r = subsample == 1 ? radius : Swift.max(1, radius / subsample)
    let (a, b) = try guidedCoefficients(guide: small, target: small, radius: r, eps: eps, size: [shape[2], shape[3]])
    return try a * image + b
}

/// The guided filter's window-averaged linear coefficients (ā, b̄) of `target` ≈ a·`guide` + b,
/// per plane (both NCHW of one size): a = cov(guide, target) / (var(guide) + eps). They are
/// enlarged bilinearly to `size` when it differs, so that ā·G + b̄ with G the guide at that
/// size is the fast guided filter's output there.
func guidedCoefficients(guide: Tensor, target: Tensor, radius r: Int, eps: Double, size: [Int]) throws -> (a: Tensor, b: Tensor) {
    let selfGuided = guide === target
    let meanG = try boxMean(guide, radius: r)
    let meanT = selfGuided ? meanG : try boxMean(target, radius: r)
    let variance = try (boxMean(guide.square(), radius: r) - meanG.square()).clamp(min: 0)
    let covariance = selfGuided ? variance : try boxMean(guide * target, radius: r) - meanG * meanT
    let a = try covariance / (variance + eps)
    var meanA = try boxMean(a, radius: r)
    var meanB = try boxMean(meanT - a * meanG, radius: r)
    if [guide.shape[2], guide.shape[3]] != size {
        meanA = try interpolate(meanA, size: size, mode: .bilinear(alignCorners: false))
        meanB = try interpolate(meanB, size: size, mode: .bilinear(alignCorners: false))
    }
    return (meanA, meanB)
}

/// Area-averages an NCHW tensor down by `factor` (a partial last block averages what it has).
func areaShrink(_ image: Tensor, by factor: Int) throws -> Tensor {
    let (h, w) = (image.shape[2], image.shape[3])
    let size = [(h + factor - 1) / factor, (w + factor - 1) / factor]
    return try adaptiveAvgPool2d(image, outputSize: size)
}

/// Gaussian blur of low-frequency planes (chroma) at 1 / `subsample` of the resolution, then
/// bilinear upsampling: at sigma of a pixel or two the result is visually the same as a full
/// blur for a fraction of the cost.
func lowResolutionBlur(_ image: Tensor, sigma: Double, subsample: Int) throws -> Tensor {
    guard subsample > 1 else { return try gaussianBlur(image, sigma: sigma) }
    let (h, w) = (image.shape[2], image.shape[3])
    let blurred = try gaussianBlur(areaShrink(image, by: subsample), sigma: sigma / Double(subsample))
    return try interpolate(blurred, size: [h, w], mode: .bilinear(alignCorners: false))
}

/// The mean over a (2r + 1)² window, counting only pixels inside the image at the borders.
private func boxMean(_ x: Tensor, radius: Int) throws -> Tensor {
    let k = 2 * radius + 1
    return try avgPool2d(x, kernel: [k, k], stride: [1, 1], padding: [radius, radius], countIncludePad: false)
}

