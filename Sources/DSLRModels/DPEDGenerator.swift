import DSLRNN
import DSLRTensor

/// The image-enhancement network of DPED (Ignatov et al., "DSLR-Quality Photos on Mobile
/// Devices with Deep Convolutional Networks", ICCV 2017), `resnet` in aiff22/DPED models.py:
///
///     9×9 conv 3→64, ReLU
///     4 × residual block: [3×3 conv, instance norm, ReLU] × 2, plus the block input
///     2 × [3×3 conv 64→64, ReLU]
///     9×9 conv 64→3, tanh(x) · 0.58 + 0.5
///
/// All convolutions have stride 1, biases and TensorFlow 'SAME' (here symmetric) zero
/// padding, so the output has the input's size. Input and output are NCHW RGB in [0, 1]
/// (the output can exceed it slightly: tanh · 0.58 + 0.5 spans [-0.08, 1.08]).
///
/// Parameter names and DPED's TensorFlow names (HWIO kernels become OIHW):
///
/// | here | DPED |
/// | --- | --- |
/// | `conv_in.weight`, `conv_in.bias` | `generator/W1`, `generator/b1` |
/// | `blocks.i.conv1.*` (i = 0...3) | `generator/W{2+2i}`, `generator/b{2+2i}` |
/// | `blocks.i.conv2.*` | `generator/W{3+2i}`, `generator/b{3+2i}` |
/// | `blocks.i.norm1.shift`, `.scale` | `generator/Variable_{4i}`, `generator/Variable_{4i+1}` |
/// | `blocks.i.norm2.shift`, `.scale` | `generator/Variable_{4i+2}`, `generator/Variable_{4i+3}` |
/// | `conv_mid.0.*`, `conv_mid.1.*` | `generator/W10`, `b10`, `generator/W11`, `b11` |
/// | `conv_out.weight`, `conv_out.bias` | `generator/W12`, `generator/b12` |
///
/// (DPED creates its instance-norm variables without names, shift before scale, so
/// TensorFlow numbers them `Variable`, `Variable_1`, ... in creation order; `Variable_0` is
/// spelt `Variable`.)
public struct DPEDGenerator: Module {
    public var convIn: Conv2d
    public var blocks: [DPEDResidualBlock]
    public var convMid: [Conv2d]
    public var convOut: Conv2d

    /// The `dslrkit.architecture` metadata value of saved DPED generators.
    public static let architectureID = "dped-generator"

    /// The number of instance-norm layers, numbered 0..<8 in forward order (block i has
    /// layers 2i and 2i+1), as `TiledNormState` counts them.
    public static let normLayerCount = 8
    /// Pixels of context on each side that an output pixel depends on: the sum of the
    /// kernels' half-widths (4 + 8 × 1 + 2 × 1 + 4). Tiles overlapping by this much give
    /// exactly the untiled output once norm statistics are whole-photo.
    public let receptiveRadius: Int

    /// A new generator initialised as DPED does by default: kernels from a normal
    /// distribution of standard deviation 0.01 truncated at two deviations, biases 0.01, norm
    /// scale 1 and shift 0. Draws come from the engine's global generator (`Torch.manualSeed`).
    /// `channels` is the width of every hidden layer (DPED: 64).
    public init(
        channels: Int = 64, weightInit: Initializer = .truncatedNormal(std: 0.01), biasInit: Initializer = .constant(0.01)
    ) throws {
        func conv(_ i: Int, _ o: Int, _ k: Int) throws -> Conv2d {
            try Conv2d(i, o, kernel: k, padding: .same, weightInit: weightInit, biasInit: biasInit)
        }
        convIn = try conv(3, channels, 9)
        blocks = try (0..<4).map { _ in
            try DPEDResidualBlock(conv1: conv(channels, channels, 3), norm1: DPEDInstanceNorm(channels),
                                  conv2: conv(channels, channels, 3), norm2: DPEDInstanceNorm(channels))
        }
        convMid = try (0..<2).map { _ in try conv(channels, channels, 3) }
        convOut = try conv(channels, 3, 9)
        let convs = [convIn] + blocks.flatMap { [$0.conv1, $0.conv2] } + convMid + [convOut]
        receptiveRadius = convs.reduce(0) { $0 + ($1.weight.shape[2] - 1) / 2 }
    }

    /// Enhances NCHW RGB images in [0, 1]. With `norms`, instance norms use the whole-photo
    /// statistics it holds (or collect them), so a tile gives its part of the untiled result.
    public func callAsFunction(_ x: Tensor, norms: TiledNormState? = nil) throws -> Tensor {
        guard x.rank == 4, x.shape[1] == 3 else {
            throw TorchError("DPED generator: input must be NCHW RGB [N, 3, H, W], got \(x.shape)")
        }
        var h = try convIn(x).relu()
        for (i, block) in blocks.enumerated() {
            h = try block(h, firstLayer: 2 * i, norms: norms)
        }
        for conv in convMid { h = try conv(h).relu() }
        return try convOut(h).tanh() * 0.58 + 0.5
    }
}

/// One residual block of the DPED generator. The skip is added after the second ReLU, as in
/// DPED (`relu(norm(conv(x))) + x`), not before it as in He et al.
public struct DPEDResidualBlock: Module {
    public var conv1: Conv2d
    public var norm1: DPEDInstanceNorm
    public var conv2: Conv2d
    public var norm2: DPEDInstanceNorm

    /// Applies the block; its norms are layers `firstLayer` and `firstLayer + 1` of `norms`.
    public func callAsFunction(_ x: Tensor, firstLayer: Int, norms: TiledNormState?) throws -> Tensor {
        let h = try norm1(conv1(x), layer: firstLayer, state: norms).relu()
        return try norm2(conv2(h), layer: firstLayer + 1, state: norms).relu() + x
    }
}

extension DPEDGenerator: TileableNetwork {
    public var normLayerCount: Int { Self.normLayerCount }
    public var widestActivation: Int { convIn.weight.shape[0] }
    public func enhance(_ x: Tensor, norms: TiledNormState?) throws -> Tensor { try self(x, norms: norms) }
}

extension DPEDGenerator {
    /// DPED's generator as a registered architecture.
    public static let architecture = Architecture(
        name: architectureID,
        summary: "DPED's enhancer (Ignatov et al. 2017): 9x9 conv, 4 residual blocks with instance norms, tanh output",
        options: [OptionDeclaration("channels", .positiveInt, default: .number(64), help: "width of every hidden layer", maximum: 1024)],
        contract: { _ in .rgbEnhancer },
        // Files from before options were stored: the width is read from the weights.
        legacyOptions: { state in
            state.first { $0.0 == "conv_in.weight" }.map { ["channels": .number(Double($0.1.shape[0]))] } ?? [:]
        },
        // Ten 3×3 channels → channels convolutions.
        parameterFloor: { o in 90 * o.int("channels") * o.int("channels") },
        make: { o in
            let net = try DPEDGenerator(channels: o.int("channels"))
            return NetworkBody(
                module: net,
                tiling: TilingProfile(receptiveRadius: net.receptiveRadius, normLayerCount: normLayerCount,
                                      widestActivation: o.int("channels")),
                normForward: { try net($0, norms: $1) }, forward: { x, _ in try net(x) })
        })
}
