import DSLRMetrics
import DSLRTensor

/// The training-free baseline enhancer and MPSE's post-processing stage.
///
/// Input and output are float RGB NCHW tensors in [0, 1], sRGB-encoded as photos decode
/// (or linear light, with `config.inputEncoding` set). The enabled stages run in this order:
/// 1. input encoding (linear → display),
/// 2. white balance (linear light),
/// 3. auto levels (equal black/white points for all channels),
/// 4. denoise, 5. histogram equalisation, 6. sharpening — all three on CIELAB lightness
///    (denoise and equalisation also see chroma as noted), converted once,
/// 7. the final tone gamma.
///
/// Denoising comes before equalisation so CLAHE does not amplify noise it would then have to
/// remove; sharpening comes last on lightness so it acts on the final contrast. Every stage
/// works per image, so results do not depend on the batch, and the whole run is deterministic.
public struct ClassicEnhancer: Sendable {
    public var config: ClassicConfig

    public init(config: ClassicConfig = .default) {
        self.config = config
    }

    /// Enhances `image` ([N, 3, H, W], floating point, [0, 1]); same shape, dtype and device.
    public func callAsFunction(_ image: Tensor) throws -> Tensor {
        let shape = image.shape
        guard shape.count == 4, shape[1] == 3, shape[2] > 0, shape[3] > 0 else {
            throw TorchError("ClassicEnhancer: expected an NCHW RGB tensor, got shape \(shape)")
        }
        guard image.dtype.isFloatingPoint else {
            throw TorchError("ClassicEnhancer: expected a floating-point image in [0, 1], got \(image.dtype)")
        }
        return try withNoGrad {
            var x = try image.clamp(min: 0, max: 1)
            if let curve = config.inputEncoding { x = try encode(x, curve) }
            if let settings = config.whiteBalance { x = try autoWhiteBalance(x, settings) }
            if let settings = config.levels { x = try autoLevels(x, settings) }
            if config.denoise != nil || config.equalization != nil || config.sharpen != nil {
                x = try processLightness(x)
            }
            if let gamma = config.toneGamma { x = try encode(x, .power(gamma: gamma)) }
            return x
        }
    }

    /// Stages 4-6 in CIELAB: lightness as L / 100 in [0, 1], chroma untouched except by denoise.
    private func processLightness(_ rgb: Tensor) throws -> Tensor {
        let lab = try rgbToLab(rgb)
        var lightness = try lab.narrow(1, start: 0, length: 1) / 100
        var chroma = try lab.narrow(1, start: 1, length: 2)
        if let settings = config.denoise {
            lightness = try guidedFilter(lightness, radius: settings.radius, eps: settings.eps)
            chroma = try gaussianBlur(chroma, sigma: settings.chromaSigma)
        }
        if let equalization = config.equalization {
            lightness = try equalize(lightness.clamp(min: 0, max: 1), equalization)
        }
        if let settings = config.sharpen {
            lightness = try unsharpMask(lightness, sigma: settings.sigma, amount: settings.amount, threshold: settings.threshold)
        }
        return try labToRGB(cat([lightness.clamp(min: 0, max: 1) * 100, chroma], dim: 1))
    }

    private func equalize(_ lightness: Tensor, _ equalization: ClassicConfig.Equalization) throws -> Tensor {
        let equalized: Tensor
        let strength: Double
        switch equalization {
        case .clahe(let settings):
            guard settings.tiles >= 1 else { throw TorchError("ClassicEnhancer: CLAHE tiles must be positive, got \(settings.tiles)") }
            let (h, w) = (lightness.shape[2], lightness.shape[3])
            let kernel = [Swift.max(h / settings.tiles, 1), Swift.max(w / settings.tiles, 1)]
            equalized = try equalizeAdaptHist(lightness, kernelSize: kernel, clipLimit: settings.clipLimit, nbins: settings.nbins)
            strength = settings.strength
        case .global(let settings):
            switch settings.method {
            case .skimage(let nbins): equalized = try equalizeHist(lightness, nbins: nbins)
            case .discrete(let levels): equalized = try equalizeHistDiscrete(lightness, levels: levels)
            }
            strength = settings.strength
        }
        return strength == 1 ? equalized : try lightness.lerp(equalized, strength)
    }
}

/// Encodes linear light for display with `curve` (input clipped to [0, 1]).
public func encode(_ linear: Tensor, _ curve: ClassicConfig.TransferCurve) throws -> Tensor {
    let x = try linear.clamp(min: 0, max: 1)
    switch curve {
    case .srgb:
        return try linearToSrgb(x).clamp(min: 0, max: 1)
    case .power(let gamma):
        guard gamma > 0 else { throw TorchError("encode: gamma must be positive, got \(gamma)") }
        return try x.pow(1 / gamma)
    }
}
