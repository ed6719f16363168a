import DSLRNN
import DSLRTensor

/// Builds a network from a state dict; throws a clear error when the tensors do not fit.
public typealias ArchitectureBuilder = @Sendable (_ state: [(String, Tensor)], _ source: String) throws -> any TileableNetwork

/// Enhancement architectures by the name stored in a weights file's
/// `dslrkit.architecture` metadata, so a file alone says how to run it.
public enum Architectures {
    /// Registered builders, by name.
    public static var builders: [String: ArchitectureBuilder] { registered }

    /// Names of every registered architecture, sorted.
    public static var names: [String] { registered.keys.sorted() }

    /// The network `name` with the weights in `state`.
    public static func build(_ name: String, state: [(String, Tensor)], source: String) throws -> any TileableNetwork {
        guard let builder = registered[name] else {
            throw TorchError("\(source): unknown architecture '\(name)' (known: \(names.joined(separator: ", ")))")
        }
        return try builder(state, source)
    }
}

/// The metadata key naming a weights file's architecture.
public let architectureMetadataKey = "dslrkit.architecture"

// Filled in one place so the list of architectures reads as a table.
private let registered: [String: ArchitectureBuilder] = [
    DPEDGenerator.architectureID: { state, source in
        // The width is read from the weights, so narrower DPED variants load too.
        let channels = state.first { $0.0 == "conv_in.weight" }?.1.shape.first ?? 64
        let generator = try DPEDGenerator(channels: channels)
        try generator.load(state, strict: true, source: source)
        generator.eval()
        return generator
    },
    CompactNet.architectureID: { state, source in try CompactNet.build(state, source: source) },
]
