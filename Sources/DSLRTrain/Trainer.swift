import DSLRData
import DSLRDistributed
import DSLRLosses
import DSLRModels
import DSLRNN
import DSLRPhoto
import DSLRTensor
import Foundation

/// A loss (or the discriminator's) that became NaN or infinite: the run stops and the last
/// checkpoint on disk stays the last good one.
public struct NonFiniteLoss: Error, CustomStringConvertible, Equatable {
    public let loss: String
    public let iteration: Int
    public let value: Double
    public var description: String {
        "iteration \(iteration): loss '\(loss)' is \(value) — training stopped; the last good checkpoint is kept"
    }
}

/// What a training step reports (also the progress bar's content).
public struct StepReport: Sendable {
    public var iteration: Int
    public var total: Int
    public var losses: [String: Double]
    public var generatorTotal: Double
    public var discriminatorLoss: Double?
    public var discriminatorAccuracy: Double?
    public var itsPerSecond: Double
}

/// The training loop: runs a recipe's algorithm (see `TrainingAlgorithms`) in a run folder.
/// It owns iterations, progress, metrics lines, the evaluation cadence, atomic checkpoints
/// from which `resume` continues bit for bit, the NaN/Inf stop, and data parallelism; the
/// algorithm owns its networks and its step.
public final class Trainer {
    public let recipe: Recipe
    public let run: RunFolder
    public let device: Device
    /// Iterations completed.
    public private(set) var iteration = 0
    /// Called after backward with (network name, that network's float32 gradients), before
    /// loss-scale checks and the optimizer step (in a process group, after the gradients are
    /// averaged over the ranks).
    public var gradientHook: ((String, [Tensor]) throws -> Void)?
    /// Called after every iteration.
    public var onStep: ((StepReport) -> Void)?
    /// Called with every metrics record written (evaluations, checkpoints).
    public var onRecord: ((MetricsRecord) -> Void)?
    /// Extra text for the model card's `command`.
    public var command: String?
    /// This rank's share of a data-parallel run, nil in a single process.
    public let parallel: DataParallel?
    /// Rank 0 (or the only process): the one that evaluates and writes the run folder.
    public var isLeader: Bool { (parallel?.group.rank ?? 0) == 0 }
    /// The recipe's algorithm with its networks.
    public let algorithm: any TrainingAlgorithm
    /// What evaluates the product network at the recipe's cadence; nil skips evaluation.
    public let evaluator: (any Evaluator)?

    /// The network evaluated and written as the run's model.
    public var generator: TrainedSide { algorithm.product }
    /// The network named "discriminator", in GAN algorithms.
    public var discriminator: TrainedSide? { network("discriminator") }
    /// The algorithm's network `name`.
    public func network(_ name: String) -> TrainedSide? { algorithm.networks.first { $0.name == name } }

    /// What batch-sum losses are multiplied by: the global batch over this rank's shard, so
    /// that averaging the ranks' gradients gives the global sum's gradient.
    var batchSumScale: Double { Double(parallel?.group.worldSize ?? 1) }
    let loader: DataLoader
    let log: MetricsLog
    let report: @Sendable (String) -> Void
    private var lastEvaluation: Evaluation?
    /// What replaced the feature network's missing ImageNet weights, if anything.
    let featuresStandIn: String?

    /// Sets up a new run in `run` (which must not hold a checkpoint) or, with `resume`,
    /// continues the one there from its latest checkpoint. `extraLosses` are added to the
    /// recipe's losses (losses defined in code rather than in the registry). `evaluator`
    /// measures the product network every `eval.every` iterations and at the end.
    ///
    /// With a process `group` of N ranks, every rank runs this with the same recipe: each
    /// builds the same seeded global batch and trains on its shard (`BatchShard`), gradients
    /// are averaged before every optimizer step, and only rank 0 evaluates and writes the run
    /// folder, so N ranks end with the weights one process with the same batch would reach.
    public init(recipe: Recipe, run: RunFolder, resume: Bool = false, extraLosses: [Loss] = [],
                group: ProcessGroup? = nil, evaluator: (any Evaluator)? = nil,
                report: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.recipe = recipe
        self.run = run
        self.report = report
        self.evaluator = evaluator
        parallel = group.map(DataParallel.init(group:))
        device = try trainingDevice(recipe.device)
        if let parallel {
            _ = try parallel.shard.localBatchSize(global: recipe.batchSize)
        }
        let leader = (group?.rank ?? 0) == 0
        if resume {
            guard FileManager.default.fileExists(atPath: run.latest.path) else {
                throw RecipeError("\(run.url.path): no checkpoint to resume (\(run.latest.lastPathComponent) is missing)")
            }
        } else if leader, FileManager.default.fileExists(atPath: run.latest.path) {
            throw RecipeError("\(run.url.path): already holds a run; use --resume to continue it or choose another folder")
        }
        try TrainingAlgorithms.validate(recipe)
        let definition = try TrainingAlgorithms.named(recipe.algorithmName)
        let losses = uniquelyNamed(try recipe.losses.map(makeLoss) + extraLosses)
        let (features, standIn) = try loadFeatures(recipe)
        featuresStandIn = standIn
        if leader, let standIn { report("features: \(standIn)") }
        let dataset = try makeDataset(recipe.dataset.spec, report: leader ? report : { _ in })
        Torch.manualSeed(recipe.seed)
        let quiet: @Sendable (String) -> Void = { _ in }
        var setup = AlgorithmSetup(recipe: recipe, device: device, losses: losses, features: features)
        setup.report = leader ? report : quiet
        algorithm = try definition.make(setup)
        let scale = algorithm.product.master.contract.totalScale
        guard dataset.targetScale == scale else {
            throw RecipeError("\(recipe.dataset.root): the dataset's targets are \(dataset.targetScale)× its inputs, but '\(algorithm.product.master.architecture)' makes results \(scale)× larger (super-resolution pairs: dataset option scale)")
        }
        // Only a run that can start gets a folder.
        if leader { try run.create() }
        log = MetricsLog(run.metrics)

        var position = LoaderPosition()
        if resume {
            let state = try restoreCheckpoint(algorithm, name: definition.name, from: run.latest)
            iteration = state.iteration
            position = state.loader
            if leader { try log.truncate(after: iteration) }
        } else if leader {
            try? FileManager.default.removeItem(at: run.metrics)
        }
        // Every rank restored the same checkpoint (or drew the same seeded start); rank 0's
        // copy is sent anyway so that replicas never start apart.
        if let parallel {
            for side in algorithm.networks { try parallel.broadcastState(of: side.master.module) }
        }
        if leader { try writeAtomically(recipe.yaml(), to: run.recipe.path) }
        let config = LoaderConfig(batchSize: recipe.batchSize, patchSize: recipe.patchSize, seed: recipe.seed,
                                  flips: recipe.augment, rotations: recipe.augment, workers: recipe.workers)
        loader = try DataLoader(dataset: dataset, config: config, position: position, report: report)
    }

    /// Trains until `recipe.iterations`; returns the last evaluation's metrics.
    @discardableResult
    public func train() throws -> [String: Double] {
        let start = Date()
        var windowStart = Date(), windowIterations = 0
        while iteration < recipe.iterations {
            let result: StepResult
            do { result = try algorithm.step(stepContext()) } catch let error as NonFiniteLoss {
                throw try stop(error)
            }
            iteration += 1
            windowIterations += 1
            let rate = Double(windowIterations) / max(Date().timeIntervalSince(windowStart), 1e-9)
            onStep?(StepReport(iteration: iteration, total: recipe.iterations, losses: result.losses,
                               generatorTotal: result.total, discriminatorLoss: result.scalars["discriminator_loss"],
                               discriminatorAccuracy: result.scalars["discriminator_accuracy"], itsPerSecond: rate))
            if isLeader, recipe.log.every > 0, iteration % recipe.log.every == 0 || iteration == recipe.iterations {
                var record = MetricsRecord(kind: .train, iteration: iteration, time: Date().timeIntervalSince(start))
                record.losses = result.losses
                record.total = result.total
                record.lr = result.lr
                record.itsPerSecond = rate
                record.lossScale = result.lossScale
                if result.skipped { record.skipped = true }
                record.discriminatorLoss = result.scalars["discriminator_loss"]
                record.discriminatorAccuracy = result.scalars["discriminator_accuracy"]
                record.level = result.scalars["level"].map { Int($0) }
                try log.append(record)
                windowStart = Date(); windowIterations = 0
            }
            let last = iteration == recipe.iterations
            if isLeader, last || (recipe.eval.every > 0 && iteration % recipe.eval.every == 0) {
                try runEvaluation(time: Date().timeIntervalSince(start))
            }
            if isLeader, last || (recipe.checkpoint.every > 0 && iteration % recipe.checkpoint.every == 0) {
                try checkpoint(time: Date().timeIntervalSince(start))
            }
        }
        return lastEvaluation?.metrics ?? [:]
    }

    /// What the algorithm's next step gets from the loop.
    func stepContext() -> StepContext {
        let parallel = parallel, device = device, loader = loader, user = gradientHook
        func shard(_ batch: Tensor) throws -> Tensor {
            guard let parallel else { return batch }
            return try parallel.shard.select(batch)
        }
        return StepContext(
            iteration: iteration,
            nextBatch: {
                let batch = try loader.nextBatch()
                return (try shard(batch.input).to(device), try shard(batch.target).to(device))
            },
            shard: shard, globalBatchSize: recipe.batchSize, batchSumScale: batchSumScale,
            hook: { side in
                // The data-parallel gradient average (over every parameter, so ranks always
                // send the same layout), then the user's hook.
                guard let parallel else { return user }
                return { name, gradients in
                    try parallel.averageGradients(of: side.master.module)
                    try user?(name, gradients)
                }
            })
    }

    /// Logs the stop and hands the error back for throwing.
    private func stop(_ error: NonFiniteLoss) throws -> NonFiniteLoss {
        var record = MetricsRecord(kind: .stop, iteration: error.iteration, time: 0)
        record.reason = error.description
        if isLeader { try log.append(record) }
        onRecord?(record)
        return error
    }

    /// The evaluator's measurement of the product network, logged as an "eval" record.
    func runEvaluation(time: Double) throws {
        guard let evaluator else { return }
        let network = generator.master, device = device
        // Batch norms use (and must not update) their running statistics on held-out photos.
        network.module.eval()
        defer { network.module.train() }
        let evaluation = try withNoGrad {
            try evaluator.evaluate({ x in try network.runWhole(x.to(device)) { try network($0) }.clamp(min: 0, max: 1).to(.cpu) },
                                   iteration: iteration, run: run)
        }
        var record = MetricsRecord(kind: .eval, iteration: iteration, time: time)
        if evaluation.images == 0 {
            record.reason = evaluation.note ?? "no held-out images"
        } else {
            record.metrics = evaluation.metrics
            record.identity = evaluation.baselines["identity"]
            record.classic = evaluation.baselines["classic"]
            record.images = evaluation.images
            lastEvaluation = evaluation
        }
        try log.append(record)
        onRecord?(record)
        // The report is for people watching the run; failing to draw it must not stop training.
        do { try evaluator.recorded(run) } catch { report("report not written: \(error)") }
    }

    func checkpoint(time: Double) throws {
        let numbered = run.checkpoint(iteration: iteration)
        try saveCheckpoint(algorithm, name: recipe.algorithmName, iteration: iteration, loader: loader.position,
                           to: [numbered, run.latest])
        try writeModel(generator.master, card: card(), to: run.model)
        try pruneCheckpoints()
        var record = MetricsRecord(kind: .checkpoint, iteration: iteration, time: time)
        record.path = numbered.path
        try log.append(record)
        onRecord?(record)
    }

    /// Removes numbered checkpoints beyond the newest `checkpoint.keep`.
    private func pruneCheckpoints() throws {
        guard recipe.checkpoint.keep > 0 else { return }
        let files = try FileManager.default.contentsOfDirectory(atPath: run.checkpoints.path)
            .filter { $0.hasPrefix("iter-") && $0.hasSuffix(".safetensors") }.sorted()
        for name in files.dropLast(recipe.checkpoint.keep) {
            try FileManager.default.removeItem(at: run.checkpoints.appendingPathComponent(name))
        }
    }

    func card() -> ModelCard {
        let architecture = generator.master.architecture
        // JSON cannot hold ±∞ (the PSNR of identical images); such entries are left out.
        func finite(_ d: [String: Double]) -> [String: Double] { d.filter { $0.value.isFinite } }
        return ModelCard(
            name: recipe.name, architecture: architecture,
            summary: "\(architecture) trained by dslr train (algorithm \(recipe.algorithmName)) with recipe '\(recipe.name)' for \(iteration) iterations"
                + (featuresStandIn.map { "; features: \($0)" } ?? ""),
            trainedOn: "\(recipe.dataset.layout): \(recipe.dataset.root)", recipe: recipe.name, command: command,
            metrics: lastEvaluation.map { finite($0.metrics) },
            baselines: lastEvaluation.flatMap { $0.baselines.isEmpty ? nil : $0.baselines.mapValues(finite) },
            evaluatedOn: lastEvaluation == nil ? nil : evaluator?.evaluatedOn)
    }
}

/// The device a recipe names, failing clearly when it is not usable here.
public func trainingDevice(_ name: String) throws -> Device {
    let device: Device
    do { device = try Device(name) } catch { throw RecipeError("device '\(name)': \(error)") }
    if case .cpu = device { return device }
    guard Torch.cudaAvailable else {
        throw RecipeError("device '\(name)': CUDA is not available in this libtorch (\(Torch.cudaStatus)); use --device cpu")
    }
    return device
}

/// The recipe's feature network, or nil when no loss needs one; `stand-in` says what replaced
/// VGG's ImageNet weights when they are absent (`FeaturesSpec.Missing.random`).
func loadFeatures(
    _ recipe: Recipe, environment: [String: String] = ProcessInfo.processInfo.environment
) throws -> (features: (any FeatureExtractor)?, standIn: String?) {
    guard recipe.allLosses.contains(where: { lossNeeds($0.name).contains(.features) }) else { return (nil, nil) }
    let spec = recipe.features ?? FeaturesSpec()
    guard let configuration = VGGConfiguration.allCases.first(where: { $0.name == spec.network }) else {
        throw RecipeError("features: unknown network '\(spec.network)' (known: vgg16, vgg19)")
    }
    let conventional = VGGWeights.conventionalURL(configuration, environment: environment)
    if spec.weights == nil, spec.missing ?? .random == .random, !FileManager.default.fileExists(atPath: conventional.path) {
        let standIn = "\(configuration.name) with random weights (seed 0) in place of its ImageNet weights, "
            + "which were not found at \(conventional.path): feature losses compare local structure, "
            + "not ImageNet features (dslr import vgg; features.missing: error to require them)"
        return (VGGFeatures(try VGG.random(configuration)), standIn)
    }
    let vgg = try VGGWeights.load(configuration, explicit: spec.weights.map { URL(fileURLWithPath: $0) }, environment: environment)
    return (VGGFeatures(vgg), nil)
}
