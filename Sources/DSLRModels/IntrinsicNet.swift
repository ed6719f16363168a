import DSLRNN
import DSLRTensor

/// MDIE's intrinsic networks (Huang and Liu, section 3.2.1): the decomposition F, photo →
/// (albedo, shading), and the composition F', (albedo, shading) → photo, share one layout:
///
///     5 × [3×3 conv, stride 2, batch norm, ReLU]                  widths w, 2w, 4w, 8w, 16w
///     5 × [3×3 conv to 4·c, sub-pixel ×2, batch norm, ReLU]      c = 8w, 4w, 2w, w, w
///     3×3 conv to the output channels
///
/// The thesis gives the encoder (16 to 256 filters, so w = 16), "the same architecture with
/// the reversed order" for the decoder with sub-pixel upsampling (Shi et al.), and six
/// output channels for albedo and shading. Read here: each decoder stage mirrors one encoder
/// stage, its convolution making the 4·c channels that pixel shuffle turns into c at twice
/// the side; the last stage keeps w channels (mirroring the encoder's first input would
/// leave 3). F ends in a sigmoid on both halves, so albedo and shading lie in [0, 1] and
/// their product can be any photo; F' ends without an activation, like every DSLRKit
/// enhancer (results are clamped where photos are written).
///
/// The thesis describes an autoencoder without skip connections (the default): detail finer
/// than the 1/32 bottleneck is carried only by the 256 channels there, and a briefly trained
/// one recomposes photos grey and soft (docs/BENCHMARKS.md). `skips` adds U-Net's: each
/// decoder stage after the first also sees the encoder's map of its resolution, and the
/// output convolution the network's input, so colour and detail need not pass the bottleneck.
///
/// Batch norm in evaluation uses running statistics, so the network is a fixed function of a
/// neighbourhood and tiles exactly with no statistics passes.
public struct IntrinsicAutoencoder: Module {
    public var encoder: [IntrinsicStage]
    public var decoder: [IntrinsicStage]
    public var output: Conv2d
    /// Sigmoid on the output (the decomposition) or none (the composition).
    public let boundedOutput: Bool
    /// U-Net skip connections (not in the thesis).
    public let skips: Bool

    /// Stride-2 stages; inputs must be multiples of 2⁵ on each side.
    public static let depth = 5
    public static let sizeMultiple = 1 << depth

    public init(inputChannels: Int, outputChannels: Int, width: Int = 16, boundedOutput: Bool, skips: Bool = false) throws {
        let widths = (0..<Self.depth).map { width << $0 }
        var channels = inputChannels
        encoder = []
        for w in widths {
            encoder.append(try IntrinsicStage(channels, w, stride: 2, shuffle: false))
            channels = w
        }
        decoder = []
        // With skips, stage j > 0 also takes the encoder's map at its input's resolution.
        for (j, w) in (widths.dropLast().reversed() + [width]).enumerated() {
            let skipped = skips && j > 0 ? widths[Self.depth - 1 - j] : 0
            decoder.append(try IntrinsicStage(channels + skipped, w, stride: 1, shuffle: true))
            channels = w
        }
        output = try Conv2d(channels + (skips ? inputChannels : 0), outputChannels, kernel: 3, padding: .explicit(1, 1))
        self.boundedOutput = boundedOutput
        self.skips = skips
    }

    /// Input pixels each output pixel depends on, on each side: the encoder's 3×3 kernels at
    /// scales 1 to 16 (31), the decoder's at 32 down to 2 (62), the output's (1), and up to
    /// one bottleneck cell (32) of alignment.
    public static let receptiveRadius = 31 + 62 + 1 + 32

    /// [N, C, H, W] with H and W multiples of 32 → [N, outputChannels, H, W].
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4, x.shape[2] % Self.sizeMultiple == 0, x.shape[3] % Self.sizeMultiple == 0 else {
            throw TorchError("intrinsic network: input must be [N, C, H, W] with H and W multiples of \(Self.sizeMultiple), got \(x.shape)")
        }
        var h = x
        var maps: [Tensor] = []
        for stage in encoder {
            h = try stage(h)
            maps.append(h)
        }
        for (j, stage) in decoder.enumerated() {
            h = try stage(skips && j > 0 ? cat([h, maps[Self.depth - 1 - j]], dim: 1) : h)
        }
        let y = try output(skips ? cat([h, x], dim: 1) : h)
        return boundedOutput ? try y.sigmoid() : y
    }
}

/// One stage of `IntrinsicAutoencoder`: 3×3 convolution (stride 2 in the encoder; to 4·c
/// channels and pixel shuffle in the decoder), batch norm, ReLU.
public struct IntrinsicStage: Module {
    public var conv: Conv2d
    public var norm: BatchNorm2d
    public let shuffle: Bool

    init(_ inChannels: Int, _ outChannels: Int, stride: Int, shuffle: Bool) throws {
        conv = try Conv2d(inChannels, shuffle ? 4 * outChannels : outChannels, kernel: 3, stride: stride, padding: .explicit(1, 1))
        norm = try BatchNorm2d(outChannels)
        self.shuffle = shuffle
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let h = try conv(x)
        return try norm(shuffle ? pixelShuffle(h, factor: 2) : h).relu()
    }
}
