import DSLRMetrics
import DSLRTensor

/// The training-free baseline enhancer and MPSE's post-processing stage.
///
/// Input and output are float RGB NCHW tensors in [0, 1], sRGB-encoded as photos decode
/// (or linear light, with `config.inputEncoding` set). The enabled stages run in this order:
/// 1. input encoding (linear → display),
/// 2. white balance (linear light),
/// 3. auto levels (equal black/white points for all channels),
/// 4. denoise, 5. histogram equalisation, 6. sharpening — all three on luma, with the colour
///    differences smoothed by denoise and scaled with luma by equalisation (hue kept),
/// 7. the final tone gamma.
///
/// Denoising comes before equalisation so CLAHE does not amplify noise it would then have to
/// remove; sharpening comes last on luma so it acts on the final contrast. Every stage
/// works per image, so results do not depend on the batch, and the whole run is deterministic.
public struct ClassicEnhancer: Sendable {
    public var config: ClassicConfig

    public init(config: ClassicConfig = .default) {
        self.config = config
    }

    /// Enhances `image` ([N, 3, H, W], floating point, [0, 1]); same shape, dtype and device.
    /// `regions` ([H, W] integer labels) makes the discrete histogram equalisation per region.
    public func callAsFunction(_ image: Tensor, regions: Tensor? = nil) throws -> Tensor {
        let shape = image.shape
        guard shape.count == 4, shape[1] == 3, shape[2] > 0, shape[3] > 0 else {
            throw TorchError("ClassicEnhancer: expected an NCHW RGB tensor, got shape \(shape)")
        }
        guard image.dtype.isFloatingPoint else {
            throw TorchError("ClassicEnhancer: expected a floating-point image in [0, 1], got \(image.dtype)")
        }
        return try withNoGrad {
            var x = try image.clamp(min: 0, max: 1)
            if let curve = config.inputEncoding { x = try curve.encode(x) }
            if let settings = config.whiteBalance { x = try autoWhiteBalance(x, settings) }
            if let settings = config.levels { x = try autoLevels(x, settings) }
            if config.denoise != nil || config.equalization != nil || config.sharpen != nil {
                x = try processLuma(x, regions: regions)
            }
            if let gamma = config.toneGamma { x = try ClassicConfig.TransferCurve.power(gamma: gamma).encode(x) }
            return x
        }
    }

    /// Stages 4-6 on luma Y′ (Rec. 709 weights of the encoded values) with the colour
    /// differences R − Y′ and B − Y′ alongside; a linear split, so neutral pixels stay
    /// neutral and a 12 MP photo costs a few passes instead of a CIELAB round trip.
    private func processLuma(_ rgb: Tensor, regions: Tensor?) throws -> Tensor {
        var y = try rec709Luma(rgb)
        var cr = try rgb.narrow(1, start: 0, length: 1) - y
        var cb = try rgb.narrow(1, start: 2, length: 1) - y
        if let settings = config.denoise {
            y = try guidedFilter(y, radius: settings.radius, eps: settings.eps, subsample: settings.subsample)
            if settings.chromaSigma > 0 {
                let chroma = try lowResolutionBlur(cat([cr, cb], dim: 1), sigma: settings.chromaSigma, subsample: settings.subsample)
                (cr, cb) = try (chroma.narrow(1, start: 0, length: 1), chroma.narrow(1, start: 1, length: 1))
            }
        }
        if let equalization = config.equalization {
            let before = try y.clamp(min: 0, max: 1)
            y = try equalize(before, equalization, regions: regions)
            // Colour differences follow luma by the square root of its ratio: hue is kept, and a
            // brightened pixel gains some colour without being pushed into clipping (scaling
            // RGB in full proportion clipped skies to cyan and foliage to neon on real photos).
            // The floor and cap keep near-black noise from being blown up into colour.
            let scale = try ((y + chromaScaleFloor) / (before + chromaScaleFloor)).sqrt().clamp(max: maxChromaScale)
            (cr, cb) = try (cr * scale, cb * scale)
        }
        if let settings = config.sharpen {
            y = try unsharpMask(y, sigma: settings.sigma, amount: settings.amount, threshold: settings.threshold)
        }
        let red = try y + cr
        let blue = try y + cb
        let green = try (y - red * rec709Weights[0] - blue * rec709Weights[2]) / rec709Weights[1]
        return try cat([red, green, blue], dim: 1).clamp(min: 0, max: 1)
    }

    private func equalize(_ y: Tensor, _ equalization: ClassicConfig.Equalization, regions: Tensor?) throws -> Tensor {
        let equalized: Tensor
        let strength: Double
        if regions != nil {
            guard case .global(let settings) = equalization, case .discrete = settings.method else {
                throw TorchError("ClassicEnhancer: per-region equalisation needs the discrete global method (preset mpse), not \(equalization)")
            }
        }
        switch equalization {
        case .clahe(let settings):
            guard settings.tiles >= 1 else { throw TorchError("ClassicEnhancer: CLAHE tiles must be positive, got \(settings.tiles)") }
            let (h, w) = (y.shape[2], y.shape[3])
            let kernel = [Swift.max(h / settings.tiles, 1), Swift.max(w / settings.tiles, 1)]
            equalized = try equalizeAdaptHist(y, kernelSize: kernel, clipLimit: settings.clipLimit, nbins: settings.nbins)
            strength = settings.strength
        case .global(let settings):
            switch settings.method {
            case .skimage(let nbins): equalized = try equalizeHist(y, nbins: nbins)
            case .discrete(let levels, let depth):
                equalized = try equalizeHistDiscrete(y, levels: levels, depth: depth, regions: regions)
            }
            strength = settings.strength
        }
        return strength == 1 ? equalized : try y.lerp(equalized, strength)
    }
}

/// Luma added to both sides of the chroma scale (new luma / old luma) so that pixels near
/// black, whose ratio is mostly noise, change colour additively rather than multiplicatively.
private let chromaScaleFloor = 0.05
/// The largest factor by which equalisation may scale a pixel's colour differences.
private let maxChromaScale = 1.5

extension ClassicConfig.TransferCurve {
    /// Encodes linear light for display with this curve (input clipped to [0, 1]).
    public func encode(_ linear: Tensor) throws -> Tensor {
        let x = try linear.clamp(min: 0, max: 1)
        switch self {
        case .srgb:
            return try linearToSrgb(x).clamp(min: 0, max: 1)
        case .power(let gamma):
            guard gamma > 0 else { throw TorchError("TransferCurve.encode: gamma must be positive, got \(gamma)") }
            return try x.pow(1 / gamma)
        }
    }
}
