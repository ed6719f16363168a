import DSLRTensor

// Colour-space conversions that reproduce skimage.color (rgb2xyz, xyz2rgb, rgb2lab, lab2rgb)
// on NCHW tensors, so that metrics and losses computed here agree with the Python reference
// numbers the papers report. Every piecewise function evaluates its power branch on an input
// clamped to that branch's domain: `where` back-propagates into both branches, and a NaN from
// the branch that was not selected would otherwise poison the gradient.

/// The sRGB transfer-function break points of IEC 61966-2-1, on the encoded and linear side.
private let srgbEncodedThreshold = 0.04045
private let srgbLinearThreshold = 0.0031308

/// skimage.color's `xyz_from_rgb` (sRGB primaries, D65), row-major: XYZ = M · linear RGB.
private let xyzFromRGB: [Double] = [
    0.412453, 0.357580, 0.180423,
    0.212671, 0.715160, 0.072169,
    0.019334, 0.119193, 0.950227,
]

/// skimage computes `rgb_from_xyz` as the numerical inverse of `xyz_from_rgb` rather than
/// using a rounded published matrix, so the inverse is taken here too to agree to the last bits.
private let rgbFromXYZ: [Double] = invert3x3(xyzFromRGB)

/// The CIE 1931 2° D65 white point skimage uses by default for Lab.
private let d65White: [Double] = [0.95047, 1.0, 1.08883]

/// CIE Lab's constants as skimage writes them (rounded forms of (6/29)^3 and 1/(3·(6/29)^2)),
/// kept rounded so values agree with skimage rather than with the exact CIE definition.
private let labEpsilon = 0.008856
private let labKappa = 7.787
private let labOffset = 16.0 / 116.0
/// The point where lab2xyz switches from the linear to the cubic branch, as in skimage.
private let labInverseThreshold = 0.2068966

private func invert3x3(_ m: [Double]) -> [Double] {
    let (a, b, c, d, e, f, g, h, i) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8])
    let c00 = e * i - f * h, c01 = -(d * i - f * g), c02 = d * h - e * g
    let c10 = -(b * i - c * h), c11 = a * i - c * g, c12 = -(a * h - b * g)
    let c20 = b * f - c * e, c21 = -(a * f - c * d), c22 = a * e - b * d
    let det = a * c00 + b * c01 + c * c02
    return [c00, c10, c20, c01, c11, c21, c02, c12, c22].map { $0 / det }
}

/// Checks for the NCHW, three-channel layout all conversions here assume.
private func requireThreeChannels(_ x: Tensor, _ function: String) throws {
    let shape = x.shape
    guard shape.count == 4, shape[1] == 3 else {
        throw TorchError("\(function): expected an NCHW tensor with 3 channels, got shape \(shape)")
    }
}

/// Applies a 3×3 colour matrix (row-major) to the channel dim of NCHW as a 1×1 convolution,
/// which keeps the input's dtype and device and is differentiable without reshaping to
/// pixels-by-channels.
public func applyMatrix(_ matrix: [Double], to x: Tensor) throws -> Tensor {
    let weight = try Tensor(matrix, shape: [3, 3, 1, 1]).to(x.device, x.dtype)
    return try conv2d(x, weight: weight)
}

/// A per-channel constant shaped to broadcast over NCHW.
private func channelConstant(_ values: [Double], like x: Tensor) throws -> Tensor {
    try Tensor(values, shape: [1, values.count, 1, 1]).to(x.device, x.dtype)
}

/// Decodes gamma-encoded sRGB values to linear light (IEC 61966-2-1), elementwise.
///
/// Works on any shape. The curve's linear toe is used at and below 0.04045, as skimage does.
public func srgbToLinear(_ x: Tensor) throws -> Tensor {
    let curve = try ((x.clamp(min: srgbEncodedThreshold) + 0.055) / 1.055).pow(2.4)
    let toe = try x / 12.92
    return try `where`(x.gt(srgbEncodedThreshold), curve, toe)
}

/// Encodes linear-light values as sRGB (IEC 61966-2-1), elementwise; the inverse of
/// `srgbToLinear`. Works on any shape; does not clip.
public func linearToSrgb(_ x: Tensor) throws -> Tensor {
    let curve = try x.clamp(min: srgbLinearThreshold).pow(1 / 2.4) * 1.055 - 0.055
    let toe = try x * 12.92
    return try `where`(x.gt(srgbLinearThreshold), curve, toe)
}

/// Converts gamma-encoded sRGB to CIE XYZ (D65) like `skimage.color.rgb2xyz`: linearise, then
/// apply skimage's `xyz_from_rgb` matrix.
///
/// - Parameter rgb: NCHW with 3 channels (channel dim 1 only; CHW and HWC are rejected so that a
///   channel dim is never guessed).
public func rgbToXYZ(_ rgb: Tensor) throws -> Tensor {
    try requireThreeChannels(rgb, "rgbToXYZ")
    return try applyMatrix(xyzFromRGB, to: srgbToLinear(rgb))
}

/// Converts CIE XYZ (D65) to gamma-encoded sRGB like `skimage.color.xyz2rgb`, including its
/// final clip to [0, 1] (so out-of-gamut colours saturate, and their gradient is zero).
///
/// - Parameter xyz: NCHW with 3 channels.
public func xyzToRGB(_ xyz: Tensor) throws -> Tensor {
    try requireThreeChannels(xyz, "xyzToRGB")
    return try linearToSrgb(applyMatrix(rgbFromXYZ, to: xyz)).clamp(min: 0, max: 1)
}

/// Converts CIE XYZ to CIE Lab like `skimage.color.xyz2lab` with illuminant D65 and the 2°
/// observer: L in [0, 100], a and b roughly in [-128, 127].
///
/// - Parameter xyz: NCHW with 3 channels.
public func xyzToLab(_ xyz: Tensor) throws -> Tensor {
    try requireThreeChannels(xyz, "xyzToLab")
    let t = try xyz / channelConstant(d65White, like: xyz)
    let cube = try t.clamp(min: labEpsilon).pow(1.0 / 3.0)
    let linear = try t * labKappa + labOffset
    let f = try `where`(t.gt(labEpsilon), cube, linear)
    let fx = try f.narrow(1, start: 0, length: 1)
    let fy = try f.narrow(1, start: 1, length: 1)
    let fz = try f.narrow(1, start: 2, length: 1)
    let l = try fy * 116 - 16
    let a = try (fx - fy) * 500
    let b = try (fy - fz) * 200
    return try cat([l, a, b], dim: 1)
}

/// Converts CIE Lab to CIE XYZ like `skimage.color.lab2xyz` (D65, 2° observer). As in skimage,
/// a colour whose z component would be negative has it set to 0 (skimage also warns; this
/// does not).
///
/// - Parameter lab: NCHW with 3 channels (L, a, b).
public func labToXYZ(_ lab: Tensor) throws -> Tensor {
    try requireThreeChannels(lab, "labToXYZ")
    let l = try lab.narrow(1, start: 0, length: 1)
    let a = try lab.narrow(1, start: 1, length: 1)
    let b = try lab.narrow(1, start: 2, length: 1)
    let fy = try (l + 16) / 116
    let fx = try a / 500 + fy
    let fz = try (fy - b / 200).clamp(min: 0)
    let f = try cat([fx, fy, fz], dim: 1)
    let cube = try f.clamp(min: labInverseThreshold).pow(3)
    let linear = try (f - labOffset) / labKappa
    let t = try `where`(f.gt(labInverseThreshold), cube, linear)
    return try t * channelConstant(d65White, like: lab)
}

/// Converts gamma-encoded sRGB in [0, 1] to CIE Lab like `skimage.color.rgb2lab` with its
/// defaults (illuminant D65, 2° observer).
///
/// - Parameter rgb: NCHW with 3 channels.
public func rgbToLab(_ rgb: Tensor) throws -> Tensor {
    try xyzToLab(rgbToXYZ(rgb))
}

/// Converts CIE Lab to gamma-encoded sRGB like `skimage.color.lab2rgb` with its defaults,
/// clipped to [0, 1].
///
/// - Parameter lab: NCHW with 3 channels.
public func labToRGB(_ lab: Tensor) throws -> Tensor {
    try xyzToRGB(labToXYZ(lab))
}

/// Luma of gamma-encoded RGB with TensorFlow's `rgb_to_grayscale` weights
/// (0.2989, 0.5870, 0.1140), the convention under which the reference implementations report
/// grayscale metrics.
///
/// - Parameter rgb: NCHW with 3 channels.
/// - Returns: NCHW with a single channel, so the result feeds straight into `ssim` or `psnr`.
public func grayscale(_ rgb: Tensor) throws -> Tensor {
    try requireThreeChannels(rgb, "grayscale")
    let weight = try Tensor([0.2989, 0.5870, 0.1140], shape: [1, 3, 1, 1]).to(rgb.device, rgb.dtype)
    return try conv2d(rgb, weight: weight)
}
