import DSLRMetrics
import DSLRNN
import DSLRTensor

/// DPED's texture discriminator (`adversarial` in aiff22/DPED models.py): it sees 100×100
/// grayscale patches and tells enhanced photos from DSLR photos.
///
///     conv 11×11 /4, 48  → leaky ReLU 0.2
///     conv  5×5  /2, 128 → leaky ReLU → instance norm
///     conv  3×3  /1, 192 → leaky ReLU → instance norm
///     conv  3×3  /1, 192 → leaky ReLU → instance norm
///     conv  3×3  /2, 128 → leaky ReLU → instance norm     (100 → 25 → 13 → 13 → 13 → 7)
///     dense 128·7·7 → 1024, leaky ReLU; dense 1024 → 2, softmax
///
/// Convolutions use TensorFlow 'SAME' padding (asymmetric for the strided ones, see
/// `ConvPadding.same`). The features are flattened in TensorFlow's NHWC order, so `fc`'s
/// weight is DPED's `W_fc` transposed with no reordering of its input dimension. Column 0
/// of the output is DPED's "DSLR" probability (target `adv_`), column 1 "enhanced".
///
/// Parameter names and DPED's (all unnamed in DPED, numbered in creation order):
/// `conv1.weight`/`.bias` = `discriminator/Variable`, `_1`; `conv{j}` for j = 2...5 =
/// `Variable_{4j-6}`, `_{4j-5}`, with `norm{j}.shift`, `.scale` = `_{4j-4}`, `_{4j-3}`;
/// `fc.weight`/`.bias` = `_18`, `_19`; `out.weight`/`.bias` = `_20`, `_21`.
public struct DPEDDiscriminator: Module {
    public var conv1: Conv2d
    public var conv2: Conv2d
    public var norm2: DPEDInstanceNorm
    public var conv3: Conv2d
    public var norm3: DPEDInstanceNorm
    public var conv4: Conv2d
    public var norm4: DPEDInstanceNorm
    public var conv5: Conv2d
    public var norm5: DPEDInstanceNorm
    public var fc: Linear
    public var out: Linear

    /// The patch side DPED trains on; the dense layer fixes it (sides 97...112 also reduce to 7).
    public static let patchSize = 100

    /// A new discriminator initialised as DPED does by default (truncated normal σ 0.01,
    /// biases 0.01, norm scale 1 and shift 0).
    public init(weightInit: Initializer = .truncatedNormal(std: 0.01), biasInit: Initializer = .constant(0.01)) throws {
        func conv(_ i: Int, _ o: Int, _ k: Int, _ s: Int) throws -> Conv2d {
            try Conv2d(i, o, kernel: k, stride: s, padding: .same, weightInit: weightInit, biasInit: biasInit)
        }
        func dense(_ i: Int, _ o: Int) throws -> Linear {
            try Linear(i, o, weightInit: weightInit, biasInit: biasInit)
        }
        conv1 = try conv(1, 48, 11, 4)
        conv2 = try conv(48, 128, 5, 2)
        norm2 = try DPEDInstanceNorm(128)
        conv3 = try conv(128, 192, 3, 1)
        norm3 = try DPEDInstanceNorm(192)
        conv4 = try conv(192, 192, 3, 1)
        norm4 = try DPEDInstanceNorm(192)
        conv5 = try conv(192, 128, 3, 2)
        norm5 = try DPEDInstanceNorm(128)
        fc = try dense(128 * 7 * 7, 1024)
        out = try dense(1024, 2)
    }

    /// The convolutions in order, each with the instance norm after it (none after the first).
    var stages: [(conv: Conv2d, norm: DPEDInstanceNorm?)] {
        [(conv1, nil), (conv2, norm2), (conv3, norm3), (conv4, norm4), (conv5, norm5)]
    }

    /// The two pre-softmax scores of grayscale patches [N, 1, 100, 100].
    public func logits(grayscale x: Tensor) throws -> Tensor {
        try texturalLogits(x, stages: stages, fc: fc, out: out, name: "DPED discriminator", patchSize: Self.patchSize)
    }

    /// Class probabilities (softmax of `logits`) of grayscale patches.
    public func probabilities(grayscale x: Tensor) throws -> Tensor {
        try logits(grayscale: x).softmax(dim: 1)
    }

    /// Class probabilities of RGB patches [N, 3, 100, 100], converted to grayscale first with
    /// `tf.image.rgb_to_grayscale`'s weights, as DPED's training graph does
    /// (`DSLRMetrics.grayscale`).
    public func callAsFunction(_ rgb: Tensor) throws -> Tensor {
        try probabilities(grayscale: grayscale(rgb))
    }
}

/// The forward pass of DPED's and PPCN's discriminators: each convolution followed by leaky
/// ReLU 0.2 and its instance norm (norm layer k for the k-th), the features flattened in
/// TensorFlow's NHWC order, a dense layer with leaky ReLU and the two logits.
func texturalLogits(
    _ x: Tensor, stages: [(conv: Conv2d, norm: DPEDInstanceNorm?)], fc: Linear, out: Linear, name: String, patchSize: Int
) throws -> Tensor {
    guard x.rank == 4, x.shape[1] == 1 else {
        throw TorchError("\(name): input must be grayscale [N, 1, H, W], got \(x.shape)")
    }
    let slope = 0.2
    var h = x
    var normLayer = 0
    for stage in stages {
        h = try stage.conv(h).leakyRelu(slope)
        if let norm = stage.norm {
            h = try norm(h, layer: normLayer)
            normLayer += 1
        }
    }
    let features = fc.weight.shape[1]
    guard h.shape[1] * h.shape[2] * h.shape[3] == features else {
        throw TorchError("\(name): \(x.shape[2])×\(x.shape[3]) patches give \(h.shape[1])×\(h.shape[2])×\(h.shape[3]) features, the dense layer needs \(features) (use \(patchSize)×\(patchSize) patches)")
    }
    let flat = try h.permute([0, 2, 3, 1]).reshape([h.shape[0], features])
    return try out(fc(flat).leakyRelu(slope))
}

extension DPEDDiscriminator {
    /// DPED's discriminator as a registered architecture (grayscale 100×100 patches).
    public static let architecture = Architecture(
        name: "dped-discriminator",
        summary: "DPED's adversary: 5 leaky-ReLU convolutions with instance norms, 2 dense layers, on grayscale 100x100 patches",
        contract: { _ in .grayDiscriminator },
        make: { _ in
            let net = try DPEDDiscriminator()
            return NetworkBody(module: net, tiling: nil, forward: { x, _ in try net.logits(grayscale: x) })
        })
}
