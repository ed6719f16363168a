import DSLRNN
import DSLRTensor

/// A small fully convolutional discriminator for any patch size: stride-2 3×3 convolutions
/// doubling the width (leaky ReLU 0.2), a 1×1 convolution to two logits per position, and
/// their spatial mean.
public struct PatchDiscriminator: Module {
    public var convs: [Conv2d]
    public var head: Conv2d

    public init(width: Int = 32, layers: Int = 4) throws {
        var channels = 1
        convs = []
        for i in 0..<layers {
            let out = width << min(i, 3)
            convs.append(try Conv2d(channels, out, kernel: 3, stride: 2, padding: .explicit(1, 1)))
            channels = out
        }
        head = try Conv2d(channels, 2, kernel: 1)
    }

    public func callAsFunction(_ gray: Tensor) throws -> Tensor {
        var h = gray
        for conv in convs { h = try conv(h).leakyRelu(0.2) }
        return try head(h).mean(dims: [2, 3])
    }

    /// The patch discriminator as a registered architecture.
    public static let architecture = Architecture(
        name: "patch",
        summary: "A fully convolutional discriminator for any patch size: stride-2 convolutions, mean of per-position logits",
        options: [
            OptionDeclaration("width", .positiveInt, default: .number(32), help: "channels of the first convolution", maximum: 1024),
            OptionDeclaration("layers", .positiveInt, default: .number(4), help: "stride-2 convolutions", maximum: 64),
        ],
        contract: { _ in .grayDiscriminator },
        make: { o in
            let net = try PatchDiscriminator(width: o.int("width"), layers: o.int("layers"))
            return NetworkBody(module: net, tiling: nil, forward: { x, _ in try net(x) })
        })
}
