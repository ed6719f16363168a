import DSLRMetrics
import DSLRTensor
import Foundation

/// Rec. 709 / sRGB luminance weights of linear R, G, B.
private let luminanceWeights = [0.2126, 0.7152, 0.0722]

/// Automatic white balance of encoded sRGB NCHW images (N × 3 × H × W in [0, 1]): per image,
/// gains estimated and applied in linear light (see `whiteBalanceGains`), re-encoded, clipped.
public func autoWhiteBalance(_ image: Tensor, _ settings: ClassicConfig.WhiteBalance) throws -> Tensor {
    let gains = try whiteBalanceGains(image, settings)
    let linear = try srgbToLinear(image.clamp(min: 0, max: 1))
    return try linearToSrgb((linear * gains.to(image.device, image.dtype)).clamp(min: 0, max: 1))
}

/// Per-image, per-channel linear-light gains [N, 3, 1, 1] (float64, CPU) that neutralise the
/// colour cast of `image` (encoded sRGB, NCHW, 3 channels).
///
/// Only pixels with no channel above `clippedAbove` and luma at least `darkBelow` are measured
/// (clipped pixels no longer carry their colour; near-black ones are mostly noise). Gray world
/// maps the mean colour to grey of the same luminance; white patch maps each channel's
/// `whitePercentile` to a common white. The gains are clamped to [1 / maxGain, maxGain],
/// raised to `strength`, and scaled so that the mean luminance of the measured pixels is
/// unchanged. An image with too few usable pixels (under 0.1 %) keeps gains of 1.
public func whiteBalanceGains(_ image: Tensor, _ settings: ClassicConfig.WhiteBalance) throws -> Tensor {
    let shape = image.shape
    guard shape.count == 4, shape[1] == 3 else {
        throw TorchError("whiteBalanceGains: expected an NCHW tensor with 3 channels, got shape \(shape)")
    }
    guard settings.maxGain >= 1, (0...100).contains(settings.whitePercentile) else {
        throw TorchError("whiteBalanceGains: need maxGain >= 1 and whitePercentile in 0...100, got \(settings)")
    }
    var gains: [Double] = []
    for n in 0..<shape[0] {
        let encoded = try image.narrow(0, start: n, length: 1).clamp(min: 0, max: 1)
        gains += try imageGains(encoded, settings)
    }
    return try Tensor(gains, shape: [shape[0], 3, 1, 1])
}

private func imageGains(_ encoded: Tensor, _ settings: ClassicConfig.WhiteBalance) throws -> [Double] {
    let usable = try encoded.amax(dims: [1], keepDim: true).le(settings.clippedAbove)
        * luma(encoded).ge(settings.darkBelow)
    let count = try usable.to(.float64).sum().item()
    guard count >= Swift.max(1, 0.001 * Double(usable.count)) else { return [1, 1, 1] }
    let linear = try srgbToLinear(encoded).to(.float64)
    let weight = try usable.to(.float64)
    let means = try ((linear * weight).sum(dims: [0, 2, 3]) / count).toArray(Double.self)
    let meanLuminance = zip(luminanceWeights, means).map { $0 * $1 }.reduce(0, +)
    guard means.allSatisfy({ $0 > 0 }) else { return [1, 1, 1] }

    let grayWorld = means.map { meanLuminance / $0 }
    var estimate = grayWorld
    if settings.method != .grayWorld {
        var whites: [Double] = []
        for c in 0..<3 {
            let channel = try linear.narrow(1, start: c, length: 1)
            guard let p = try percentiles(channel, where: usable, [settings.whitePercentile]), p[0] > 0 else {
                return [1, 1, 1]
            }
            whites.append(p[0])
        }
        let white = zip(luminanceWeights, whites).map { $0 * $1 }.reduce(0, +)
        let whitePatch = whites.map { white / $0 }
        estimate = settings.method == .whitePatch ? whitePatch : zip(grayWorld, whitePatch).map { ($0 * $1).squareRoot() }
    }
    let limited = estimate.map { pow(Swift.min(Swift.max($0, 1 / settings.maxGain), settings.maxGain), settings.strength) }
    // Keep the exposure: white balance changes colour, auto levels changes brightness.
    let balancedLuminance = zip(zip(luminanceWeights, limited), means).map { $0.0 * $0.1 * $1 }.reduce(0, +)
    let scale = meanLuminance / balancedLuminance
    return limited.map { $0 * scale }
}
