import DSLRNN
import DSLRTensor

/// DPED+ (Huang and Liu, "Improve Mobile Phone's Image Quality by Deep Learning", the
/// paired phase of MPSE): DPED's generator with leaky ReLU and MobileNet's depthwise-separable
/// convolutions, for faster training (the slides: 2855 against 1964 iterations an hour) and
/// inference (2.7×) at a cost of about 0.4–0.6 dB of PSNR.
///
///     9×9 conv 3→C, leaky ReLU
///     4 × residual block: [3×3 conv, norm, leaky ReLU] × 2, plus the block input
///     2 × [3×3 conv C→C, leaky ReLU]
///     9×9 conv C→3, tanh(x) · 0.58 + 0.5
///
/// Choices where the thesis and the slides are silent or disagree, and why:
/// - Leaky ReLU slope 0.005 wherever DPED has a ReLU (the slides' `lrelu(x) = relu(x) −
///   0.005 relu(−x)` replaces DPED's `tf.nn.relu` line for line). "All layers are followed by
///   LeakyReLU" is not read as replacing the output's tanh: the colour and TV losses are
///   computed on that layer's output, which must stay in DPED's [−0.08, 1.08] photo range.
/// - Separable convolutions (`separable`, default true) are a k×k depthwise convolution
///   followed by a 1×1 pointwise one with no activation between (`SeparableConv2d`); false
///   builds full convolutions, the same network otherwise, for the speed comparison.
/// - The first 9×9 layer stays a full convolution even when `separable`: a depthwise layer
///   on 3 channels gives only 3 filtered maps, so all C outputs would be mixtures of 3
///   images, a rank-3 bottleneck before the first nonlinearity; MobileNet keeps its first
///   layer full for the same reason, and at 3 input channels it is cheap (4% of the full
///   network's multiply-adds). The last 9×9 layer (C→3) is separable: C depthwise maps
///   mixed to 3 lose nothing of that kind.
/// - `norm` (default `instance`): the slides' code calls DPED's `_instance_norm`; the thesis
///   text says batch normalisation. The code is what was run, and instance norm keeps
///   DPED's per-photo statistics, which tiled inference reproduces exactly with
///   `TiledNormState`. `batch` uses `BatchNorm2d` with TensorFlow's defaults (ε 1e-3, decay
///   0.99, i.e. momentum 0.01), as DPED+ was TensorFlow code; in evaluation it uses the
///   running statistics, so it tiles with no statistics passes at all.
/// - Initialisation: DPED's (truncated normal σ 0.01, biases 0.01) for full kernels and
///   pointwise ones, as the slides' code creates layers with DPED's `weight_variable` and
///   `bias_variable`; depthwise kernels are drawn with σ 1, so that the equivalent full
///   kernel P[o, i] · D[i] has about DPED's per-weight spread (0.01). Drawing both factors
///   with σ 0.01 would make each separable layer's output 100 times smaller than DPED's
///   layer's: after the two middle layers and the output layer the signal, and the gradients
///   back through them, fall below what Adam's ε lets through, and one training step leaves
///   the residual blocks unchanged (seen in `DPEDPlusGAN001StepTests`).
public struct DPEDPlus: Module {
    public var convIn: Conv2d
    public var blocks: [DPEDPlusBlock]
    public var convMid: [DPEDPlusConv]
    public var convOut: DPEDPlusConv

    public static let architectureID = "dped-plus"
    /// The slope of every leaky ReLU: the slides' `lrelu` with alpha 0.005.
    public static let slope = 0.005

    /// Input pixels each output pixel depends on, on each side: DPED's 18 (4 + 8 + 2 + 4),
    /// since depthwise kernels have the full convolutions' sizes.
    public let receptiveRadius: Int
    /// Whole-photo norm layers (8 with instance norms, 0 with batch norms).
    public let normLayerCount: Int

    /// A new DPED+ generator of width `channels` (64 in the thesis).
    public init(
        channels: Int = 64, separable: Bool = true, norm: DPEDPlusNormKind = .instance,
        depthwiseInit: Initializer = .truncatedNormal(std: 1), weightInit: Initializer = .truncatedNormal(std: 0.01),
        biasInit: Initializer = .constant(0.01)
    ) throws {
        func conv(_ i: Int, _ o: Int, _ k: Int) throws -> DPEDPlusConv {
            try DPEDPlusConv(i, o, kernel: k, separable: separable, depthwiseInit: depthwiseInit, weightInit: weightInit,
                             biasInit: biasInit)
        }
        convIn = try Conv2d(3, channels, kernel: 9, padding: .same, weightInit: weightInit, biasInit: biasInit)
        blocks = try (0..<4).map { _ in
            try DPEDPlusBlock(conv1: conv(channels, channels, 3), norm1: DPEDPlusNorm(channels, norm),
                              conv2: conv(channels, channels, 3), norm2: DPEDPlusNorm(channels, norm))
        }
        convMid = try (0..<2).map { _ in try conv(channels, channels, 3) }
        convOut = try conv(channels, 3, 9)
        let kernels = [9] + blocks.flatMap { [$0.conv1.kernel, $0.conv2.kernel] } + convMid.map(\.kernel) + [convOut.kernel]
        receptiveRadius = kernels.reduce(0) { $0 + ($1 - 1) / 2 }
        normLayerCount = norm == .instance ? 8 : 0
    }

    /// Enhances NCHW RGB images in [0, 1]; `norms` carries whole-photo instance-norm
    /// statistics when run in tiles (ignored with batch norms).
    public func callAsFunction(_ x: Tensor, norms: TiledNormState? = nil) throws -> Tensor {
        guard x.rank == 4, x.shape[1] == 3 else {
            throw TorchError("DPED+ generator: input must be NCHW RGB [N, 3, H, W], got \(x.shape)")
        }
        var h = try convIn(x).leakyRelu(Self.slope)
        for (i, block) in blocks.enumerated() {
            h = try block(h, firstLayer: 2 * i, norms: norms)
        }
        for conv in convMid { h = try conv(h).leakyRelu(Self.slope) }
        return try convOut(h).tanh() * 0.58 + 0.5
    }
}

/// Which normalisation DPED+'s residual blocks use.
public enum DPEDPlusNormKind: String, Sendable, CaseIterable {
    case instance, batch
}

/// One convolution of DPED+: separable (`separable.depthwise`, `separable.pointwise`) or full
/// (`full`), so a weights file's names say which it holds and a mismatch fails by name.
public struct DPEDPlusConv: Module {
    public var full: Conv2d?
    public var separable: SeparableConv2d?
    /// The side of the (depthwise or full) kernel.
    public let kernel: Int

    public init(
        _ i: Int, _ o: Int, kernel: Int, separable: Bool, depthwiseInit: Initializer, weightInit: Initializer, biasInit: Initializer
    ) throws {
        self.kernel = kernel
        if separable {
            self.separable = try SeparableConv2d(i, o, kernel: kernel, padding: .same, depthwiseInit: depthwiseInit,
                                                 weightInit: weightInit, biasInit: biasInit)
        } else {
            full = try Conv2d(i, o, kernel: kernel, padding: .same, weightInit: weightInit, biasInit: biasInit)
        }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        if let separable { return try separable(x) }
        guard let full else { throw TorchError("DPED+ convolution: neither separable nor full") }
        return try full(x)
    }
}

/// DPED+'s normalisation layer: DPED's instance norm (`instance`) or a batch norm (`batch`).
public struct DPEDPlusNorm: Module {
    public var instance: DPEDInstanceNorm?
    public var batch: BatchNorm2d?

    public init(_ channels: Int, _ kind: DPEDPlusNormKind) throws {
        switch kind {
        case .instance: instance = try DPEDInstanceNorm(channels)
        case .batch: batch = try BatchNorm2d(channels, eps: 1e-3, momentum: 0.01)
        }
    }

    /// Normalises `x` as norm layer `layer` (instance norms take `state`'s whole-photo statistics).
    public func callAsFunction(_ x: Tensor, layer: Int, state: TiledNormState?) throws -> Tensor {
        if let instance { return try instance(x, layer: layer, state: state) }
        guard let batch else { throw TorchError("DPED+ norm: neither instance nor batch") }
        return try batch(x)
    }
}

/// A residual block of DPED+: DPED's block (the skip added after the second activation) with
/// leaky ReLUs.
public struct DPEDPlusBlock: Module {
    public var conv1: DPEDPlusConv
    public var norm1: DPEDPlusNorm
    public var conv2: DPEDPlusConv
    public var norm2: DPEDPlusNorm

    public func callAsFunction(_ x: Tensor, firstLayer: Int, norms: TiledNormState?) throws -> Tensor {
        let h = try norm1(conv1(x), layer: firstLayer, state: norms).leakyRelu(DPEDPlus.slope)
        return try norm2(conv2(h), layer: firstLayer + 1, state: norms).leakyRelu(DPEDPlus.slope) + x
    }
}

extension DPEDPlus: TileableNetwork {
    public var widestActivation: Int { convIn.weight.shape[0] }
    public func enhance(_ x: Tensor, norms: TiledNormState?) throws -> Tensor { try self(x, norms: norms) }
}

extension DPEDPlus {
    /// DPED+ as a registered architecture.
    public static let architecture = Architecture(
        name: architectureID,
        summary: "DPED+ (MPSE): DPED's generator with leaky ReLU 0.005 and depthwise-separable convolutions",
        options: [
            OptionDeclaration("channels", .positiveInt, default: .number(64), help: "width of every hidden layer", maximum: 1024),
            OptionDeclaration("separable", .choice(["true", "false"]), default: .text("true"),
                              help: "depthwise-separable convolutions (false: full ones, for comparison)"),
            OptionDeclaration("norm", .choice(DPEDPlusNormKind.allCases.map(\.rawValue)), default: .text("instance"),
                              help: "instance (DPED's, as the slides' code) or batch (as the thesis text)"),
        ],
        contract: { _ in .rgbEnhancer },
        // Ten channels → channels convolutions, at least their 1×1 pointwise part.
        parameterFloor: { o in 10 * o.int("channels") * o.int("channels") },
        make: { o in
            let net = try DPEDPlus(channels: o.int("channels"), separable: o.text("separable") == "true",
                                   norm: DPEDPlusNormKind(rawValue: o.text("norm")) ?? .instance)
            return NetworkBody(
                module: net,
                tiling: TilingProfile(receptiveRadius: net.receptiveRadius, normLayerCount: net.normLayerCount,
                                      widestActivation: o.int("channels")),
                normForward: net.normLayerCount > 0 ? { try net($0, norms: $1) } : nil,
                forward: { x, _ in try net(x) })
        })
}
