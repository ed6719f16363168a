import DSLRNN
import DSLRTensor

/// DSLRKit's whole-photo tone and colour corrector. A photo's exposure, contrast and cast show
/// in its statistics, so instead of convolutions over a downscaled copy (GlobalNet, which on
/// real phone photos learnt little beyond the identity) it reads explicit statistics and
/// predicts one luminance-dependent colour transform for the whole photo:
///
///     photo → area-downscale to 64² → per channel of (R, G, B, luminance): mean, standard
///       deviation and a `histogramBins`-bin triangular soft histogram
///       → dense (ReLU) → dense (ReLU) → dense → curve [12 coefficients, bins]
///     pixel x → luminance ℓ (Rec. 709 weights on the sRGB values)
///       → A = curve interpolated at ℓ → y = A·[x, 1] (3×4 affine)
///       → y + 3×3 conv(ReLU(3×3 conv(x)))  (detail, receptive radius 2)
///
/// The curve is computed once per photo, so tiles are exact. The full-resolution path costs
/// about 0.9 kFLOP per pixel at the defaults. The last dense layer starts at zero with the
/// identity transform as its bias and the detail output at zero: untrained, it is the identity.
public struct ToneNet: Module {
    public var dense: [Linear]
    public var detailIn: Conv2d
    public var detailOut: Conv2d
    public let bins: Int
    public let histogramBins: Int

    public static let architectureID = "dslrkit-tone"
    /// Side of the downscaled copy the statistics come from.
    static let statisticsSide = 64

    public init(bins: Int = 8, histogramBins: Int = 16, hidden: Int = 64, detail: Int = 8) throws {
        guard bins > 1, histogramBins > 1, hidden > 0, detail > 0 else {
            throw TorchError("dslrkit-tone: bins and histogram-bins must be above 1, hidden and detail positive")
        }
        self.bins = bins
        self.histogramBins = histogramBins
        let features = 4 * (2 + histogramBins)
        dense = [try Linear(features, hidden), try Linear(hidden, hidden),
                 try Linear(hidden, affineCoefficients * bins, weightInit: .constant(0), biasInit: .constant(0))]
        // Output k·bins + d is coefficient k in luminance bin d; every bin starts at the identity.
        dense[2].bias = try identityAffineBias(bins: bins)
        detailIn = try Conv2d(3, detail, kernel: 3, padding: .explicit(1, 1))
        detailOut = try Conv2d(detail, 3, kernel: 3, padding: .explicit(1, 1), weightInit: .constant(0), biasInit: .constant(0))
    }

    /// R, G, B and luminance of [N, 3, H, W] as [N, 4, H, W].
    static func withLuminance(_ x: Tensor) throws -> Tensor {
        let weights = try Tensor([Float(0.2126), 0.7152, 0.0722], shape: [1, 3, 1, 1]).to(x.device, x.dtype)
        return try cat([x, (x * weights).sum(dims: [1], keepDim: true)], dim: 1)
    }

    /// The statistics [N, 4·(2 + histogramBins)] of whole photos [N, 3, H, W]: means, standard
    /// deviations, then the soft histograms (bin b holds max(0, 1 − |v − c_b|·B), c_b = (b + ½)/B).
    public func statistics(_ photo: Tensor) throws -> Tensor {
        let small = try adaptiveAvgPool2d(photo, outputSize: [Self.statisticsSide, Self.statisticsSide])
        let v = try Self.withLuminance(small)
        let b = histogramBins
        let centres = try Tensor((0..<b).map { (Float($0) + 0.5) / Float(b) }, shape: [1, 1, b, 1, 1]).to(v.device, v.dtype)
        let histogram = try (1 - (v.unsqueeze(2) - centres).abs() * Double(b)).relu().mean(dims: [3, 4])
        return try cat([v.mean(dims: [2, 3]), v.std(dims: [2, 3]), histogram.flatten(from: 1)], dim: 1)
    }

    /// The luminance curve [N, 12, bins, 1, 1] of whole photos [N, 3, H, W].
    public func curve(_ photo: Tensor) throws -> Tensor {
        guard photo.rank == 4, photo.shape[1] == 3 else {
            throw TorchError("dslrkit-tone: input must be NCHW RGB [N, 3, H, W], got \(photo.shape)")
        }
        var h = try statistics(photo)
        for (i, layer) in dense.enumerated() { h = try layer(h); if i < dense.count - 1 { h = try h.relu() } }
        return try h.reshape([photo.shape[0], affineCoefficients, bins, 1, 1])
    }

    /// Enhances a window of a photo with the photo's curve (`context.features`).
    public func apply(_ x: Tensor, context: PhotoContext) throws -> Tensor {
        let n = x.shape[0], h = x.shape[2], w = x.shape[3]
        let z = try Self.withLuminance(x).narrow(1, start: 3, length: 1) * 2 - 1
        let zero = try Tensor.zeros([n, 1, h, w, 1]).to(x.device, x.dtype)
        let points = try cat([zero, zero, z.reshape([n, 1, h, w, 1])], dim: 4)
        return try applyAffineGrid(context.features, at: points, to: x) + detailOut(detailIn(x).relu())
    }

    /// Enhances whole photos (training: each image is its own whole photo).
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try apply(x, context: PhotoContext(wholePhotos: x, features: curve(x)))
    }

    /// The tone network as a registered architecture.
    public static let architecture = Architecture(
        name: architectureID,
        summary: "DSLRKit's whole-photo tone and colour corrector: statistics of a downscaled copy predict a luminance-dependent affine colour curve, plus local detail; exact in tiles",
        options: [
            OptionDeclaration("bins", .positiveInt, default: .number(8), help: "luminance bins of the colour curve", maximum: 256),
            OptionDeclaration("histogram-bins", .positiveInt, default: .number(16), help: "bins of each soft histogram the curve is predicted from", maximum: 1024),
            OptionDeclaration("hidden", .positiveInt, default: .number(64), help: "width of the two hidden dense layers", maximum: 4096),
            OptionDeclaration("detail", .positiveInt, default: .number(8), help: "channels of the local detail path", maximum: 1024),
        ],
        contract: { _ in .rgbEnhancer },
        // The hidden → hidden dense layer.
        parameterFloor: { o in o.int("hidden") * o.int("hidden") },
        make: { o in
            let net = try ToneNet(bins: o.int("bins"), histogramBins: o.int("histogram-bins"), hidden: o.int("hidden"),
                                  detail: o.int("detail"))
            return NetworkBody(
                module: net, tiling: TilingProfile(receptiveRadius: 2, widestActivation: max(o.int("detail"), 12), preferredTile: 512),
                context: { try net.curve($0) }, contextForward: { try net.apply($0, context: $1) },
                forward: { x, _ in try net(x) })
        })
}
