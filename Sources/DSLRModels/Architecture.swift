import DSLRNN
import DSLRTensor

/// What a network takes and gives, so that training, tiling and loading need no knowledge of
/// the network itself.
public struct ArchitectureContract: Sendable, Equatable, Codable {
    /// What the network is for.
    public enum Role: String, Sendable, Codable {
        /// Photo in, photo out: generators, enhancers, super-resolution, RAW-to-RGB.
        case enhancer
        /// Photo in, logits per image out: [N, 2] (column 0 "real", column 1 "generated") or
        /// [N, 1] (one "real" logit, for a sigmoid), as `outputChannels` says.
        case discriminator
    }
    /// How the input's channels encode the photo.
    public enum Encoding: String, Sendable, Codable {
        case rgb
        case gray
        /// A RAW Bayer mosaic packed 2×2 into four half-resolution channels.
        case packedBayer = "packed-bayer"
    }
    public var role: Role
    public var inputChannels: Int
    public var inputEncoding: Encoding
    public var outputChannels: Int
    /// Output side over input side (2 or 4 for super-resolution; 2 for packed Bayer to RGB).
    public var outputScale: Int
    /// Input height and width must be multiples of this; the tiler pads to it.
    public var sizeMultiple: Int
    /// Channels of a per-image condition (a domain label), 0 for none.
    public var conditionChannels: Int
    /// How many times the photo is enlarged by bicubic interpolation before the network sees
    /// it (1: not at all). PPCN's ×4 super-resolution works on a bicubic ×4 enlargement and
    /// keeps its size, so it has `inputUpscale` 4 and `outputScale` 1.
    public var inputUpscale: Int

    public init(role: Role = .enhancer, inputChannels: Int = 3, inputEncoding: Encoding = .rgb, outputChannels: Int = 3,
                outputScale: Int = 1, sizeMultiple: Int = 1, conditionChannels: Int = 0, inputUpscale: Int = 1) {
        self.role = role; self.inputChannels = inputChannels; self.inputEncoding = inputEncoding
        self.outputChannels = outputChannels; self.outputScale = outputScale; self.sizeMultiple = sizeMultiple
        self.conditionChannels = conditionChannels; self.inputUpscale = inputUpscale
    }

    /// How many times larger the result is than the photo given to `dslr upscale`/`enhance`.
    public var totalScale: Int { outputScale * inputUpscale }

    /// RGB in, same-size RGB out.
    public static let rgbEnhancer = ArchitectureContract()
    /// Grayscale photos in, [N, 2] logits out.
    public static let grayDiscriminator = ArchitectureContract(
        role: .discriminator, inputChannels: 1, inputEncoding: .gray, outputChannels: 2)
    /// Grayscale photos in, one logit per image out ([N, 1]).
    public static let grayOneLogitDiscriminator = ArchitectureContract(
        role: .discriminator, inputChannels: 1, inputEncoding: .gray, outputChannels: 1)
}

/// What the tiler needs to know of a network beyond its contract.
public struct TilingProfile: Sendable, Equatable {
    /// Input pixels of context each output pixel depends on, on each side.
    public var receptiveRadius: Int
    /// Whole-image normalisation layers (instance norms), each a statistics pass when tiled.
    public var normLayerCount: Int
    /// Channels of the widest activation, for estimating memory per pixel.
    public var widestActivation: Int
    /// The fastest tile side, when smaller than memory allows (see `TileableNetwork`).
    public var preferredTile: Int?
    public init(receptiveRadius: Int, normLayerCount: Int = 0, widestActivation: Int = 64, preferredTile: Int? = nil) {
        self.receptiveRadius = receptiveRadius; self.normLayerCount = normLayerCount; self.widestActivation = widestActivation
        self.preferredTile = preferredTile
    }
}

/// A network built by an architecture: its parameters, its forward pass and what it promises.
public struct BuiltNetwork: @unchecked Sendable {
    public let architecture: String
    public let options: Options
    public let contract: ArchitectureContract
    /// The parameters (state dict, optimizer, device moves).
    public let module: any Module
    /// The forward pass for training and inference, unclamped: input, and the condition when
    /// the contract has one.
    public let forward: (Tensor, Tensor?) throws -> Tensor
    /// Tiling facts of enhancers; nil for discriminators.
    public let tiling: TilingProfile?
    /// The forward pass with whole-photo norm statistics, for networks with norm layers.
    let normForward: ((Tensor, TiledNormState?) throws -> Tensor)?
    /// `normForward` with a condition, for conditioned networks (see `conditioned(on:)`).
    let conditionalNormForward: ((Tensor, Tensor?, TiledNormState?) throws -> Tensor)?
    /// Whole-photo features and the forward pass on a window with them, for networks that
    /// see the whole photo.
    let context: ((Tensor) throws -> Tensor)?
    let contextForward: ((Tensor, PhotoContext) throws -> Tensor)?
    /// The forward pass with the feature maps knowledge distillation compares (PPCN's
    /// teacher and student); nil for networks that name none.
    public let distillationForward: ((Tensor) throws -> (output: Tensor, features: [Tensor]))?
    /// The output of one level of a pyramid trained level by level (PyNET); nil for others.
    public let levelForward: ((Tensor, Int) throws -> Tensor)?

    init(architecture: String, options: Options, contract: ArchitectureContract, body: NetworkBody) {
        self.architecture = architecture; self.options = options; self.contract = contract; self.module = body.module
        self.tiling = body.tiling; self.normForward = body.normForward; self.forward = body.forward
        self.conditionalNormForward = body.conditionalNormForward
        self.context = body.context; self.contextForward = body.contextForward
        self.distillationForward = body.distillationForward
        self.levelForward = body.levelForward
    }

    /// Runs the network on an input without a condition.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try forward(x, nil) }

    /// The metadata a weights file of this network carries, so that loading it rebuilds
    /// exactly this network without guessing from tensor shapes.
    public var metadata: [String: String] {
        [architectureMetadataKey: architecture, optionsMetadataKey: options.json()]
    }
}

extension BuiltNetwork: TileableNetwork {
    public var receptiveRadius: Int { tiling?.receptiveRadius ?? 0 }
    public var normLayerCount: Int { tiling?.normLayerCount ?? 0 }
    public var widestActivation: Int { tiling?.widestActivation ?? 64 }
    public var preferredTile: Int? { tiling?.preferredTile }
    public var sizeMultiple: Int { contract.sizeMultiple }
    public var outputScale: Int { contract.outputScale }
    public var inputUpscale: Int { contract.inputUpscale }
    public var inputChannels: Int { contract.inputChannels }
    public var outputChannels: Int { contract.outputChannels }

    public func enhance(_ x: Tensor, norms: TiledNormState?) throws -> Tensor {
        try (normForward.map { try $0(x, norms) } ?? forward(x, nil)).clamp(min: 0, max: 1)
    }

    public func photoContext(_ photo: Tensor, device: Device, dtype: DType) throws -> Tensor? {
        guard let context else { return nil }
        return try context(photo.to(device, dtype))
    }

    public func enhance(_ x: Tensor, norms: TiledNormState?, context: PhotoContext) throws -> Tensor {
        guard let contextForward else { return try enhance(x, norms: norms) }
        return try contextForward(x, context).clamp(min: 0, max: 1)
    }

    public func move(to device: Device, dtype: DType?) throws {
        try module.move(to: device, dtype: dtype)
    }
}

/// What an architecture's builder makes: the parameters and the forward passes.
public struct NetworkBody {
    public let module: any Module
    public let tiling: TilingProfile?
    public let normForward: ((Tensor, TiledNormState?) throws -> Tensor)?
    public let conditionalNormForward: ((Tensor, Tensor?, TiledNormState?) throws -> Tensor)?
    public let context: ((Tensor) throws -> Tensor)?
    public let contextForward: ((Tensor, PhotoContext) throws -> Tensor)?
    public let distillationForward: ((Tensor) throws -> (output: Tensor, features: [Tensor]))?
    public let levelForward: ((Tensor, Int) throws -> Tensor)?
    public let forward: (Tensor, Tensor?) throws -> Tensor

    /// `tiling` for enhancers (nil for discriminators); `normForward` for networks whose norm
    /// layers take whole-photo statistics when tiled; `context` and `contextForward` for
    /// networks that compute features of the whole photo once and apply them to each tile;
    /// `distillationForward` for networks whose feature maps a distillation loss compares;
    /// `levelForward` for pyramids trained level by level (PyNET: the output of level 0-5);
    /// `conditionalNormForward` for conditioned networks with norm layers (MDIE).
    public init(module: any Module, tiling: TilingProfile?, normForward: ((Tensor, TiledNormState?) throws -> Tensor)? = nil,
                conditionalNormForward: ((Tensor, Tensor?, TiledNormState?) throws -> Tensor)? = nil,
                context: ((Tensor) throws -> Tensor)? = nil, contextForward: ((Tensor, PhotoContext) throws -> Tensor)? = nil,
                distillationForward: ((Tensor) throws -> (output: Tensor, features: [Tensor]))? = nil,
                levelForward: ((Tensor, Int) throws -> Tensor)? = nil,
                forward: @escaping (Tensor, Tensor?) throws -> Tensor) {
        self.module = module; self.tiling = tiling; self.normForward = normForward; self.forward = forward
        self.context = context; self.contextForward = contextForward; self.distillationForward = distillationForward
        self.levelForward = levelForward
        self.conditionalNormForward = conditionalNormForward
    }
}

/// One architecture: its name, its options with their defaults (declared once, here), its
/// contract and how to build it. An architecture is one file that defines one of these, plus
/// one line in `Architectures.all`.
public struct Architecture: Sendable {
    public let name: String
    public let summary: String
    public let options: [OptionDeclaration]
    private let contractFor: @Sendable (Options) -> ArchitectureContract
    private let make: @Sendable (Options) throws -> NetworkBody
    /// Options read off the tensors of a weights file written before files stored options.
    let legacyOptions: (@Sendable ([(String, Tensor)]) -> [String: OptionValue])?
    /// At most the number of parameters the network has with these options, computed
    /// without building it: a weights file holding fewer elements is refused before its
    /// options allocate anything. Nil for networks whose size the options barely change.
    let parameterFloor: (@Sendable (Options) -> Int)?

    public init(name: String, summary: String, options: [OptionDeclaration] = [],
                contract: @escaping @Sendable (Options) -> ArchitectureContract,
                legacyOptions: (@Sendable ([(String, Tensor)]) -> [String: OptionValue])? = nil,
                parameterFloor: (@Sendable (Options) -> Int)? = nil,
                make: @escaping @Sendable (Options) throws -> NetworkBody) {
        self.name = name; self.summary = summary; self.options = options
        self.contractFor = contract; self.legacyOptions = legacyOptions; self.parameterFloor = parameterFloor; self.make = make
    }

    /// `given` checked against the declared options, defaults filled in.
    public func resolve(_ given: [String: OptionValue]) throws -> Options {
        try Options(given, declarations: options, owner: "architecture '\(name)'")
    }

    /// The contract of this architecture with `given` options.
    public func contract(_ given: [String: OptionValue] = [:]) throws -> ArchitectureContract {
        try contractFor(resolve(given))
    }

    /// A freshly initialised network (draws from the engine's global generator).
    public func build(_ given: [String: OptionValue] = [:]) throws -> BuiltNetwork {
        let options = try resolve(given)
        return BuiltNetwork(architecture: name, options: options, contract: contractFor(options), body: try make(options))
    }
}

/// The metadata key naming a weights file's architecture.
public let architectureMetadataKey = "dslrkit.architecture"
/// The metadata key holding a weights file's architecture options (JSON).
public let optionsMetadataKey = "dslrkit.options"
