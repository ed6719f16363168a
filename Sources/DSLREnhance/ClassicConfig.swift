/// The stages of the classic (training-free) enhancer and their parameters.
///
/// Each stage is optional: nil turns it off. The enhancer runs the enabled stages in a fixed
/// order (see `ClassicEnhancer`). `default` is a moderate all-round setting for flat, slightly
/// colour-cast, soft phone photos; `mpse` is the post-processing phase of MPSE (histogram
/// equalisation, then gamma 1/2.2); `identity` has every stage off.
public struct ClassicConfig: Sendable, Equatable {
    /// (1) Encodes linear-light input for display; on only when the input is linear.
    public var inputEncoding: TransferCurve?
    /// (2) Automatic white balance, computed and applied in linear light.
    public var whiteBalance: WhiteBalance?
    /// (3) Auto levels: black and white points from luminance percentiles.
    public var levels: Levels?
    /// (4) Edge-preserving luma denoising and chroma smoothing.
    public var denoise: Denoise?
    /// (5) Histogram equalisation of luma, adaptive (CLAHE) or global; chroma follows in proportion.
    public var equalization: Equalization?
    /// (6) Unsharp masking of luma.
    public var sharpen: Sharpen?
    /// (7) A final power curve out = in^(1 / toneGamma), MPSE's last step (2.2 there).
    public var toneGamma: Double?

    public init(
        inputEncoding: TransferCurve? = nil, whiteBalance: WhiteBalance? = nil, levels: Levels? = nil,
        denoise: Denoise? = nil, equalization: Equalization? = nil, sharpen: Sharpen? = nil, toneGamma: Double? = nil
    ) {
        self.inputEncoding = inputEncoding
        self.whiteBalance = whiteBalance
        self.levels = levels
        self.denoise = denoise
        self.equalization = equalization
        self.sharpen = sharpen
        self.toneGamma = toneGamma
    }

    /// Every stage off: the enhancer returns its input (clipped to [0, 1]).
    public static let identity = ClassicConfig()

    /// Moderate settings for sRGB photos, tuned on real photos (the Debian nature set) so a
    /// good photo is left nearly alone while a flat, cast one is helped: 40 % of a white-patch
    /// correction with gains within 1.2 (a grey-world estimate turned blue water and yellow
    /// grass grey), a 0.2 % / 99.8 % levels stretch of at most 1.6× (a stronger stretch made
    /// foliage neon), light denoising, CLAHE at 25 % strength, gentle sharpening.
    public static let `default` = ClassicConfig(
        whiteBalance: WhiteBalance(method: .whitePatch, maxGain: 1.2, strength: 0.4),
        levels: Levels(lowPercentile: 0.2, highPercentile: 99.8, maxGain: 1.6),
        denoise: Denoise(), equalization: .clahe(CLAHE(strength: 0.25)), sharpen: Sharpen())

    /// MPSE phase 3 (Huang and Liu): histogram equalisation with the paper's discrete mapping
    /// T(k) = floor((L - 1) Σ p_n) over 256 levels, then gamma correction 1/2.2. The paper
    /// equalises per semantic region using its network's enhancement factors; given region
    /// labels (`ClassicEnhancer(_:regions:)`, as `--pipeline mpse` passes its segmentation) the
    /// equalisation here is per region, else global; on luma with chroma scaled alongside so
    /// hues are kept.
    public static let mpse = ClassicConfig(
        equalization: .global(HistogramEqualization(method: .discrete(levels: 256))), toneGamma: 2.2)

    /// `mpse` with recursive mean-separate equalisation (two splits, four sub-histograms), which
    /// keeps the photo's mean brightness where plain equalisation moves it to mid-grey.
    public static let mpseRecursive = ClassicConfig(
        equalization: .global(HistogramEqualization(method: .discrete(levels: 256, depth: 2))), toneGamma: 2.2)

    /// The named settings `dslr enhance --model classic --preset NAME` offers; the first is the default.
    public static let presets: [(name: String, summary: String, config: ClassicConfig)] = [
        ("default", "white balance, auto levels, light denoise, CLAHE at 25 %, gentle sharpening", .default),
        ("mpse", "MPSE phase 3: discrete histogram equalisation of luma, then gamma 1/2.2", .mpse),
        ("mpse-recursive", "MPSE phase 3 with recursive mean-separate equalisation (depth 2), then gamma 1/2.2", .mpseRecursive),
        ("identity", "every stage off (the photo, clipped to [0, 1])", .identity),
    ]

    /// The preset `name`; the error lists the known ones.
    public static func preset(_ name: String) throws -> ClassicConfig {
        guard let found = presets.first(where: { $0.name == name }) else {
            throw ModelError("unknown classic preset '\(name)' (known: \(presets.map(\.name).joined(separator: ", ")))",
                             kind: .badArgument)
        }
        return found.config
    }

    /// `default` for input in linear light (e.g. a demosaicked raw): sRGB-encode it first.
    public static let linearInput: ClassicConfig = {
        var config = ClassicConfig.default
        config.inputEncoding = .srgb
        return config
    }()
}

extension ClassicConfig {
    /// How linear light is encoded for display.
    public enum TransferCurve: Sendable, Equatable {
        /// The sRGB curve of IEC 61966-2-1 (DSLRMetrics.linearToSrgb).
        case srgb
        /// A plain power law out = in^(1 / gamma); 2.2 is MPSE's.
        case power(gamma: Double)
    }

    /// Automatic white balance. Gains are computed in linear light from pixels that are neither
    /// clipped nor nearly black, clamped, applied partially and normalised so the mean
    /// luminance is unchanged.
    public struct WhiteBalance: Sendable, Equatable {
        public enum Method: Sendable, Equatable {
            /// The scene averages to grey: gain_c = mean luminance / mean_c.
            case grayWorld
            /// The brightest surfaces are white: gain_c from each channel's `whitePercentile`.
            case whitePatch
            /// The geometric mean of both estimates.
            case combined
        }
        public var method: Method
        /// Percentile (0...100) of each channel taken as white by `whitePatch`.
        public var whitePercentile: Double
        /// Pixels with any encoded channel above this are treated as clipped and ignored.
        public var clippedAbove: Double
        /// Pixels whose encoded luma is below this are treated as noise and ignored.
        public var darkBelow: Double
        /// Each channel's gain is clamped to [1 / maxGain, maxGain], so a sunset or a blue sky,
        /// which is not grey on average, keeps most of its colour.
        public var maxGain: Double
        /// The fraction of the correction applied, in log space (1: full, 0: none).
        public var strength: Double

        public init(
            method: Method = .combined, whitePercentile: Double = 99, clippedAbove: Double = 0.98,
            darkBelow: Double = 0.03, maxGain: Double = 1.5, strength: Double = 0.8
        ) {
            self.method = method
            self.whitePercentile = whitePercentile
            self.clippedAbove = clippedAbove
            self.darkBelow = darkBelow
            self.maxGain = maxGain
            self.strength = strength
        }
    }

    /// Auto levels: the luminance percentiles `lowPercentile` and `highPercentile` become black
    /// and white, applied equally to R, G and B so neutral colours stay neutral.
    public struct Levels: Sendable, Equatable {
        public var lowPercentile: Double
        public var highPercentile: Double
        /// The steepest stretch allowed (1 / (white - black)), so a nearly uniform image (fog,
        /// a wall) is not blown up into noise.
        public var maxGain: Double

        public init(lowPercentile: Double = 0.5, highPercentile: Double = 99.5, maxGain: Double = 4) {
            self.lowPercentile = lowPercentile
            self.highPercentile = highPercentile
            self.maxGain = maxGain
        }
    }

    /// Mild denoising: a self-guided filter on luma and a small Gaussian on the colour
    /// differences (R − Y′, B − Y′), where phone noise is most visible and detail least.
    public struct Denoise: Sendable, Equatable {
        /// Guided-filter window radius in pixels.
        public var radius: Int
        /// Guided-filter eps (luma², luma in 0...1): local variation below √eps is smoothed.
        public var eps: Double
        /// Gaussian sigma for the chroma channels (0: leave chroma alone).
        public var chromaSigma: Double
        /// Both filters run at 1 / subsample of the resolution and are upsampled (the fast
        /// guided filter); 1 filters at full resolution.
        public var subsample: Int

        public init(radius: Int = 2, eps: Double = 4e-4, chromaSigma: Double = 1, subsample: Int = 2) {
            self.radius = radius
            self.eps = eps
            self.chromaSigma = chromaSigma
            self.subsample = subsample
        }
    }

    /// Which histogram equalisation runs on luma.
    public enum Equalization: Sendable, Equatable {
        case clahe(CLAHE)
        case global(HistogramEqualization)
    }

    /// CLAHE as `skimage.exposure.equalize_adapthist` on luma.
    public struct CLAHE: Sendable, Equatable {
        /// Tiles per side: the contextual region is 1/tiles of the height and of the width
        /// (8 is skimage's default kernel size).
        public var tiles: Int
        public var clipLimit: Double
        public var nbins: Int
        /// Blend between the input (0) and the equalised luma (1).
        public var strength: Double

        public init(tiles: Int = 8, clipLimit: Double = 0.01, nbins: Int = 256, strength: Double = 0.4) {
            self.tiles = tiles
            self.clipLimit = clipLimit
            self.nbins = nbins
            self.strength = strength
        }
    }

    /// Global histogram equalisation of luma.
    public struct HistogramEqualization: Sendable, Equatable {
        public enum Method: Sendable, Equatable {
            /// `skimage.exposure.equalize_hist` with `nbins`.
            case skimage(nbins: Int)
            /// The discrete mapping T(k) = floor((L - 1) Σ p_n) over `levels` (MPSE); with
            /// `depth` > 0 recursive mean-separate (`equalizeHistDiscrete`).
            case discrete(levels: Int, depth: Int = 0)
        }
        public var method: Method
        /// Blend between the input (0) and the equalised luma (1).
        public var strength: Double

        public init(method: Method = .skimage(nbins: 256), strength: Double = 1) {
            self.method = method
            self.strength = strength
        }
    }

    /// Unsharp masking of luma (`skimage.filters.unsharp_mask` when threshold is 0).
    public struct Sharpen: Sendable, Equatable {
        /// Gaussian sigma of the blur the detail is measured against, in pixels.
        public var sigma: Double
        public var amount: Double
        /// Detail smaller than this (luma units) is left alone, so noise is not sharpened.
        public var threshold: Double

        public init(sigma: Double = 1, amount: Double = 0.5, threshold: Double = 0.01) {
            self.sigma = sigma
            self.amount = amount
            self.threshold = threshold
        }
    }
}
