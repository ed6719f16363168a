import DSLRTensor
import Foundation

/// Loaded models by what they were loaded for, so a second request reuses the first's.
final class ModelCache: @unchecked Sendable {
    /// A model's identity: its registered name (or absolute weights path), device and precision.
    struct Key: Hashable {
        var model: String
        var device: Device
        var precision: Precision
    }

    private let lock = NSLock()
    private var models: [Key: LoadedModel] = [:]

    /// The cached model for `key`, or the one `load` makes (then cached). Loads are
    /// serialised: two requests for the same new model must not read its weights twice,
    /// and loading is rare next to enhancing.
    func model(for key: Key, load: () throws -> LoadedModel) throws -> LoadedModel {
        lock.lock(); defer { lock.unlock() }
        if let cached = models[key] { return cached }
        let loaded = try load()
        models[key] = loaded
        return loaded
    }

    /// How many models are held.
    var count: Int {
        lock.lock(); defer { lock.unlock() }
        return models.count
    }
}
