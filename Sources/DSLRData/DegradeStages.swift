import DSLRTensor
import Foundation

// The stages of the phone-sensor degradation model, each a plain function of an NCHW
// float tensor in linear light (except where noted), so that each can be tested alone.

/// Scales scene brightness by 2^stops (an exposure error).
public func adjustExposure(_ x: Tensor, stops: Double) throws -> Tensor {
    try x * pow(2, stops)
}

/// A concave global tone curve y = (1 + s)·x / (1 + s·x): fixes 0 and 1, lifts shadows and
/// compresses highlights as a phone's aggressive tone mapping does; s = 0 is the identity.
public func compressTones(_ x: Tensor, strength s: Double) throws -> Tensor {
    if s == 0 { return x }
    return try (x * (1 + s)) / (x * s + 1)
}

/// Multiplies each channel by its gain (a white-balance error).
public func whiteBalanceError(_ x: Tensor, gains: [Double]) throws -> Tensor {
    guard x.rank == 4, x.shape[1] == gains.count else {
        throw DataError("whiteBalanceError: expected [N, \(gains.count), H, W], got \(x.shape)")
    }
    return try x * Tensor(gains.map(Float.init), shape: [1, gains.count, 1, 1]).to(x.device, x.dtype)
}

/// The luminance of linear-light RGB [N, 3, H, W] (Rec. 709 weights), [N, 1, H, W].
func linearLuminance(_ x: Tensor) throws -> Tensor {
    let weights = try Tensor([Float(0.2126), 0.7152, 0.0722], shape: [1, 3, 1, 1]).to(x.device, x.dtype)
    return try (x * weights).sum(dims: [1], keepDim: true)
}

/// Moves each pixel towards its luminance (Rec. 709 weights, linear light): factor 1 keeps
/// the colours, 0 gives grey.
public func desaturate(_ x: Tensor, factor: Double) throws -> Tensor {
    let luminance = try linearLuminance(x)
    return try luminance + (x - luminance) * factor
}

/// Poisson-Gaussian sensor noise in its heteroscedastic Gaussian form (Foi et al. 2008):
/// y = x + sqrt(a·x + b²)·n with n standard normal, so Var[y | x] = a·x + b², where `a` is
/// the shot-noise gain (signal units per photo-electron) and `b` the read-noise deviation.
/// The noise field depends only on `key`.
public func poissonGaussianNoise(_ x: Tensor, shot a: Double, read b: Double, key: UInt64) throws -> Tensor {
    if a == 0 && b == 0 { return x }
    let deviation = try (x.clamp(min: 0) * a + b * b).sqrt()
    let noise = try CounterNoise.normal(x.shape, key: key, device: x.device).to(x.dtype)
    return try x + deviation * noise
}

/// The RGGB Bayer colour filter array: R at (0, 0), G at (0, 1) and (1, 0), B at (1, 1) of
/// every 2×2 cell. Masks [1, 3, H, W].
func bayerMasks(height: Int, width: Int, like x: Tensor) throws -> Tensor {
    // One 2×2 cell per channel, tiled over the image.
    let cell: [Float] = [1, 0, 0, 0, /* G */ 0, 1, 1, 0, /* B */ 0, 0, 0, 1]
    let tiles = try Tensor(cell, shape: [1, 3, 2, 2])
        .repeated([1, 1, (height + 1) / 2, (width + 1) / 2])
        .narrow(2, start: 0, length: height).narrow(3, start: 0, length: width)
    return try tiles.to(x.device, x.dtype)
}

/// Samples an RGB image through an RGGB filter array: [N, 3, H, W] → [N, 1, H, W].
public func mosaicRGGB(_ x: Tensor) throws -> Tensor {
    try (x * bayerMasks(height: x.shape[2], width: x.shape[3], like: x)).sum(dims: [1], keepDim: true)
}

/// Bilinear demosaicing of an RGGB mosaic, [N, 1, H, W] → [N, 3, H, W]: each missing sample
/// is the mean of its nearest same-colour neighbours. Simple on purpose: it leaves the
/// zipper edges and false colours of a cheap camera pipeline. Mirror padding keeps the
/// colour phase at the borders, so a flat colour comes back exactly.
public func demosaicBilinear(_ mosaic: Tensor) throws -> Tensor {
    let (h, w) = (mosaic.shape[2], mosaic.shape[3])
    guard h >= 2, w >= 2 else { throw DataError("demosaicBilinear: mosaic \(mosaic.shape) is smaller than 2×2") }
    let sparse = try mosaic * bayerMasks(height: h, width: w, like: mosaic)
    let redBlue: [Float] = [0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25]
    let green: [Float] = [0, 0.25, 0, 0.25, 1, 0.25, 0, 0.25, 0]
    let kernels = try Tensor(redBlue + green + redBlue, shape: [3, 1, 3, 3]).to(mosaic.device, mosaic.dtype)
    return try conv2d(sparse.pad([1, 1, 1, 1], mode: .reflect), weight: kernels, groups: 3)
}

/// Gaussian lens blur of standard deviation `sigma` pixels: taps out to 3σ (scipy's
/// radius for truncate = 3), normalised so flat regions keep their value, mirror borders.
public func lensBlur(_ x: Tensor, sigma: Double) throws -> Tensor {
    if sigma <= 0 { return x }
    let radius = Int(3 * sigma + 0.5)
    guard radius < x.shape[2], radius < x.shape[3] else {
        throw DataError("lensBlur: σ = \(sigma) needs an image larger than \(radius) pixels")
    }
    return try gaussianBlur(x, sigma: sigma, truncate: 3, border: .mirror)
}

/// Radial light fall-off: gain 1 − strength·r², with r the distance from the centre over
/// the centre-to-corner distance, so the corners get exactly 1 − strength.
public func vignette(_ x: Tensor, strength: Double) throws -> Tensor {
    if strength == 0 { return x }
    let (h, w) = (x.shape[2], x.shape[3])
    let ys = try Tensor.linspace(-1, 1, count: h, dtype: x.dtype, device: x.device).reshape([1, 1, h, 1])
    let xs = try Tensor.linspace(-1, 1, count: w, dtype: x.dtype, device: x.device).reshape([1, 1, 1, w])
    // Normalised so the corner (±1 in both, scaled by the aspect) is at r = 1.
    let (ah, aw) = (Double(h) / Double(max(h, w)), Double(w) / Double(max(h, w)))
    let r2 = try ((ys * ah).square() + (xs * aw).square()) / (ah * ah + aw * aw)
    return try x * (1 - r2 * strength)
}
