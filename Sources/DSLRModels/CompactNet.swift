import DSLRNN
import DSLRTensor

/// DSLRKit's compact default enhancer: a small, fully convolutional, stride-1 network whose
/// output pixel depends only on a fixed neighbourhood, so tiling is exact and needs no
/// statistics pass.
///
///     conv_in 3×3, 3 → w, leaky ReLU 0.2
///     block k (k = 0..<d.count): h + conv 1×1(leaky(conv 3×3 dilation dₖ (h)))   [w → w]
///     conv_out 3×3, w → 6 = (gain g, offset b) per RGB channel
///     y = x · (1 + g) + b
///
/// The dilations (default 1, 2, 4, 8, 16, 32, 1, 1) give a receptive radius of 67 pixels at
/// a cost of about 10·w² multiply-adds per pixel per block. The gain/offset head makes
/// exposure, white balance and colour changes a smooth per-pixel affine map of the input —
/// a "global" colour path that is still local — while the offset also carries detail.
/// `conv_out` starts at zero, so an untrained network is exactly the identity.
public struct CompactNet: Module {
    public var convIn: Conv2d
    public var blocks: [CompactBlock]
    public var convOut: Conv2d
    /// The blocks' dilations (int64), saved with the weights so a file alone rebuilds the net.
    public var dilationTable: Buffer

    /// The `dslrkit.architecture` metadata value.
    public static let architectureID = "dslrkit-compact"
    /// Default dilations of the residual blocks.
    public static let defaultDilations = [1, 2, 4, 8, 16, 32, 1, 1]
    static let slope = 0.2

    /// A new network of width `width` with one block per dilation. Draws come from the engine's
    /// global generator (`Torch.manualSeed`).
    public init(width: Int = 32, dilations: [Int] = CompactNet.defaultDilations) throws {
        guard width > 0, !dilations.isEmpty, dilations.allSatisfy({ $0 > 0 }) else {
            throw TorchError("dslrkit-compact: width and dilations must be positive, got width \(width), dilations \(dilations.prefix(8))")
        }
        // The receptive radius is their sum, and the tiler does arithmetic with it.
        guard dilations.reduce(0, { $0 &+ min($1, 1 << 32) }) <= 1 << 32 else {
            throw TorchError("dslrkit-compact: the dilations add up to more than \(1 << 32)", kind: .badArgument)
        }
        convIn = try Conv2d(3, width, kernel: 3, padding: .explicit(1, 1))
        blocks = try dilations.map { d in
            try CompactBlock(
                conv: Conv2d(width, width, kernel: 3, padding: .explicit(d, d), dilation: d),
                mix: Conv2d(width, width, kernel: 1))
        }
        convOut = try Conv2d(width, 6, kernel: 3, padding: .explicit(1, 1), weightInit: .constant(0), biasInit: .constant(0))
        dilationTable = Buffer(try Tensor(dilations.map(Int64.init), shape: [dilations.count]))
    }

    /// The blocks' dilations.
    public var dilations: [Int] { blocks.map { $0.conv.dilation[0] } }

    /// Enhances NCHW RGB in [0, 1]. Training uses this unclamped output; `enhance` clamps.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4, x.shape[1] == 3 else {
            throw TorchError("dslrkit-compact: input must be NCHW RGB [N, 3, H, W], got \(x.shape)")
        }
        var h = try convIn(x).leakyRelu(Self.slope)
        for block in blocks { h = try block(h) }
        let head = try convOut(h)
        let gain = try head.narrow(1, start: 0, length: 3)
        let offset = try head.narrow(1, start: 3, length: 3)
        return try x * (gain + 1) + offset
    }
}

/// One residual block of `CompactNet`: a dilated 3×3 convolution for context, then a 1×1
/// convolution to mix channels, added to the input.
public struct CompactBlock: Module {
    public var conv: Conv2d
    public var mix: Conv2d

    public func callAsFunction(_ h: Tensor) throws -> Tensor {
        try h + mix(conv(h).leakyRelu(CompactNet.slope))
    }
}

extension CompactNet: TileableNetwork {
    /// 1 (conv_in) + Σ dilations + 1 (conv_out): the 1×1 mixes add none.
    public var receptiveRadius: Int { 2 + dilations.reduce(0, +) }
    public var normLayerCount: Int { 0 }
    public func enhance(_ x: Tensor, norms: TiledNormState?) throws -> Tensor {
        try self(x).clamp(min: 0, max: 1)
    }
}

extension CompactNet {
    /// The compact network as a registered architecture.
    public static let architecture = Architecture(
        name: architectureID,
        summary: "DSLRKit's compact enhancer: dilated residual blocks, per-pixel gain and offset; exact in tiles",
        options: [
            OptionDeclaration("width", .positiveInt, default: .number(32), help: "channels of every block", maximum: 1024),
            OptionDeclaration("dilations", .positiveInts, default: .text(defaultDilations.map(String.init).joined(separator: ",")),
                              help: "one residual block per dilation", maximum: 1024, maxCount: 256),
        ],
        contract: { _ in .rgbEnhancer },
        // Files from before options were stored: width and dilations are read from the tensors.
        legacyOptions: { state in
            var given: [String: OptionValue] = [:]
            if let w = state.first(where: { $0.0 == "conv_in.weight" })?.1.shape.first { given["width"] = .number(Double(w)) }
            if let table = state.first(where: { $0.0 == "dilation_table" })?.1,
               let values = try? table.to(.int64).toArray(Int64.self), !values.isEmpty {
                given["dilations"] = .text(values.map(String.init).joined(separator: ","))
            }
            return given
        },
        // conv_in, per block a 3×3 and a 1×1 w → w convolution, conv_out (biases left out).
        parameterFloor: { o in 27 * o.int("width") + o.ints("dilations").count * 10 * o.int("width") * o.int("width") + 54 * o.int("width") },
        make: { o in
            let net = try CompactNet(width: o.int("width"), dilations: o.ints("dilations"))
            return NetworkBody(
                module: net, tiling: TilingProfile(receptiveRadius: net.receptiveRadius, widestActivation: o.int("width")),
                forward: { x, _ in try net(x) })
        })
}
