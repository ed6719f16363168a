import DSLRNN
import DSLRTensor

/// PPCN's teacher enhancement generator (Hui et al., "Perception-Preserving Convolutional
/// Networks for Image Enhancement on Smartphones", ECCV-W 2018; `teacher_generator` in
/// Zheng222/PPCN test/model_enhancement.py):
///
///     contrast ×1.2 around each channel's image mean (tf.image.adjust_contrast)
///     c0 = lrelu(conv 1×7, 3→16)          c1 = lrelu(conv 7×1, 16→16)
///     c3 = IN(conv 3×3 32→16 (lrelu(IN(conv 3×3 16→32 (c1))))) + c1
///     c5 = IN(conv 3×3 d2 32→16 (lrelu(IN(conv 3×3 d2 16→32 (c3))))) + c3
///     c6 = lrelu(conv 1×1 on [c3, c5], 32→16)
///     tanh(conv 3×3 16→3 (c6)) · 0.58 + 0.5
///
/// lrelu has slope 0.05; IN is DPED's instance norm (epsilon 1e-3, learned scale and shift);
/// every convolution has a bias and TensorFlow 'SAME' padding (d2: dilation 2, PPCN's
/// `atrous_conv2d`). `conv{n}` is PPCN's `W{n}`/`b{n}`; the norms after convolution n are
/// `norm{n}` (PPCN's unnamed `Variable_{2k}` shift and `Variable_{2k+1}` scale for the k-th).
/// Norm layers for tiling: 0 is the contrast step's channel means, 1...4 the instance norms.
public struct PPCNTeacher: Module {
    public var conv0: Conv2d
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
    public var conv7: Conv2d

    public static let architectureID = "ppcn-teacher"
    public static let normLayerCount = 5

    /// A new teacher initialised as PPCN does (truncated normal σ 0.01, biases 0.01).
    public init(weightInit: Initializer = .truncatedNormal(std: 0.01), biasInit: Initializer = .constant(0.01)) throws {
        let c = PPCNConv(weightInit: weightInit, biasInit: biasInit)
        conv0 = try c(3, 16, (1, 7)); conv1 = try c(16, 16, (7, 1))
        conv2 = try c(16, 32, (3, 3)); norm2 = try DPEDInstanceNorm(32)
        conv3 = try c(32, 16, (3, 3)); norm3 = try DPEDInstanceNorm(16)
        conv4 = try c(16, 32, (3, 3), dilation: 2); norm4 = try DPEDInstanceNorm(32)
        conv5 = try c(32, 16, (3, 3), dilation: 2); norm5 = try DPEDInstanceNorm(16)
        conv6 = try c(32, 16, (1, 1)); conv7 = try c(16, 3, (3, 3))
    }

    var convolutions: [Conv2d] { [conv0, conv1, conv2, conv3, conv4, conv5, conv6, conv7] }

    /// Enhances NCHW RGB in [0, 1]; with `norms`, every whole-image statistic is the photo's.
    public func callAsFunction(_ x: Tensor, norms: TiledNormState? = nil) throws -> Tensor {
        try withFeatures(x, norms: norms).output
    }

    /// The output and the maps PPCN's knowledge distillation compares (train/models.py's
    /// `out_c1`, `out_c6` before their channel mean): c1 and c6.
    public func withFeatures(_ x: Tensor, norms: TiledNormState? = nil) throws -> (output: Tensor, features: [Tensor]) {
        let input = try ppcnContrast(x, name: "PPCN teacher", norms: norms)
        let c0 = try ppcnLReLU(conv0(input))
        let c1 = try ppcnLReLU(conv1(c0))
        let c2 = try ppcnLReLU(norm2(conv2(c1), layer: 1, state: norms))
        let c3 = try norm3(conv3(c2), layer: 2, state: norms) + c1
        let c4 = try ppcnLReLU(norm4(conv4(c3), layer: 3, state: norms))
        let c5 = try norm5(conv5(c4), layer: 4, state: norms) + c3
        let c6 = try ppcnLReLU(conv6(cat([c3, c5], dim: 1)))
        return (try ppcnOutput(conv7(c6)), [c1, c6])
    }

    /// PPCN's TensorFlow variables (scope excluded) and the parameters they become.
    var tfNames: [(String, String, TFLayout)] {
        ppcnTFNames(convolutions: 8, norms: ["norm2", "norm3", "norm4", "norm5"])
    }

    public static let architecture = ppcnArchitecture(
        name: architectureID,
        summary: "PPCN's teacher (Hui et al. 2018): 1x7/7x1 convs, 2 residual blocks with instance norms (one dilated), tanh output",
        make: { try PPCNTeacher(weightInit: $0, biasInit: $1) },
        normLayerCount: normLayerCount, widest: 32)
}

/// PPCN's compact student enhancement generator (`student_generator` in Zheng222/PPCN
/// test/model_enhancement.py), 8 channels wide:
///
///     contrast ×1.2 around each channel's image mean
///     c0 = lrelu(conv 1×7, 3→8)           c1 = lrelu(conv 7×1, 8→8)
///     c2 = lrelu(IN(conv 1×7 d2, 8→16))   c3 = lrelu(IN(conv 7×1 d2, 16→8)) + c1
///     tanh(conv 3×3 8→3 (c3)) · 0.58 + 0.5
///
/// Conventions as `PPCNTeacher`; norm layers for tiling: 0 the contrast means, 1 and 2 the
/// instance norms.
public struct PPCNStudent: Module {
    public var conv0: Conv2d
    public var conv1: Conv2d
    public var conv2: Conv2d
    public var norm2: DPEDInstanceNorm
    public var conv3: Conv2d
    public var norm3: DPEDInstanceNorm
    public var conv4: Conv2d

    public static let architectureID = "ppcn-student"
    public static let normLayerCount = 3

    /// A new student initialised as PPCN does (truncated normal σ 0.01, biases 0.01).
    public init(weightInit: Initializer = .truncatedNormal(std: 0.01), biasInit: Initializer = .constant(0.01)) throws {
        let c = PPCNConv(weightInit: weightInit, biasInit: biasInit)
        conv0 = try c(3, 8, (1, 7)); conv1 = try c(8, 8, (7, 1))
        conv2 = try c(8, 16, (1, 7), dilation: 2); norm2 = try DPEDInstanceNorm(16)
        conv3 = try c(16, 8, (7, 1), dilation: 2); norm3 = try DPEDInstanceNorm(8)
        conv4 = try c(8, 3, (3, 3))
    }

    var convolutions: [Conv2d] { [conv0, conv1, conv2, conv3, conv4] }

    /// Enhances NCHW RGB in [0, 1]; with `norms`, every whole-image statistic is the photo's.
    public func callAsFunction(_ x: Tensor, norms: TiledNormState? = nil) throws -> Tensor {
        try withFeatures(x, norms: norms).output
    }

    /// The output and the maps PPCN's knowledge distillation compares with the teacher's
    /// (`out_c1`, `out_c3` before their channel mean): c1 and c3.
    public func withFeatures(_ x: Tensor, norms: TiledNormState? = nil) throws -> (output: Tensor, features: [Tensor]) {
        let input = try ppcnContrast(x, name: "PPCN student", norms: norms)
        let c0 = try ppcnLReLU(conv0(input))
        let c1 = try ppcnLReLU(conv1(c0))
        let c2 = try ppcnLReLU(norm2(conv2(c1), layer: 1, state: norms))
        let c3 = try ppcnLReLU(norm3(conv3(c2), layer: 2, state: norms)) + c1
        return (try ppcnOutput(conv4(c3)), [c1, c3])
    }

    var tfNames: [(String, String, TFLayout)] {
        ppcnTFNames(convolutions: 5, norms: ["norm2", "norm3"])
    }

    public static let architecture = ppcnArchitecture(
        name: architectureID,
        summary: "PPCN's compact student (Hui et al. 2018): 8-wide 1x7/7x1 convs, dilated, 2 instance norms, tanh output",
        make: { try PPCNStudent(weightInit: $0, biasInit: $1) },
        normLayerCount: normLayerCount, widest: 16)
}

/// Makes PPCN's convolutions: TensorFlow 'SAME' padding, biases, PPCN's initialisers.
struct PPCNConv {
    let weightInit: Initializer
    let biasInit: Initializer
    func callAsFunction(_ i: Int, _ o: Int, _ kernel: (Int, Int), dilation: Int = 1) throws -> Conv2d {
        try Conv2d(i, o, kernelSize: kernel, padding: .same, dilation: (dilation, dilation),
                   weightInit: weightInit, biasInit: biasInit)
    }
}

/// PPCN's generators' leaky ReLU, `max(0.05 x, x)`.
func ppcnLReLU(_ x: Tensor) throws -> Tensor { try x.leakyRelu(0.05) }

/// PPCN's output mapping, as DPED's: tanh · 0.58 + 0.5.
func ppcnOutput(_ x: Tensor) throws -> Tensor { try x.tanh() * 0.58 + 0.5 }

/// `tf.image.adjust_contrast(x, 1.2)`: each channel moved 1.2 times as far from its image
/// mean (norm layer 0 when tiled), with no clipping.
func ppcnContrast(_ x: Tensor, name: String, norms: TiledNormState?) throws -> Tensor {
    guard x.rank == 4, x.shape[1] == 3 else { throw TorchError("\(name): input must be NCHW RGB [N, 3, H, W], got \(x.shape)") }
    let mean = try photoMean(x, layer: 0, state: norms)
    return try (x - mean) * 1.2 + mean
}

/// PPCN's variable names: `W{n}`/`b{n}` for `conv{n}`, then the unnamed instance-norm
/// variables in creation order (shift before scale).
func ppcnTFNames(convolutions: Int, norms: [String]) -> [(String, String, TFLayout)] {
    var pairs: [(String, String, TFLayout)] = []
    for n in 0..<convolutions {
        pairs += [("conv\(n).weight", "W\(n)", .convolution), ("conv\(n).bias", "b\(n)", .identical)]
    }
    for (k, norm) in norms.enumerated() {
        pairs += [(norm + ".shift", unnamedTFVariable(2 * k), .identical), (norm + ".scale", unnamedTFVariable(2 * k + 1), .identical)]
    }
    return pairs
}

/// Pixels of context on each side: the sum of the convolutions' (dilated) half-extents.
func ppcnReceptiveRadius(_ convs: [Conv2d]) -> Int {
    convs.reduce(0) { sum, c in
        let k = c.weight.shape
        return sum + max((k[2] - 1) * c.dilation[0], (k[3] - 1) * c.dilation[1]) / 2
    }
}

/// A PPCN generator as a registered architecture (no options: PPCN's widths are fixed).
func ppcnArchitecture<Net: PPCNGenerator>(
    name: String, summary: String, make: @escaping @Sendable (Initializer, Initializer) throws -> Net,
    normLayerCount: Int, widest: Int
) -> Architecture {
    Architecture(
        name: name, summary: summary, contract: { _ in .rgbEnhancer },
        make: { _ in
            let net = try make(.truncatedNormal(std: 0.01), .constant(0.01))
            return NetworkBody(
                module: net,
                tiling: TilingProfile(receptiveRadius: ppcnReceptiveRadius(net.convolutions), normLayerCount: normLayerCount,
                                      widestActivation: widest),
                normForward: { try net($0, norms: $1) },
                distillationForward: { try net.withFeatures($0, norms: nil) },
                forward: { x, _ in try net(x, norms: nil) })
        })
}

/// What the PPCN generators share, for building and importing them alike.
protocol PPCNGenerator: PPCNTFNamed {
    var convolutions: [Conv2d] { get }
    func callAsFunction(_ x: Tensor, norms: TiledNormState?) throws -> Tensor
    func withFeatures(_ x: Tensor, norms: TiledNormState?) throws -> (output: Tensor, features: [Tensor])
}

extension PPCNTeacher: PPCNGenerator {}
extension PPCNStudent: PPCNGenerator {}
