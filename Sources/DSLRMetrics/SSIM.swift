import Foundation
import DSLRTensor

// Structural similarity exactly as skimage.metrics.structural_similarity computes it with
// gaussian_weights=True, sigma=1.5, use_sample_covariance=False (the Wang et al. 2004 setting
// that image-restoration papers quote), built from engine ops so that 1 - ssim is a loss.

/// Constants of Wang et al. (2004), as skimage uses them.
private let k1 = 0.01
private let k2 = 0.03
private let sigma = 1.5
/// scipy.ndimage's kernel radius for this sigma is int(truncate·sigma + 0.5) with skimage's
/// truncate of 3.5, i.e. 5 and an 11-tap window; skimage crops the same 5 pixels afterwards.
private let truncate = 3.5
private let radius = Int(truncate * sigma + 0.5)
private let windowSize = 2 * radius + 1

/// The 1-D Gaussian taps of scipy.ndimage.gaussian_filter1d: sampled at integer offsets and
/// normalised to sum to 1 (not the continuous density), which is what makes the numbers match.
private let gaussianTaps: [Double] = {
    let raw = (-radius...radius).map { Foundation.exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
    let total = raw.reduce(0, +)
    return raw.map { $0 / total }
}()

/// Extends the last two dims by `pad` with scipy's 'reflect' mode (d c b a | a b c d, the edge
/// sample repeated). torch's own reflect pad omits the edge sample (scipy's 'mirror'). With the
/// crop equal to the kernel radius, the cropped mean never reads padded samples, so only the
/// uncropped border of the map depends on this choice; it is kept faithful so the intermediate
/// map equals skimage's (`full=True`) everywhere.
private func symmetricPad(_ x: Tensor, _ pad: Int) throws -> Tensor {
    var out = x
    for dim in [2, 3] {
        let size = out.shape[dim]
        let head = try out.narrow(dim, start: 0, length: pad).flip([dim])
        let tail = try out.narrow(dim, start: size - pad, length: pad).flip([dim])
        out = try cat([head, out, tail], dim: dim)
    }
    return out
}

/// scipy.ndimage.gaussian_filter(mode='reflect') of every channel on its own: a separable pair
/// of depthwise convolutions over an explicitly padded tensor, so the output keeps H×W.
private func gaussianFilter(_ x: Tensor) throws -> Tensor {
    let channels = x.shape[1]
    let taps = try Tensor(gaussianTaps).to(x.device, x.dtype)
    let vertical = try taps.reshape([1, 1, windowSize, 1]).expand([channels, 1, windowSize, 1]).contiguous()
    let horizontal = try taps.reshape([1, 1, 1, windowSize]).expand([channels, 1, 1, windowSize]).contiguous()
    let padded = try symmetricPad(x, radius)
    return try conv2d(conv2d(padded, weight: vertical, groups: channels), weight: horizontal, groups: channels)
}

/// Brings HW and CHW inputs to NCHW, treating them as a single image.
private func asBatch(_ x: Tensor, _ function: String) throws -> Tensor {
    switch x.rank {
    case 4: return x
    case 3: return try x.unsqueeze(0)
    case 2: return try x.unsqueeze(0).unsqueeze(0)
    default: throw TorchError("\(function): expected an HW, CHW or NCHW tensor, got shape \(x.shape)")
    }
}

/// Mean SSIM of each image, like calling
/// `skimage.metrics.structural_similarity(a[i], b[i], gaussian_weights=True, sigma=1.5,
/// use_sample_covariance=False, data_range=dataRange, channel_axis=0)` for every batch element:
/// the SSIM map of each channel is averaged after cropping a 5-pixel border, and channels are
/// averaged with equal weight.
///
/// The result keeps the autograd graph and the input's dtype.
///
/// - Parameters:
///   - a: Images, NCHW (a CHW or HW tensor is treated as one image). H and W must be at least 11,
///     the window size, as skimage requires.
///   - b: Images of the same shape as `a`.
///   - dataRange: The span of valid values (1 for images in [0, 1]); it sets the stabilising
///     constants C1 = (0.01·R)² and C2 = (0.03·R)².
/// - Returns: A tensor of shape [N].
public func ssimPerImage(_ a: Tensor, _ b: Tensor, dataRange: Double = 1) throws -> Tensor {
    try requireSameShape(a, b, "ssimPerImage")
    let x = try asBatch(a, "ssimPerImage")
    let y = try asBatch(b, "ssimPerImage")
    let (height, width) = (x.shape[2], x.shape[3])
    guard height >= windowSize, width >= windowSize else {
        throw TorchError("ssimPerImage: images must be at least \(windowSize)x\(windowSize), got \(height)x\(width)")
    }
    let c1 = (k1 * dataRange) * (k1 * dataRange)
    let c2 = (k2 * dataRange) * (k2 * dataRange)

    // One filtering pass over all five statistics at once: they are stacked on the channel dim.
    let channels = x.shape[1]
    let moments = try gaussianFilter(cat([x, y, x * x, y * y, x * y], dim: 1))
    let parts = try moments.split(channels, dim: 1)
    let (ux, uy, uxx, uyy, uxy) = (parts[0], parts[1], parts[2], parts[3], parts[4])
    // Population (biased) covariances, as use_sample_covariance=False asks.
    let vx = try uxx - ux * ux
    let vy = try uyy - uy * uy
    let vxy = try uxy - ux * uy

    let a1 = try ux * uy * 2 + c1
    let a2 = try vxy * 2 + c2
    let b1 = try ux * ux + uy * uy + c1
    let b2 = try vx + vy + c2
    let map = try (a1 * a2) / (b1 * b2)

    let cropped = try map
        .narrow(2, start: radius, length: height - 2 * radius)
        .narrow(3, start: radius, length: width - 2 * radius)
    return try cropped.mean(dims: [1, 2, 3])
}

/// Mean SSIM over a batch (the average of `ssimPerImage`), as a 0-dim tensor that keeps the
/// autograd graph, so `1 - ssim(output, target)` can be minimised directly.
///
/// For a single image this equals `skimage.metrics.structural_similarity` with
/// `gaussian_weights=True, sigma=1.5, use_sample_covariance=False` (see `ssimPerImage`).
///
/// - Parameters:
///   - a: Images, NCHW (a CHW or HW tensor is treated as one image), H and W at least 11.
///   - b: Images of the same shape as `a`.
///   - dataRange: The span of valid values (1 for images in [0, 1]).
public func ssim(_ a: Tensor, _ b: Tensor, dataRange: Double = 1) throws -> Tensor {
    try ssimPerImage(a, b, dataRange: dataRange).mean()
}
