import DSLRNN
import DSLRTensor

/// MDIE's Decompose-Enhance-Reconstruct network (Huang and Liu, section 3.2): the intrinsic
/// decomposition F (photo → albedo, shading), StarGAN's generator G on the six intrinsic
/// channels with a domain label, and the composition F' back to a photo:
///
///     y = F'(G(F(x), c̃))
///
/// One module, so that one weights file holds the whole pipeline and the tiler runs it as
/// any enhancer (exactly: F and F' use batch norm's running statistics, G's instance norms
/// take whole-photo statistics). The training algorithms reach the parts by downcasting the
/// network's module: `intrinsic` trains F and F', `stargan` trains G on F's output.
///
/// The label c̃ = [c₁…cₙ, m₁…mₙ]: attribute values (0 low, 1 high quality) and the mask vector
/// (which attributes the label speaks for). Without a label the network enhances every
/// attribute, as the thesis' inference setting: all cᵢ = 1 and all mᵢ = 1.
public struct MDIENetwork: Module {
    public var decomposer: IntrinsicAutoencoder
    public var translator: StarGANGenerator
    public var composer: IntrinsicAutoencoder
    /// Attributes (domains) of the label: colour, texture, noise.
    public let attributes: Int

    public static let architectureID = "mdie"
    /// The attribute names in label order, as `dslr enhance --domains` spells them.
    public static let attributeNames = ["color", "texture", "noise"]
    /// Channels of an intrinsic image: albedo then shading, three each.
    public static let intrinsicChannels = 6

    public init(attributes: Int = 3, intrinsicWidth: Int = 16, width: Int = 64, blocks: Int = 6, residual: Bool = true,
                skips: Bool = false) throws {
        decomposer = try IntrinsicAutoencoder(inputChannels: 3, outputChannels: Self.intrinsicChannels, width: intrinsicWidth,
                                              boundedOutput: true, skips: skips)
        translator = try StarGANGenerator(channels: Self.intrinsicChannels, conditionChannels: 2 * attributes, width: width,
                                          blocks: blocks, residual: residual)
        composer = try IntrinsicAutoencoder(inputChannels: Self.intrinsicChannels, outputChannels: 3, width: intrinsicWidth,
                                            boundedOutput: false, skips: skips)
        self.attributes = attributes
    }

    /// The label asking for high quality in `enhanced` attributes (all when nil) and saying
    /// nothing of the others (their value and mask 0): [count, 2·attributes] float32.
    public static func label(attributes: Int, enhancing enhanced: Set<Int>? = nil, count: Int = 1) throws -> Tensor {
        let on = (0..<attributes).map { enhanced?.contains($0) ?? true ? Float(1) : 0 }
        return try Tensor(Array(repeating: on + on, count: count).flatMap { $0 }, shape: [count, 2 * attributes])
    }

    /// Albedo and shading [N, 6, H, W] of photos [N, 3, H, W].
    public func decompose(_ x: Tensor) throws -> Tensor { try decomposer(x) }
    /// G on an intrinsic image.
    public func translate(_ intrinsic: Tensor, label: Tensor, norms: TiledNormState? = nil) throws -> Tensor {
        try translator(intrinsic, condition: label, norms: norms)
    }
    /// The photo of an intrinsic image.
    public func compose(_ intrinsic: Tensor) throws -> Tensor { try composer(intrinsic) }

    /// F'(G(F(x), label)); the thesis' inference label when `label` is nil.
    public func callAsFunction(_ x: Tensor, label: Tensor? = nil, norms: TiledNormState? = nil) throws -> Tensor {
        let c = try label ?? Self.label(attributes: attributes, count: x.shape[0])
        return try compose(translate(decompose(x), label: c, norms: norms))
    }

    /// Input pixels each output pixel depends on, on each side: the three networks in turn.
    public var receptiveRadius: Int { 2 * IntrinsicAutoencoder.receptiveRadius + translator.receptiveRadius }

    /// MDIE as a registered architecture.
    public static let architecture = Architecture(
        name: architectureID,
        summary: "MDIE (Huang and Liu): intrinsic decomposition, StarGAN on albedo and shading with a domain label, recomposition",
        options: [
            OptionDeclaration("attributes", .positiveInt, default: .number(3), help: "domains of the label (colour, texture, noise)", maximum: 3),
            OptionDeclaration("intrinsic_width", .positiveInt, default: .number(16),
                              help: "first encoder width of the decomposition and composition networks (the thesis' 16)", maximum: 256),
            OptionDeclaration("width", .positiveInt, default: .number(64), help: "StarGAN generator's first width", maximum: 512),
            OptionDeclaration("blocks", .positiveInt, default: .number(6), help: "StarGAN generator's residual blocks", maximum: 64),
            OptionDeclaration("residual", .choice(["true", "false"]), default: .text("true"),
                              help: "the generator adds its output to its input (false: StarGAN's direct tanh)"),
            OptionDeclaration("skips", .choice(["true", "false"]), default: .text("false"),
                              help: "U-Net skip connections in the intrinsic networks (false: the thesis' plain autoencoders)"),
        ],
        contract: { o in
            ArchitectureContract(sizeMultiple: IntrinsicAutoencoder.sizeMultiple, conditionChannels: 2 * o.int("attributes"))
        },
        // The translator's residual blocks (two 3×3 convolutions of 4·width channels each) and
        // the intrinsic networks' widest decoder convolution (16·w to 32·w, 3×3), twice.
        parameterFloor: { o in
            let w = o.int("width"), iw = o.int("intrinsic_width")
            return o.int("blocks") * 2 * 9 * 16 * w * w + 2 * 9 * 16 * iw * 32 * iw
        },
        make: { o in
            let net = try MDIENetwork(attributes: o.int("attributes"), intrinsicWidth: o.int("intrinsic_width"), width: o.int("width"),
                                      blocks: o.int("blocks"), residual: o.text("residual") == "true", skips: o.text("skips") == "true")
            return NetworkBody(
                module: net,
                tiling: TilingProfile(receptiveRadius: net.receptiveRadius, normLayerCount: net.translator.normLayerCount,
                                      widestActivation: 4 * o.int("width")),
                normForward: { x, norms in try net(x, norms: norms) },
                conditionalNormForward: { x, label, norms in try net(x, label: label, norms: norms) },
                forward: { x, label in try net(x, label: label) })
        })
}

extension BuiltNetwork {
    /// This network with its condition fixed to `label` ([1, conditionChannels], repeated
    /// over the batch), for the tiler and the engine, which pass none.
    public func conditioned(on label: Tensor) throws -> BuiltNetwork {
        guard contract.conditionChannels > 0 else {
            throw OptionError("'\(architecture)' takes no condition")
        }
        guard label.shape == [1, contract.conditionChannels] else {
            throw OptionError("'\(architecture)' takes a condition of \(contract.conditionChannels) values, got \(label.shape)")
        }
        let forward = self.forward, conditional = conditionalNormForward
        func batch(_ x: Tensor) throws -> Tensor { try label.to(x.device, x.dtype).expand([x.shape[0], label.shape[1]]) }
        let body = NetworkBody(
            module: module, tiling: tiling,
            normForward: conditional.map { run in { x, norms in try run(x, batch(x), norms) } },
            forward: { x, given in try forward(x, given ?? batch(x)) })
        return BuiltNetwork(architecture: architecture, options: options, contract: contract, body: body)
    }
}
