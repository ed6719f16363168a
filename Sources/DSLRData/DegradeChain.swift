import DSLRMetrics
import DSLRTensor
import Foundation

// The "high-order" degradation model (after Real-ESRGAN's idea): each photo gets a random
// chain of several degradations in random order, so a network meets the combinations real
// phones produce (an exposure error, then HDR-style tone mapping, then noise that noise
// reduction smears, then over-sharpening, then JPEG twice, ...) rather than one fixed
// pipeline. A share of photos is left as it is, so that a good photo maps to itself.

/// One degradation of a chain, with its drawn values. Steps work on [N, 3, H, W] sRGB in
/// [0, 1] and return the same; those that model light convert to linear light inside.
public enum DegradationStep: Sendable, Codable, Equatable {
    /// Exposure error in stops, highlights clipped (over-exposure) or crushed (under).
    case exposure(stops: Double)
    /// A colour cast: per-channel gains in linear light.
    case colourCast(gains: [Double])
    /// A global tone curve (`compressTones`) of this strength.
    case toneCompression(strength: Double)
    /// HDR-style local tone mapping: the log-luminance base layer (Gaussian of σ pixels)
    /// loses `strength` of its contrast while the detail above it is kept.
    case localToneMapping(strength: Double, sigma: Double)
    /// Saturation factor (1 keeps the colours).
    case saturation(factor: Double)
    /// Sensor noise (Poisson-Gaussian, linear light) plus low-frequency chroma noise.
    case noise(shot: Double, read: Double, chroma: Double, key: UInt64)
    /// Noise reduction's smear: a blend towards a Gaussian blur of σ pixels.
    case smear(sigma: Double, strength: Double)
    /// Over-sharpening: unsharp mask with halos.
    case sharpen(sigma: Double, amount: Double)
    /// Lens or motion softness: Gaussian blur.
    case blur(sigma: Double)
    /// Down- then up-sampling by `scale` (a digital zoom or a small sensor's resampling).
    case resample(scale: Double)
    /// JPEG compression at `quality`.
    case jpeg(quality: Int)
}

/// The ranges a chain's steps are drawn from. Every value of photo `index` comes from a
/// generator keyed on (seed, index), so the chain of a photo never depends on the others.
/// The defaults lean the way phones err: darker rather than brighter, and more saturated
/// (DPED's iPhone photos are darker and more colourful than the Canon's of the same
/// scenes). With ranges symmetric about the truth, a photo rarely shows which way it was
/// changed, and a first run of dslrkit-global on them learnt nothing but the identity.
/// Exposure is not one of the shuffled steps but leads most chains, as it does in a
/// camera: when it was drawn as often as the others, a whole-photo model learnt to
/// brighten too little to help real phone photos (DPED 18.2–18.3 dB against 19.3–19.8).
public struct DegradationChainConfig: Sendable, Codable, Equatable {
    public var seed: UInt64
    /// Share of photos left untouched (their input is their target).
    public var identityShare: Double
    /// Share of degraded photos whose chain starts with an exposure error.
    public var exposureShare: Double
    /// How many of the optional steps a chain draws.
    public var steps: ClosedRange<Int>
    public var exposure: ClosedRange<Double>
    public var colourCast: ClosedRange<Double>
    public var toneCompression: ClosedRange<Double>
    public var localToneMapping: ClosedRange<Double>
    public var saturation: ClosedRange<Double>
    public var shotNoise: ClosedRange<Double>
    public var readNoise: ClosedRange<Double>
    public var chromaNoise: ClosedRange<Double>
    public var smear: ClosedRange<Double>
    public var sharpen: ClosedRange<Double>
    public var blur: ClosedRange<Double>
    public var resample: ClosedRange<Double>
    /// Quality of the final JPEG, which every degraded photo gets (and an optional earlier one).
    public var jpegQuality: ClosedRange<Double>

    public init(
        seed: UInt64 = 0, identityShare: Double = 0.25, exposureShare: Double = 0.85, steps: ClosedRange<Int> = 2...6,
        exposure: ClosedRange<Double> = -2...0.5, colourCast: ClosedRange<Double> = -0.3...0.3,
        toneCompression: ClosedRange<Double> = 0.2...2.0, localToneMapping: ClosedRange<Double> = 0.2...0.7,
        saturation: ClosedRange<Double> = 0.8...1.5, shotNoise: ClosedRange<Double> = 0.0005...0.01,
        readNoise: ClosedRange<Double> = 0.001...0.01, chromaNoise: ClosedRange<Double> = 0.0...0.03,
        smear: ClosedRange<Double> = 0.8...2.0, sharpen: ClosedRange<Double> = 0.5...2.0, blur: ClosedRange<Double> = 0.5...1.6,
        resample: ClosedRange<Double> = 0.4...0.85, jpegQuality: ClosedRange<Double> = 55...92
    ) {
        self.seed = seed; self.identityShare = identityShare; self.exposureShare = exposureShare; self.steps = steps
        self.exposure = exposure; self.colourCast = colourCast; self.toneCompression = toneCompression
        self.localToneMapping = localToneMapping; self.saturation = saturation; self.shotNoise = shotNoise
        self.readNoise = readNoise; self.chromaNoise = chromaNoise; self.smear = smear; self.sharpen = sharpen
        self.blur = blur; self.resample = resample; self.jpegQuality = jpegQuality
    }

    /// The chain of photo `index`: empty for the untouched share; otherwise, usually, an
    /// exposure error, then a random subset of the other steps in random order (noise, when
    /// drawn, is usually followed by the smear of noise reduction), then a final JPEG.
    public func chain(index: Int) -> [DegradationStep] {
        var rng = SplitMix64(key: seed, UInt64(index), 0xC4A1)
        if rng.uniform(0...1) < identityShare { return [] }
        let exposed = rng.uniform(0...1) < exposureShare
        let stops = rng.uniform(exposure)
        var candidates: [DegradationStep] = [
            .colourCast(gains: [pow(2, rng.uniform(colourCast)), 1, pow(2, rng.uniform(colourCast))]),
            .toneCompression(strength: rng.uniform(toneCompression)),
            .localToneMapping(strength: rng.uniform(localToneMapping), sigma: rng.uniform(8...32)),
            .saturation(factor: rng.uniform(saturation)),
            .noise(shot: rng.uniform(shotNoise), read: rng.uniform(readNoise), chroma: rng.uniform(chromaNoise), key: rng.next()),
            .sharpen(sigma: rng.uniform(0.8...2.0), amount: rng.uniform(sharpen)),
            .blur(sigma: rng.uniform(blur)),
            .resample(scale: rng.uniform(resample)),
            .jpeg(quality: Int(rng.uniform(jpegQuality).rounded())),
        ]
        candidates.shuffle(using: &rng)
        let count = Int(rng.uniform(Double(steps.lowerBound)...Double(steps.upperBound) + 0.999))
        var chain: [DegradationStep] = exposed ? [.exposure(stops: stops)] : []
        for step in candidates.prefix(min(count, candidates.count)) {
            chain.append(step)
            // Phones denoise what their sensors add; the smear is what is left of fine texture.
            if case .noise = step, rng.uniform(0...1) < 0.7 {
                chain.append(.smear(sigma: rng.uniform(smear), strength: rng.uniform(0.4...0.9)))
            }
        }
        chain.append(.jpeg(quality: Int(rng.uniform(jpegQuality).rounded())))
        return chain
    }
}

/// `image` ([3, H, W] or [N, 3, H, W], sRGB in [0, 1]) through `steps` in order.
public func degrade(_ image: Tensor, chain steps: [DegradationStep]) throws -> Tensor {
    let batched = image.rank == 4
    guard (image.rank == 3 || batched), image.shape[image.rank - 3] == 3 else {
        throw DataError("degrade: expected [3, H, W] or [N, 3, H, W], got \(image.shape)")
    }
    var x = try (batched ? image : image.unsqueeze(0)).to(.float32)
    for step in steps { x = try apply(step, to: x).clamp(min: 0, max: 1) }
    return batched ? x : try x.squeeze(0)
}

/// One step on [N, 3, H, W] sRGB.
func apply(_ step: DegradationStep, to x: Tensor) throws -> Tensor {
    func inLinearLight(_ f: (Tensor) throws -> Tensor) throws -> Tensor {
        try linearToSrgb(f(srgbToLinear(x)).clamp(min: 0, max: 1))
    }
    switch step {
    case .exposure(let stops):
        return try inLinearLight { try adjustExposure($0, stops: stops) }
    case .colourCast(let gains):
        return try inLinearLight { try whiteBalanceError($0, gains: gains) }
    case .toneCompression(let strength):
        return try inLinearLight { try compressTones($0, strength: strength) }
    case .localToneMapping(let strength, let sigma):
        return try inLinearLight { try localToneMap($0, strength: strength, sigma: sigma) }
    case .saturation(let factor):
        return try inLinearLight { try desaturate($0, factor: factor) }
    case .noise(let shot, let read, let chroma, let key):
        let noisy = try inLinearLight { try poissonGaussianNoise($0, shot: shot, read: read, key: key) }
        return try chromaNoise(noisy, amount: chroma, key: key &+ 1)
    case .smear(let sigma, let strength):
        return try x.lerp(gaussianBlur(x, sigma: sigma, truncate: 3, border: .mirror), strength)
    case .sharpen(let sigma, let amount):
        return try x + (x - gaussianBlur(x, sigma: sigma, truncate: 3, border: .mirror)) * amount
    case .blur(let sigma):
        return try gaussianBlur(x, sigma: sigma, truncate: 3, border: .mirror)
    case .resample(let scale):
        let (h, w) = (x.shape[2], x.shape[3])
        let small = [max(8, Int(Double(h) * scale)), max(8, Int(Double(w) * scale))]
        let down = try interpolate(x, size: small, mode: .bilinear(alignCorners: false))
        return try interpolate(down, size: [h, w], mode: .bicubic(alignCorners: false))
    case .jpeg(let quality):
        return try stack(x.split(1, dim: 0).map { try jpegRoundTrip($0.squeeze(0).clamp(min: 0, max: 1), quality: quality) })
    }
}

/// HDR-style local tone mapping in linear light: in log luminance, the base layer (a
/// Gaussian of σ pixels) keeps 1 − strength of its contrast around its mean while the
/// detail above it is kept, and each pixel's colour is scaled by the luminance change.
public func localToneMap(_ x: Tensor, strength: Double, sigma: Double) throws -> Tensor {
    let luminance = try linearLuminance(x).clamp(min: 1e-4)
    let logY = try luminance.log()
    let radius = Int(3 * sigma + 0.5)
    let s = radius < min(x.shape[2], x.shape[3]) ? sigma : Double(min(x.shape[2], x.shape[3]) - 1) / 3
    let base = try gaussianBlur(logY, sigma: s, truncate: 3, border: .mirror)
    let mean = try base.mean(dims: [2, 3], keepDim: true)
    let newBase = try mean + (base - mean) * (1 - strength)
    return try x * (newBase - base).exp()
}

/// Low-frequency colour noise (the blotches of a small sensor's chroma noise): a Gaussian
/// field blurred over a few pixels, added to the colour differences only.
public func chromaNoise(_ x: Tensor, amount: Double, key: UInt64) throws -> Tensor {
    if amount == 0 { return x }
    let field = try CounterNoise.normal([x.shape[0], 3, x.shape[2], x.shape[3]], key: key, device: x.device).to(x.dtype)
    let smooth = try gaussianBlur(field, sigma: 2, truncate: 3, border: .mirror) * (amount * 4)
    // Remove the field's luminance so only colour changes.
    let weights = try Tensor([Float(0.299), 0.587, 0.114], shape: [1, 3, 1, 1]).to(x.device, x.dtype)
    let luma = try (smooth * weights).sum(dims: [1], keepDim: true)
    return try x + smooth - luma
}
