import DSLRPhoto
import DSLRTensor
import Foundation

/// Enhances photos for a front end (the CLI, a service): resolves model names, keeps loaded
/// models, and runs the work on a bounded pool of workers that share the machine's cores.
///
/// One engine per process is the intent: the model cache and libtorch's thread count are
/// shared by everything it runs.
public final class EnhanceEngine: Sendable {
    /// Which model references the engine accepts.
    public enum Resolution: Sendable {
        /// Registered names and paths to `.safetensors` files (the CLI).
        case namesOrPaths
        /// Registered names only (a service: a request must not make it read arbitrary files).
        case namesOnly
    }

    public struct Configuration: Sendable {
        /// Photos enhanced at the same time.
        public var workers: Int
        public var resolution: Resolution
        /// Async requests that may wait for a worker before further ones are refused with
        /// `busy`; nil: no limit.
        public var queueLimit: Int?
        /// libtorch threads shared by the workers on the CPU (default: one per core).
        public var threads: Int
        public init(
            workers: Int = 1, resolution: Resolution = .namesOrPaths, queueLimit: Int? = nil,
            threads: Int = ProcessInfo.processInfo.activeProcessorCount
        ) {
            self.workers = max(1, workers); self.resolution = resolution
            self.queueLimit = queueLimit; self.threads = max(1, threads)
        }
    }

    public let configuration: Configuration
    public let registry: ModelRegistry
    let pool: WorkerPool
    private let cache = ModelCache()

    public init(registry: ModelRegistry = .standard(), configuration: Configuration = Configuration()) {
        self.registry = registry
        self.configuration = configuration
        pool = WorkerPool(workers: configuration.workers, queueLimit: configuration.queueLimit)
    }

    deinit { pool.shutDown() }

    // MARK: Models

    /// The entry for `nameOrPath` (nil: the default model), as the resolution mode allows.
    public func resolve(_ nameOrPath: String?) throws -> ModelEntry {
        if configuration.resolution == .namesOnly, let wanted = nameOrPath,
           !registry.entries.contains(where: { $0.card.name == wanted }), ModelRegistry.looksLikePath(wanted) {
            throw EngineError(
                "'\(wanted)' looks like a path; only model names are accepted (known: \(registry.knownNames))",
                kind: .badArgument)
        }
        return try registry.resolve(nameOrPath)
    }

    /// The loaded model for `nameOrPath` on `device` at `precision`: loaded on first
    /// request, the same instance afterwards.
    /// `preset` chooses the classic model's settings (`ClassicConfig.presets`).
    public func model(
        _ nameOrPath: String?, device: Device = .cpu, precision: Precision = .fp32, preset: String? = nil
    ) throws -> LoadedModel {
        try model(for: try resolve(nameOrPath), device: device, precision: precision, preset: preset)
    }

    /// The loaded model for a resolved entry (cached like `model(_:device:precision:)`).
    public func model(
        for entry: ModelEntry, device: Device = .cpu, precision: Precision = .fp32, preset: String? = nil
    ) throws -> LoadedModel {
        // Files are told apart by path: two files may carry cards with the same name.
        let file = entry.origin == .file ? entry.weights.map { $0.standardizedFileURL.path } : nil
        let id = (file ?? entry.card.name) + (preset.map { " --preset \($0)" } ?? "")
        return try cache.model(for: ModelCache.Key(model: id, device: device, precision: precision)) {
            try LoadedModel.load(entry, device: device, precision: precision, preset: preset)
        }
    }

    /// Models loaded so far.
    public var loadedModelCount: Int { cache.count }

    /// Loads the model `name` (nil: the default) on a worker without enhancing anything: a
    /// service's warm-up, so its first request does not pay for reading the weights.
    public func warm(_ name: String?, device: Device = .cpu, precision: Precision = .fp32) async throws {
        let entry = try resolve(name)
        try await pool.submit { [self] in _ = try model(for: entry, device: device, precision: precision) }
    }

    /// Photos being enhanced now and requests waiting for a worker.
    public var occupancy: (running: Int, waiting: Int) { pool.occupancy }

    // MARK: Threads

    /// libtorch threads each of `workers` concurrent CPU workers gets out of `threads`.
    public static func threadsPerWorker(workers: Int, threads: Int) -> Int {
        max(1, threads / max(1, workers))
    }

    /// Photos in parallel share the cores instead of each asking for all of them. libtorch's
    /// intra-op thread count is process-wide, so it is set once for the expected
    /// concurrency; one worker (or a GPU) leaves it alone.
    private func shareThreads(among workers: Int, device: Device) {
        guard workers > 1, device == .cpu else { return }
        let wanted = Self.threadsPerWorker(workers: workers, threads: configuration.threads)
        if Torch.threadCount != wanted { Torch.setThreadCount(wanted) }
    }

    // MARK: Photos

    /// Enhances `photo` on a worker, blocking the calling thread until it is done. The
    /// result keeps the photo's bit depth and metadata.
    public func enhance(
        photo: Photo, model: LoadedModel, options: EnhanceOptions = EnhanceOptions(),
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Photo {
        shareThreads(among: configuration.workers, device: model.device)
        return try pool.run { try Self.enhanceHere(photo: photo, model: model, tiling: options.tiling, strength: options.strength, progress: progress) }
    }

    /// Enhances `photo` on a worker without blocking the calling task's thread. At most
    /// `workers` run at once; beyond `queueLimit` waiting requests it throws `busy`.
    public func enhance(photo: Photo, model: LoadedModel, options: EnhanceOptions = EnhanceOptions()) async throws -> Photo {
        shareThreads(among: configuration.workers, device: model.device)
        return try await pool.submit { try Self.enhanceHere(photo: photo, model: model, tiling: options.tiling, strength: options.strength) }
    }

    /// Enhances `photo` with the model named `name` (nil: the default), loading it on a
    /// worker the first time. The name is checked before the request queues, so a bad one
    /// is refused at once.
    public func enhance(
        photo: Photo, model name: String?, device: Device = .cpu, precision: Precision = .fp32,
        options: EnhanceOptions = EnhanceOptions()
    ) async throws -> Photo {
        let entry = try resolve(name)
        shareThreads(among: configuration.workers, device: device)
        return try await pool.submit { [self] in
            let loaded = try model(for: entry, device: device, precision: precision)
            return try Self.enhanceHere(photo: photo, model: loaded, tiling: options.tiling, strength: options.strength)
        }
    }

    // MARK: Files

    /// Enhances one file on a worker, blocking until it is written.
    public func enhanceFile(
        _ job: EnhanceJob, model: LoadedModel, options: EnhanceOptions = EnhanceOptions(),
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> EnhancedFile {
        shareThreads(among: configuration.workers, device: model.device)
        return try pool.run { try Self.enhanceFileHere(job, model: model, options: options, progress: progress) }
    }

    /// Enhances `jobs` in order on the workers (at most `workers`, never more than there are
    /// jobs) and waits for all of them. A failure is reported for its job and the others go
    /// on. `progress(index, done, total)` reports a job's tiles, `finished(index, result)`
    /// each job's end, both on worker threads. Call it from outside the pool.
    @discardableResult
    public func enhanceFiles(
        _ jobs: [EnhanceJob], model: LoadedModel, options: EnhanceOptions = EnhanceOptions(),
        progress: @escaping @Sendable (_ index: Int, _ done: Int, _ total: Int) -> Void = { _, _, _ in },
        finished: @escaping @Sendable (_ index: Int, _ result: Result<EnhancedFile, any Error>) -> Void = { _, _ in }
    ) -> [Result<EnhancedFile, any Error>] {
        processFiles(jobs, device: model.device, progress: progress, finished: finished) { job, report in
            try Self.enhanceFileHere(job, model: model, options: options, progress: report)
        }
    }

    /// Runs `work` on each of `jobs` on the workers, as `enhanceFiles` does with enhancing:
    /// in order, at most `workers` at once, a failure reported for its job while the others
    /// go on; `work` gets the job and a reporter of its steps. `device` is where the work
    /// runs models (the CPU's threads are shared among workers). Call it from outside the pool.
    @discardableResult
    public func processFiles(
        _ jobs: [EnhanceJob], device: Device,
        progress: @escaping @Sendable (_ index: Int, _ done: Int, _ total: Int) -> Void = { _, _, _ in },
        finished: @escaping @Sendable (_ index: Int, _ result: Result<EnhancedFile, any Error>) -> Void = { _, _ in },
        work: @escaping @Sendable (EnhanceJob, _ progress: (Int, Int) -> Void) throws -> EnhancedFile
    ) -> [Result<EnhancedFile, any Error>] {
        shareThreads(among: min(configuration.workers, jobs.count), device: device)
        let results = ResultList(count: jobs.count)
        let group = DispatchGroup()
        for (index, job) in jobs.enumerated() {
            group.enter()
            let run: @Sendable () -> Void = {
                let result = Result { try work(job) { progress(index, $0, $1) } }
                results.set(index, result)
                finished(index, result)
                group.leave()
            }
            do { try pool.post(run) } catch {
                results.set(index, .failure(error))
                finished(index, .failure(error))
                group.leave()
            }
        }
        group.wait()
        return results.all
    }
}

/// Results written by workers, one slot per job.
private final class ResultList: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<EnhancedFile, any Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ result: Result<EnhancedFile, any Error>) {
        lock.lock(); slots[index] = result; lock.unlock()
    }
    var all: [Result<EnhancedFile, any Error>] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0 ?? .failure(EngineError("not run", kind: .internal)) }
    }
}
