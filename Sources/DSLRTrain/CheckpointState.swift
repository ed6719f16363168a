import DSLRData
import DSLRNN
import DSLRTensor
import Foundation

/// A training checkpoint: every network's parameters as `<network>.<parameter>`, its
/// optimizer state as `optimizer.<network>.<key>`, the CPU RNG as `rng.cpu`, and this
/// metadata (JSON under `dslrkit.train`): iteration, loader position, algorithm, and per
/// network its architecture, options, optimizer settings and loss scaler.
struct TrainState: Codable, Equatable {
    struct Network: Codable, Equatable {
        var name: String
        var architecture: String
        var options: [String: OptionValue]?
        var optimizer: [String: String]
        var scaler: LossScaler?
    }
    var format = 2
    var iteration: Int
    var loader: LoaderPosition
    var algorithm: String
    var networks: [Network]

    static let metadataKey = "dslrkit.train"

    /// Counts larger than any run reaches; beyond them a number is damage, not progress.
    static let maxCount = 1 << 48

    /// Refuses numbers no run writes: negative or absurd counts (the loader multiplies the
    /// epoch by the batches per epoch, and a loss scaler divides by its scale).
    func validate(source: String) throws {
        func check(_ value: Int, _ what: String) throws {
            guard (0...Self.maxCount).contains(value) else {
                throw RecipeError("\(source): its \(what) is \(value), not a count from 0 to \(Self.maxCount)")
            }
        }
        try check(iteration, "iteration")
        try check(loader.epoch, "loader epoch")
        try check(loader.batch, "loader batch")
        for network in networks {
            guard let s = network.scaler else { continue }
            try check(s.goodSteps, "\(network.name) loss scaler's good steps")
            guard s.growthInterval >= 1, s.growthInterval <= Self.maxCount else {
                throw RecipeError("\(source): its \(network.name) loss scaler's growth interval is \(s.growthInterval), not a positive count")
            }
            for (value, what) in [(s.scale, "scale"), (s.growthFactor, "growth factor"), (s.backoffFactor, "backoff factor")] {
                guard value.isFinite, value > 0 else {
                    throw RecipeError("\(source): its \(network.name) loss scaler's \(what) is \(value), not a positive finite number")
                }
            }
        }
    }

    init(iteration: Int, loader: LoaderPosition, algorithm: String, networks: [Network]) {
        self.iteration = iteration; self.loader = loader; self.algorithm = algorithm; self.networks = networks
    }

    /// The state in a checkpoint's metadata; checkpoints of DSLRKit's first trainer (a
    /// generator and an optional discriminator, same tensor names) are read as `dped-gan`
    /// or `supervised` runs.
    static func decode(_ json: String, source: String) throws -> TrainState {
        let data = Data(json.utf8)
        if let state = try? JSONDecoder().decode(TrainState.self, from: data) { return state }
        guard let old = try? JSONDecoder().decode(FirstFormat.self, from: data) else {
            throw RecipeError("\(source): its '\(metadataKey)' metadata is not a DSLRKit training state")
        }
        var networks = [Network(name: "generator", architecture: old.generatorArchitecture, options: nil,
                                optimizer: old.generatorOptimizer, scaler: old.generatorScaler)]
        if let architecture = old.discriminatorArchitecture, let optimizer = old.discriminatorOptimizer {
            networks.append(Network(name: "discriminator", architecture: architecture, options: nil,
                                    optimizer: optimizer, scaler: old.discriminatorScaler))
        }
        return TrainState(iteration: old.iteration, loader: old.loader,
                          algorithm: networks.count == 2 ? "dped-gan" : "supervised", networks: networks)
    }

    /// The metadata of the first trainer's checkpoints.
    private struct FirstFormat: Codable {
        var iteration: Int
        var loader: LoaderPosition
        var generatorScaler: LossScaler?
        var discriminatorScaler: LossScaler?
        var generatorOptimizer: [String: String]
        var discriminatorOptimizer: [String: String]?
        var generatorArchitecture: String
        var discriminatorArchitecture: String?
    }
}

/// Writes `algorithm`'s networks, optimizers, scalers, the RNG and the loop's position to `urls`.
func saveCheckpoint(_ algorithm: any TrainingAlgorithm, name: String, iteration: Int, loader: LoaderPosition, to urls: [URL]) throws {
    var tensors: [(String, Tensor)] = []
    var networks: [TrainState.Network] = []
    for side in algorithm.networks {
        tensors += side.master.module.stateDict().map { ("\(side.name).\($0.0)", $0.1) }
        let (state, meta) = try side.optimizer.stateDict()
        tensors += state.map { ("optimizer.\(side.name).\($0.0)", $0.1) }
        networks.append(TrainState.Network(name: side.name, architecture: side.master.architecture,
                                           options: side.master.options.values, optimizer: meta, scaler: side.scaler))
    }
    tensors.append(("rng.cpu", try Torch.rngState()))
    let state = TrainState(iteration: iteration, loader: loader, algorithm: name, networks: networks)
    let metadata = [TrainState.metadataKey: String(decoding: try JSONEncoder().encode(state), as: UTF8.self)]
    for url in urls { try Checkpoint.save(tensors, metadata: metadata, to: url) }
}

/// Restores `algorithm`'s networks, optimizers and scalers and the RNG from `url`; returns
/// the saved state. Every mismatch with the recipe (algorithm, a network, an architecture,
/// options) is refused by name.
func restoreCheckpoint(_ algorithm: any TrainingAlgorithm, name: String, from url: URL) throws -> TrainState {
    let (tensors, metadata) = try Checkpoint.load(url)
    guard let json = metadata[TrainState.metadataKey] else {
        throw RecipeError("\(url.path): not a DSLRKit training checkpoint (no '\(TrainState.metadataKey)' metadata)")
    }
    let state = try TrainState.decode(json, source: url.path)
    try state.validate(source: url.path)
    guard state.algorithm == name else {
        throw RecipeError("\(url.path): was trained with algorithm '\(state.algorithm)', the recipe uses '\(name)'")
    }
    let saved = Dictionary(state.networks.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    guard Set(saved.keys) == Set(algorithm.networks.map(\.name)) else {
        throw RecipeError("\(url.path): holds networks \(state.networks.map(\.name).joined(separator: ", ")), the recipe trains \(algorithm.networks.map(\.name).joined(separator: ", "))")
    }
    for side in algorithm.networks {
        let s = saved[side.name]!
        guard s.architecture == side.master.architecture else {
            throw RecipeError("\(url.path): holds a \(s.architecture) \(side.name), the recipe trains \(side.master.architecture)")
        }
        if let options = s.options, options != side.master.options.values {
            throw RecipeError("\(url.path): its \(side.name) was built with other options than the recipe's (\(options) vs \(side.master.options.values))")
        }
        let prefix = "\(side.name).", optimizerPrefix = "optimizer.\(side.name)."
        let own = tensors.filter { $0.0.hasPrefix(prefix) }.map { (String($0.0.dropFirst(prefix.count)), $0.1) }
        let optimizer = tensors.filter { $0.0.hasPrefix(optimizerPrefix) }.map { (String($0.0.dropFirst(optimizerPrefix.count)), $0.1) }
        try side.master.module.load(own, strict: true, source: url.path)
        try side.optimizer.load(optimizer, metadata: s.optimizer, source: url.path)
        side.scaler = s.scaler
    }
    guard let rng = tensors.first(where: { $0.0 == "rng.cpu" })?.1 else {
        throw RecipeError("\(url.path): no RNG state ('rng.cpu')")
    }
    try Torch.setRNGState(rng)
    return state
}
