import DSLRNN
import DSLRTensor

// The GAN of Prakash and Phumbhra, "Image Enhancement using Generative Adversarial Networks"
// (IJITEE 2020; the project's seed paper 001). The paper fixes only: a generator "entirely
// convolutional with 32 channels", ReLU after every layer but the last, tanh at the output;
// a discriminator of "seven convolutional layers" with leaky ReLU and a last dense layer
// with a sigmoid, on grayscale images (the texture loss); and the loss α content (VGG-16
// relu2_2 and relu3_3) + 0.3 texture + 0.2 colour, trained on DPED's pairs. Everything else
// below is a choice, stated where it is made.

/// Seed 001's generator: plain convolutions of width `channels` (the paper's 32), each but the
/// last followed by ReLU.
///
///     9×9 conv 3→C, ReLU
///     `layers` × [3×3 conv C→C, ReLU]
///     9×9 conv C→3, tanh(x) · 0.58 + 0.5
///
/// The paper gives neither depth nor kernel sizes. It trains on DPED's data with DPED's
/// colour and texture losses, so the outer layers are DPED's 9×9 ones, with four 3×3 layers
/// between (as many as DPED's residual blocks): with no skips or norms, a short ReLU stack
/// still trains from Keras's default (Glorot-uniform kernels, zero biases), which is used
/// here since the paper names no initialiser. The output is DPED's tanh · 0.58 + 0.5, so
/// that 0 and 1 are reached at finite pre-activations rather than tanh's limits.
public struct GAN001Generator: Module {
    public var convs: [Conv2d]

    public static let architectureID = "gan001-generator"

    /// Input pixels of context per output pixel, on each side: 4 + `layers` + 4.
    public var receptiveRadius: Int { convs.reduce(0) { $0 + ($1.weight.shape[2] - 1) / 2 } }

    public init(channels: Int = 32, layers: Int = 4) throws {
        func conv(_ i: Int, _ o: Int, _ k: Int) throws -> Conv2d {
            try Conv2d(i, o, kernel: k, padding: .same, weightInit: .xavierUniform, biasInit: .constant(0))
        }
        convs = try [conv(3, channels, 9)] + (0..<layers).map { _ in try conv(channels, channels, 3) } + [conv(channels, 3, 9)]
    }

    /// Enhances NCHW RGB images in [0, 1].
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4, x.shape[1] == 3 else {
            throw TorchError("seed-001 generator: input must be NCHW RGB [N, 3, H, W], got \(x.shape)")
        }
        var h = x
        for conv in convs.dropLast() { h = try conv(h).relu() }
        return try convs[convs.count - 1](h).tanh() * 0.58 + 0.5
    }

    /// Seed 001's generator as a registered architecture.
    public static let architecture = Architecture(
        name: architectureID,
        summary: "Seed 001's generator (Prakash and Phumbhra 2020): plain 32-channel ReLU convolutions, tanh output",
        options: [
            OptionDeclaration("channels", .positiveInt, default: .number(32), help: "width of every hidden layer", maximum: 1024),
            OptionDeclaration("layers", .positiveInt, default: .number(4), help: "3x3 layers between the 9x9 ones", maximum: 256),
        ],
        contract: { _ in .rgbEnhancer },
        parameterFloor: { o in o.int("layers") * 9 * o.int("channels") * o.int("channels") },
        make: { o in
            let net = try GAN001Generator(channels: o.int("channels"), layers: o.int("layers"))
            return NetworkBody(
                module: net, tiling: TilingProfile(receptiveRadius: net.receptiveRadius, widestActivation: o.int("channels")),
                forward: { x, _ in try net(x) })
        })
}

/// Seed 001's discriminator: seven 3×3 convolutions with leaky ReLU 0.2 on grayscale
/// 100×100 patches, then one dense layer to a single logit (the paper's sigmoid is applied
/// by the loss, as BCE with logits).
///
///     conv 3×3 /1, W     conv 3×3 /2, W        (100 → 100 → 50)
///     conv 3×3 /1, 2W    conv 3×3 /2, 2W       (→ 50 → 25)
///     conv 3×3 /1, 4W    conv 3×3 /2, 4W       (→ 25 → 13)
///     conv 3×3 /1, 8W                          (→ 13)
///     dense 8W·13·13 → 1
///
/// The paper gives only the counts. The layers are the first seven of SRGAN's discriminator
/// (Ledig et al. 2017, which the paper cites as its model for GAN-based enhancement): 3×3
/// kernels, strides alternating 1 and 2, width doubling every second layer from W = 64,
/// leaky ReLU 0.2. SRGAN's batch norms are left out, since the paper names none and a batch
/// norm would mix the real and enhanced halves of a discriminator step. Padding is
/// TensorFlow's 'SAME' (the paper's code is Keras), and the dense layer fixes the patch side
/// at DPED's 100 as DPED's discriminator does.
public struct GAN001Discriminator: Module {
    public var convs: [Conv2d]
    public var dense: Linear

    public static let architectureID = "gan001-discriminator"
    /// The patch side the dense layer is built for.
    public static let patchSize = 100
    /// The leaky ReLU slope (SRGAN's and DPED's).
    public static let slope = 0.2

    public init(width: Int = 64) throws {
        let widths = [1, 1, 2, 2, 4, 4, 8].map { $0 * width }
        var channels = 1, side = Self.patchSize
        convs = []
        for (i, out) in widths.enumerated() {
            let stride = i % 2 == 1 ? 2 : 1
            convs.append(try Conv2d(channels, out, kernel: 3, stride: stride, padding: .same,
                                    weightInit: .xavierUniform, biasInit: .constant(0)))
            channels = out
            side = (side + stride - 1) / stride
        }
        dense = try Linear(channels * side * side, 1, weightInit: .xavierUniform, biasInit: .constant(0))
    }

    /// One logit per grayscale patch [N, 1, 100, 100]: positive means "DSLR photo".
    public func logits(grayscale x: Tensor) throws -> Tensor {
        guard x.rank == 4, x.shape[1] == 1 else {
            throw TorchError("seed-001 discriminator: input must be grayscale [N, 1, H, W], got \(x.shape)")
        }
        var h = x
        for conv in convs { h = try conv(h).leakyRelu(Self.slope) }
        let features = dense.weight.shape[1]
        guard h.shape[1] * h.shape[2] * h.shape[3] == features else {
            throw TorchError("seed-001 discriminator: \(x.shape[2])×\(x.shape[3]) patches give \(h.shape[1])×\(h.shape[2])×\(h.shape[3]) features, the dense layer needs \(features) (use \(Self.patchSize)×\(Self.patchSize) patches)")
        }
        return try dense(h.reshape([h.shape[0], features]))
    }

    /// Seed 001's discriminator as a registered architecture: [N, 1] logits.
    public static let architecture = Architecture(
        name: architectureID,
        summary: "Seed 001's adversary: 7 leaky-ReLU convolutions and a dense single-logit head, on grayscale 100x100 patches",
        options: [OptionDeclaration("width", .positiveInt, default: .number(64), help: "channels of the first two convolutions", maximum: 1024)],
        contract: { _ in .grayOneLogitDiscriminator },
        make: { o in
            let net = try GAN001Discriminator(width: o.int("width"))
            return NetworkBody(module: net, tiling: nil, forward: { x, _ in try net.logits(grayscale: x) })
        })
}
