import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation

/// Numeric precision of inference.
public enum Precision: String, Sendable, CaseIterable {
    case fp32, bf16, fp16
    public var dtype: DType {
        switch self {
        case .fp32: .float32
        case .bf16: .bfloat16
        case .fp16: .float16
        }
    }
}

/// A model ready to enhance photos on one device at one precision.
///
/// Shared by the worker threads of `--jobs`: inference only reads the weights, and
/// libtorch's kernels are thread-safe.
public final class LoadedModel: @unchecked Sendable {
    public let entry: ModelEntry
    public let device: Device
    public let precision: Precision
    private let kind: Kind

    enum Kind {
        case network(any TileableNetwork)
        case function(@Sendable (Tensor) throws -> Tensor)
    }

    /// Wraps a network (already holding its weights).
    public init(entry: ModelEntry, network: any TileableNetwork, device: Device = .cpu, precision: Precision = .fp32) throws {
        try network.move(to: device, dtype: precision.dtype)
        self.entry = entry; self.device = device; self.precision = precision
        self.kind = .network(network)
    }

    /// Wraps a whole-photo function on [1, 3, H, W] float32 CPU tensors (e.g. the classic enhancer).
    public init(entry: ModelEntry, function: @escaping @Sendable (Tensor) throws -> Tensor) {
        self.entry = entry; self.device = .cpu; self.precision = .fp32
        self.kind = .function(function)
    }

    /// Loads `entry`'s weights and builds its network; `preset` names the classic enhancer's
    /// settings (`ClassicConfig.presets`) and is refused for networks.
    public static func load(
        _ entry: ModelEntry, device: Device = .cpu, precision: Precision = .fp32, preset: String? = nil
    ) throws -> LoadedModel {
        if entry.card.architecture == "classic" {
            let enhancer = ClassicEnhancer(config: try ClassicConfig.preset(preset ?? ClassicConfig.presets[0].name))
            return LoadedModel(entry: entry, function: { try enhancer($0) })
        }
        if let preset {
            throw ModelError("--preset \(preset): presets are settings of the classic model, and '\(entry.card.name)' is a \(entry.card.architecture) network",
                             kind: .badArgument)
        }
        guard let url = entry.weights else { throw ModelError("model '\(entry.card.name)' has no weights file") }
        let (state, metadata) = try Checkpoint.load(url)
        let network = try Architectures.load(
            state: state, metadata: metadata.merging([architectureMetadataKey: entry.card.architecture]) { a, _ in a },
            source: url.path)
        return try LoadedModel(entry: entry, network: network, device: device, precision: precision)
    }

    /// This model with its network's condition fixed to `label` (MDIE's domain label,
    /// [1, conditionChannels]); the weights are shared.
    public func conditioned(on label: Tensor) throws -> LoadedModel {
        guard case .network(let n) = kind, let built = n as? BuiltNetwork else {
            throw ModelError("model '\(entry.card.name)' takes no condition", kind: .badArgument)
        }
        do {
            return try LoadedModel(entry: entry, network: built.conditioned(on: label), device: device, precision: precision)
        } catch let error as OptionError {
            throw ModelError("model '\(entry.card.name)': \(error.description)", kind: .badArgument)
        }
    }

    /// Values of the network's condition (MDIE's domain label); 0 for none.
    public var conditionChannels: Int {
        if case .network(let n) = kind, let built = n as? BuiltNetwork { return built.contract.conditionChannels }
        return 0
    }

    /// The network's receptive radius (0 for whole-photo functions).
    public var receptiveRadius: Int {
        if case .network(let n) = kind { return n.receptiveRadius }
        return 0
    }

    /// How the network's input encodes a photo: RGB for enhancers, a packed Bayer mosaic for
    /// RAW-to-RGB networks (`dslr develop`). Whole-photo functions take RGB.
    public var inputEncoding: ArchitectureContract.Encoding {
        if case .network(let n) = kind, let built = n as? BuiltNetwork { return built.contract.inputEncoding }
        return .rgb
    }

    /// How many times larger than its input the result is (a super-resolution network's
    /// bicubic enlargement times its output scale; 1 for enhancers).
    public var scale: Int {
        if case .network(let n) = kind { return n.totalScale }
        return 1
    }

    /// Enhances [1, C, H, W] float32 CPU pixels in [0, 1] (C: the network's input channels);
    /// the result is [1, C', H·s, W·s] for a model of `scale` s, clamped. A network that works
    /// on an enlargement gets the whole photo enlarged first, then runs in tiles over it.
    public func enhance(
        _ image: Tensor, tiling: TilingOptions = TilingOptions(), progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Tensor {
        switch kind {
        case .network(let network):
            return try runTiled(network.input(for: image), network: network, options: tiling, device: device, dtype: precision.dtype,
                                progress: progress).clamp(min: 0, max: 1)
        case .function(let function):
            progress(0, 1)
            let out = try withNoGrad { try function(image) }.clamp(min: 0, max: 1)
            progress(1, 1)
            return out
        }
    }
}
