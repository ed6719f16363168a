import DSLRNN
import DSLRTensor

/// PPCN's ×4 super-resolution network (`Generator` in Zheng222/PPCN
/// test/model_super_resolution.py). It works on a photo already enlarged ×4 by bicubic
/// interpolation (its contract's `inputUpscale`) and returns the same size:
///
///     x·255 minus each channel's image mean m
///     lrelu(conv 3×3 /2, 3→32), lrelu(conv 3×3 /2, 32→64)      (¼ resolution)
///     t = conv 3×3 64→32
///     u = trans1(res1₁(res1₀(t))) + t;  v = trans2(res2₁(res2₀(u))) + u
///     w = tail(v) + t
///     pixel shuffle ×4 (conv 3×3 32→32, conv 3×3 32→48), then (· + m) / 255
///
/// A residual block is `x + conv 3×3 64→32 (lrelu(conv 3×3 32→64 (x)))`; lrelu has slope
/// 0.05; convolutions have biases and TensorFlow 'SAME' padding (asymmetric when strided).
/// PPCN splits the 48 channels into three colour groups of 16 before `depth_to_space`, which
/// is exactly PyTorch's pixel shuffle of 48 channels. The channel means are a whole-image
/// statistic (norm layer 0 for tiling); sizes are multiples of 4 (the tiler pads).
///
/// Parameters and PPCN's TensorFlow names (scope `generator`, `tf.layers.conv2d`'s `kernel`
/// and `bias`): `downsample1` = `downsample/1`, `downsample2` = `downsample/2`, `head` =
/// `n64s1/c1`, `res1.i.conv{1,2}` = `res1/i/conv{1,2}`, `trans1` = `trans/1`, `res2…`,
/// `trans2` = `trans/2`, `tail` = `n64s1/c/m`, `upsample1` = `conv2d`, `upsample2` = `conv2d_1`.
public struct PPCNSuperResolution: Module {
    public var downsample1: Conv2d
    public var downsample2: Conv2d
    public var head: Conv2d
    public var res1: [PPCNResidualBlock]
    public var trans1: Conv2d
    public var res2: [PPCNResidualBlock]
    public var trans2: Conv2d
    public var tail: Conv2d
    public var upsample1: Conv2d
    public var upsample2: Conv2d

    public static let architectureID = "ppcn-sr"
    /// The bicubic enlargement the network expects before it.
    public static let upscale = 4

    /// A new network initialised as `tf.layers.conv2d` does (Glorot uniform kernels, zero biases).
    public init(weightInit: Initializer = .xavierUniform, biasInit: Initializer = .constant(0)) throws {
        func conv(_ i: Int, _ o: Int, stride: Int = 1) throws -> Conv2d {
            try Conv2d(i, o, kernel: 3, stride: stride, padding: .same, weightInit: weightInit, biasInit: biasInit)
        }
        func block() throws -> PPCNResidualBlock { PPCNResidualBlock(conv1: try conv(32, 64), conv2: try conv(64, 32)) }
        downsample1 = try conv(3, 32, stride: 2)
        downsample2 = try conv(32, 64, stride: 2)
        head = try conv(64, 32)
        res1 = try [block(), block()]
        trans1 = try conv(32, 32)
        res2 = try [block(), block()]
        trans2 = try conv(32, 32)
        tail = try conv(32, 32)
        upsample1 = try conv(32, 32)
        upsample2 = try conv(32, 3 * Self.upscale * Self.upscale)
    }

    /// Input pixels each output pixel depends on, on each side: two strided convolutions
    /// (1 + 2), fourteen 3×3 convolutions at a quarter of the resolution (14 · 4) and the
    /// pixel shuffle's 4×4 block.
    public static let receptiveRadius = 1 + 2 + 14 * 4 + 4

    /// Sharpens a bicubically enlarged NCHW RGB photo in [0, 1] (sides multiples of 4).
    public func callAsFunction(_ x: Tensor, norms: TiledNormState? = nil) throws -> Tensor {
        guard x.rank == 4, x.shape[1] == 3 else { throw TorchError("PPCN SR: input must be NCHW RGB [N, 3, H, W], got \(x.shape)") }
        let scaled = try x * 255
        let mean = try photoMean(scaled, layer: 0, state: norms)
        var n = try ppcnLReLU(downsample1(scaled - mean))
        n = try ppcnLReLU(downsample2(n))
        let t = try head(n)
        n = t
        for block in res1 { n = try block(n) }
        let u = try trans1(n) + t
        n = u
        for block in res2 { n = try block(n) }
        n = try tail(trans2(n) + u) + t
        n = try pixelShuffle(upsample2(upsample1(n)), factor: Self.upscale)
        return try (n + mean) / 255
    }

    var tfNames: [(String, String, TFLayout)] {
        var layers = [("downsample1", "downsample/1"), ("downsample2", "downsample/2"), ("head", "n64s1/c1")]
        for i in 0..<2 { layers += [("res1.\(i).conv1", "res1/\(i)/conv1"), ("res1.\(i).conv2", "res1/\(i)/conv2")] }
        layers.append(("trans1", "trans/1"))
        for i in 0..<2 { layers += [("res2.\(i).conv1", "res2/\(i)/conv1"), ("res2.\(i).conv2", "res2/\(i)/conv2")] }
        layers += [("trans2", "trans/2"), ("tail", "n64s1/c/m"), ("upsample1", "conv2d"), ("upsample2", "conv2d_1")]
        return layers.flatMap { name, tf in
            [(name + ".weight", tf + "/kernel", TFLayout.convolution), (name + ".bias", tf + "/bias", TFLayout.identical)]
        }
    }

    public static let architecture = Architecture(
        name: architectureID,
        summary: "PPCN's x4 super-resolution (Hui et al. 2018): on a bicubic x4 enlargement, 2 stride-2 convs, 4 residual blocks, pixel shuffle",
        contract: { _ in ArchitectureContract(sizeMultiple: 4, inputUpscale: upscale) },
        make: { _ in
            let net = try PPCNSuperResolution()
            return NetworkBody(
                module: net,
                tiling: TilingProfile(receptiveRadius: receptiveRadius, normLayerCount: 1, widestActivation: 16),
                normForward: { try net($0, norms: $1) }, forward: { x, _ in try net(x) })
        })
}

/// One residual block of PPCN's super-resolution network: `x + conv2(lrelu(conv1(x)))`.
public struct PPCNResidualBlock: Module {
    public var conv1: Conv2d
    public var conv2: Conv2d

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try x + conv2(ppcnLReLU(conv1(x)))
    }
}
