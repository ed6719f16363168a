import DSLRMetrics
import DSLRNN
import DSLRTensor

/// PPCN's texture discriminator (`adversarial` in Zheng222/PPCN train/models.py): DPED's
/// design, wider and one convolution deeper, on 100×100 grayscale patches.
///
///     conv 9×9 /4, 64   → leaky ReLU 0.2
///     conv 5×5 /2, 128  → leaky ReLU → instance norm
///     conv 3×3 /1, 192  → leaky ReLU → instance norm   (twice)
///     conv 3×3 /2, 256  → leaky ReLU → instance norm
///     conv 3×3 /1, 256  → leaky ReLU → instance norm   (100 → 25 → 13 → 13 → 13 → 7 → 7)
///     dense 256·7·7 → 1024, leaky ReLU; dense 1024 → 2, softmax
///
/// Conventions (TensorFlow 'SAME' padding, NHWC flattening, column 0 "DSLR", the unnamed
/// variables in creation order) are `DPEDDiscriminator`'s.
public struct PPCNDiscriminator: Module {
    public var conv1: Conv2d
    public var conv2: Conv2d
    public var norm2: DPEDInstanceNorm
    public var conv3: Conv2d
    public var norm3: DPEDInstanceNorm
    public var conv4: Conv2d
    public var norm4: DPEDInstanceNorm
    public var conv5: Conv2d
    public var norm5: DPEDInstanceNorm
    public var conv6: Conv2d
    public var norm6: DPEDInstanceNorm
    public var fc: Linear
    public var out: Linear

    public static let patchSize = 100

    /// A new discriminator initialised as PPCN does (truncated normal σ 0.01, biases 0.01).
    public init(weightInit: Initializer = .truncatedNormal(std: 0.01), biasInit: Initializer = .constant(0.01)) throws {
        func conv(_ i: Int, _ o: Int, _ k: Int, _ s: Int) throws -> Conv2d {
            try Conv2d(i, o, kernel: k, stride: s, padding: .same, weightInit: weightInit, biasInit: biasInit)
        }
        conv1 = try conv(1, 64, 9, 4)
        conv2 = try conv(64, 128, 5, 2); norm2 = try DPEDInstanceNorm(128)
        conv3 = try conv(128, 192, 3, 1); norm3 = try DPEDInstanceNorm(192)
        conv4 = try conv(192, 192, 3, 1); norm4 = try DPEDInstanceNorm(192)
        conv5 = try conv(192, 256, 3, 2); norm5 = try DPEDInstanceNorm(256)
        conv6 = try conv(256, 256, 3, 1); norm6 = try DPEDInstanceNorm(256)
        fc = try Linear(256 * 7 * 7, 1024, weightInit: weightInit, biasInit: biasInit)
        out = try Linear(1024, 2, weightInit: weightInit, biasInit: biasInit)
    }

    var stages: [(conv: Conv2d, norm: DPEDInstanceNorm?)] {
        [(conv1, nil), (conv2, norm2), (conv3, norm3), (conv4, norm4), (conv5, norm5), (conv6, norm6)]
    }

    /// The two pre-softmax scores of grayscale patches [N, 1, 100, 100].
    public func logits(grayscale x: Tensor) throws -> Tensor {
        try texturalLogits(x, stages: stages, fc: fc, out: out, name: "PPCN discriminator", patchSize: Self.patchSize)
    }

    /// Class probabilities of RGB patches, converted to grayscale as PPCN's training graph does.
    public func callAsFunction(_ rgb: Tensor) throws -> Tensor {
        try logits(grayscale: grayscale(rgb)).softmax(dim: 1)
    }

    public static let architecture = Architecture(
        name: "ppcn-discriminator",
        summary: "PPCN's adversary: 6 leaky-ReLU convolutions with instance norms, 2 dense layers, on grayscale 100x100 patches",
        contract: { _ in .grayDiscriminator },
        make: { _ in
            let net = try PPCNDiscriminator()
            return NetworkBody(module: net, tiling: nil, forward: { x, _ in try net.logits(grayscale: x) })
        })
}

extension PPCNDiscriminator: DPEDTFNetwork {
    public static let tfScope = "discriminator"
    public static let architectureName = "PPCN discriminator"
    public var tfVariables: [DPEDTFVariable] { tfVariables(texturalTFPairs(convolutions: 6)) }
}
