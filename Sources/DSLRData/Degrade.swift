import DSLRMetrics
import DSLRPhoto
import DSLRTensor
import Foundation

/// The ranges of the phone-camera degradation model. Every value of one photo is drawn
/// uniformly from its range by a generator keyed on (seed, photo index), so a photo's
/// degradation never depends on the others or on thread timing. A range of one value
/// (`0...0`, `1...1`) fixes that part; the neutral value switches it off.
public struct DegradationConfig: Sendable, Codable, Equatable {
    public var seed: UInt64
    /// Exposure error in stops (neutral 0).
    public var exposure: ClosedRange<Double>
    /// Tone-curve compression strength s of `compressTones` (neutral 0).
    public var toneCompression: ClosedRange<Double>
    /// White-balance error of the red and blue channels in stops, each drawn separately
    /// (neutral 0).
    public var whiteBalance: ClosedRange<Double>
    /// Saturation factor (neutral 1).
    public var saturation: ClosedRange<Double>
    /// Shot-noise gain a of `poissonGaussianNoise` (neutral 0).
    public var shotNoise: ClosedRange<Double>
    /// Read-noise standard deviation b (neutral 0).
    public var readNoise: ClosedRange<Double>
    /// Sample through an RGGB mosaic and demosaic bilinearly.
    public var mosaic: Bool
    /// Lens blur σ in pixels (neutral 0).
    public var blurSigma: ClosedRange<Double>
    /// Corner darkening as a fraction (neutral 0).
    public var vignetting: ClosedRange<Double>
    /// JPEG re-compression quality (1...100); nil skips the JPEG round trip.
    public var jpegQuality: ClosedRange<Double>?

    public init(
        seed: UInt64 = 0, exposure: ClosedRange<Double> = -0.5...0.2, toneCompression: ClosedRange<Double> = 0.1...1.0,
        whiteBalance: ClosedRange<Double> = -0.15...0.15, saturation: ClosedRange<Double> = 0.65...0.9,
        shotNoise: ClosedRange<Double> = 0.0005...0.004, readNoise: ClosedRange<Double> = 0.001...0.005,
        mosaic: Bool = true, blurSigma: ClosedRange<Double> = 0.4...1.1, vignetting: ClosedRange<Double> = 0.1...0.35,
        jpegQuality: ClosedRange<Double>? = 70...90
    ) {
        self.seed = seed; self.exposure = exposure; self.toneCompression = toneCompression
        self.whiteBalance = whiteBalance; self.saturation = saturation; self.shotNoise = shotNoise
        self.readNoise = readNoise; self.mosaic = mosaic; self.blurSigma = blurSigma; self.vignetting = vignetting
        self.jpegQuality = jpegQuality
    }

    /// Every part off: `degrade` returns its input (up to float rounding).
    public static let identity = DegradationConfig(
        exposure: 0...0, toneCompression: 0...0, whiteBalance: 0...0, saturation: 1...1, shotNoise: 0...0,
        readNoise: 0...0, mosaic: false, blurSigma: 0...0, vignetting: 0...0, jpegQuality: nil)

    /// MDIE's domains (Huang and Liu 3.2.2): photos degraded in one attribute only, so that
    /// each dataset teaches one enhancement. `all` combines the three, for evaluating the
    /// whole translation. The ranges are wider than the camera model's, as each domain must
    /// show its attribute plainly.
    public static func domain(_ name: String) -> DegradationConfig? {
        guard domainNames.contains(name) else { return nil }
        var chosen = identity
        for part in name == "all" ? ["color", "texture", "noise"] : [name] {
            switch part {
            case "color":
                chosen.exposure = -0.8...0.3
                chosen.toneCompression = 0.2...1.0
                chosen.whiteBalance = -0.3...0.3
                chosen.saturation = 0.55...0.9
            case "texture":
                chosen.blurSigma = 0.8...2.0
            default:
                chosen.shotNoise = 0.002...0.012
                chosen.readNoise = 0.004...0.015
            }
        }
        return chosen
    }

    /// The names `domain(_:)` knows.
    public static let domainNames = ["color", "texture", "noise", "all"]

    /// The values drawn for photo `index`.
    public func parameters(index: Int) -> DegradationParameters {
        var rng = SplitMix64(key: seed, UInt64(index), 0xDE6)
        return DegradationParameters(
            exposureStops: rng.uniform(exposure),
            toneCompression: rng.uniform(toneCompression),
            whiteBalanceGains: [pow2(rng.uniform(whiteBalance)), 1, pow2(rng.uniform(whiteBalance))],
            saturation: rng.uniform(saturation),
            shotNoise: rng.uniform(shotNoise),
            readNoise: rng.uniform(readNoise),
            mosaic: mosaic,
            blurSigma: rng.uniform(blurSigma),
            vignetting: rng.uniform(vignetting),
            jpegQuality: jpegQuality.map { Int(rng.uniform($0).rounded()) },
            noiseKey: rng.next())
    }
}

private func pow2(_ stops: Double) -> Double { Foundation.pow(2, stops) }

/// The concrete values of one photo's degradation.
public struct DegradationParameters: Sendable, Codable, Equatable {
    public var exposureStops: Double
    public var toneCompression: Double
    /// Multipliers of R, G, B.
    public var whiteBalanceGains: [Double]
    public var saturation: Double
    public var shotNoise: Double
    public var readNoise: Double
    public var mosaic: Bool
    public var blurSigma: Double
    public var vignetting: Double
    public var jpegQuality: Int?
    public var noiseKey: UInt64
}

/// Makes a high-quality sRGB photo look like a small phone sensor's output.
///
/// `image` is [3, H, W] or [N, 3, H, W], sRGB-encoded in [0, 1]; the result has the same
/// shape. Order, as light meets a camera: exposure, lens blur, vignetting (optics) →
/// mosaic, sensor noise, demosaic (sensor) → white-balance error, saturation, tone curve
/// (processing) → sRGB encoding → JPEG. Everything before the encoding is in linear light.
public func degrade(_ image: Tensor, parameters p: DegradationParameters) throws -> Tensor {
    let batched = image.rank == 4
    guard (image.rank == 3 || batched), image.shape[image.rank - 3] == 3 else {
        throw DataError("degrade: expected [3, H, W] or [N, 3, H, W], got \(image.shape)")
    }
    var x = try srgbToLinear((batched ? image : image.unsqueeze(0)).to(.float32))
    x = try adjustExposure(x, stops: p.exposureStops)
    x = try lensBlur(x, sigma: p.blurSigma)
    x = try vignette(x, strength: p.vignetting)
    if p.mosaic {
        let raw = try poissonGaussianNoise(mosaicRGGB(x), shot: p.shotNoise, read: p.readNoise, key: p.noiseKey)
        x = try demosaicBilinear(raw)
    } else {
        x = try poissonGaussianNoise(x, shot: p.shotNoise, read: p.readNoise, key: p.noiseKey)
    }
    x = try whiteBalanceError(x, gains: p.whiteBalanceGains)
    x = try desaturate(x, factor: p.saturation)
    x = try compressTones(x.clamp(min: 0, max: 1), strength: p.toneCompression)
    x = try linearToSrgb(x.clamp(min: 0, max: 1))
    if let quality = p.jpegQuality {
        x = try stack(x.split(1, dim: 0).map { try jpegRoundTrip($0.squeeze(0), quality: quality) })
    }
    return batched ? x : try x.squeeze(0)
}

/// Encodes as JPEG at `quality` and decodes again, in memory.
public func jpegRoundTrip(_ image: Tensor, quality: Int) throws -> Tensor {
    let bytes = try encodePhoto(
        Photo(pixels: image.contiguous()), format: .jpeg, options: EncodeOptions(quality: quality, keepMetadata: false))
    return try decodePhoto(bytes, name: "<jpeg round trip>").pixels
}
