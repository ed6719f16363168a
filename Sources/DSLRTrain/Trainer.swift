import DSLRData
import DSLRDistributed
import DSLREnhance
import DSLREval
import DSLRLosses
import DSLRMetrics
import DSLRModels
import DSLRNN
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

/// Trains a recipe into a run folder: generator and (optional) discriminator steps in
/// alternation as DPED does, metrics lines, periodic evaluation and atomic checkpoints from
/// which `resume` continues bit for bit.
public final class Trainer {
    public let recipe: Recipe
    public let run: RunFolder
    public let device: Device
    /// Iterations completed.
    public private(set) var iteration = 0
    /// Called after backward with ("generator" | "discriminator", that network's float32
    /// gradients), before loss-scale checks and the optimizer step (in a process group, after
    /// the gradients are averaged over the ranks).
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
    /// What batch-sum losses are multiplied by: the global batch over this rank's shard, so
    /// that averaging the ranks' gradients gives the global sum's gradient.
    var batchSumScale: Double { Double(parallel?.group.worldSize ?? 1) }

    let generator: TrainedSide
    let discriminator: TrainedSide?
    let losses: [Loss]
    let features: (any FeatureExtractor)?
    let dataset: Dataset
    let loader: DataLoader
    let log: MetricsLog
    let report: @Sendable (String) -> Void
    private var baselines: (identity: [String: Double], classic: [String: Double])?
    private var lastEval: [String: Double]?

    /// Sets up a new run in `run` (which must not hold a checkpoint) or, with `resume`,
    /// continues the one there from its latest checkpoint. `extraLosses` are added to the
    /// recipe's generator losses (losses defined in code rather than in the registry).
    ///
    /// With a process `group` of N ranks, every rank runs this with the same recipe: each
    /// builds the same seeded global batch and trains on its shard (`BatchShard`), gradients
    /// are averaged before every optimizer step, and only rank 0 evaluates and writes the run
    /// folder, so N ranks end with the weights one process with the same batch would reach.
    public init(recipe: Recipe, run: RunFolder, resume: Bool = false, extraLosses: [Loss] = [],
                group: ProcessGroup? = nil, report: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.recipe = recipe
        self.run = run
        self.report = report
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
        try checkRecipe(recipe)
        losses = try recipe.losses.map(makeLoss) + extraLosses
        features = try loadFeatures(recipe)
        dataset = try makeDataset(recipe.dataset.spec, report: leader ? report : { _ in })
        // Only a run that can start gets a folder.
        if leader { try run.create() }

        Torch.manualSeed(recipe.seed)
        let gSchedule = try makeSchedule(recipe.schedule, base: recipe.optimizer.lr, iterations: recipe.iterations)
        generator = try TrainedSide(name: "generator", make: { try makeNetwork(recipe.generator, section: "generator", role: .enhancer) },
                                    optimizer: recipe.optimizer, schedule: gSchedule, device: device, precision: recipe.precision)
        if let spec = recipe.discriminator {
            let optimizer = spec.optimizer ?? recipe.optimizer
            let dSchedule = try makeSchedule(recipe.schedule, base: optimizer.lr, iterations: recipe.iterations)
            discriminator = try TrainedSide(name: "discriminator", make: { try makeNetwork(NetworkSpec(architecture: spec.architecture, options: spec.options), section: "discriminator", role: .discriminator) },
                                            optimizer: optimizer, schedule: dSchedule, device: device, precision: recipe.precision)
        } else {
            discriminator = nil
        }
        log = MetricsLog(run.metrics)

        var position = LoaderPosition()
        if resume {
            let state = try Self.restore(from: run.latest, generator: generator, discriminator: discriminator)
            iteration = state.iteration
            position = state.loader
            if leader { try log.truncate(after: iteration) }
        } else if leader {
            try? FileManager.default.removeItem(at: run.metrics)
        }
        // Every rank restored the same checkpoint (or drew the same seeded start); rank 0's
        // copy is sent anyway so that replicas never start apart.
        if let parallel {
            try parallel.broadcastState(of: generator.master.module)
            if let discriminator { try parallel.broadcastState(of: discriminator.master.module) }
        }
        if leader { try Data(recipe.yaml().utf8).write(to: run.recipe, options: .atomic) }
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
            var record = try step()
            iteration += 1
            windowIterations += 1
            let rate = Double(windowIterations) / max(Date().timeIntervalSince(windowStart), 1e-9)
            onStep?(StepReport(iteration: iteration, total: recipe.iterations, losses: record.losses ?? [:],
                               generatorTotal: record.total ?? 0, discriminatorLoss: record.discriminatorLoss,
                               discriminatorAccuracy: record.discriminatorAccuracy, itsPerSecond: rate))
            if isLeader, recipe.log.every > 0, iteration % recipe.log.every == 0 || iteration == recipe.iterations {
                record.iteration = iteration
                record.time = Date().timeIntervalSince(start)
                record.itsPerSecond = rate
                try log.append(record)
                windowStart = Date(); windowIterations = 0
            }
            let last = iteration == recipe.iterations
            if isLeader, last || (recipe.eval.every > 0 && iteration % recipe.eval.every == 0) {
                try runEvaluation(time: Date().timeIntervalSince(start))
            }
            if isLeader, last || (recipe.checkpoint.every > 0 && iteration % recipe.checkpoint.every == 0) {
                try saveCheckpoint(time: Date().timeIntervalSince(start))
            }
        }
        return lastEval ?? [:]
    }

    /// One iteration: a generator step on one batch, then a discriminator step on the next.
    func step() throws -> MetricsRecord {
        var record = MetricsRecord(kind: "train", iteration: iteration + 1, time: 0)
        let batch = try loader.nextBatch()
        let x = try shard(batch.input).to(device), y = try shard(batch.target).to(device)

        try generator.begin()
        let output = try generator.forward(x)
        var context = LossContext(output: output, target: y, input: x, features: features)
        context.batchSumScale = batchSumScale
        if let d = discriminator, let form = recipe.discriminator?.loss {
            context.discriminator = { gray in try discriminatorOutput(d.forward(gray), form: form) }
        }
        let (total, parts) = try DSLRLosses.evaluate(losses, context)
        for (name, value) in parts.sorted(by: { $0.key < $1.key }) where !value.isFinite {
            throw try stop(NonFiniteLoss(loss: name, iteration: iteration + 1, value: value))
        }
        let totalValue = try total.detach().item()
        guard totalValue.isFinite else { throw try stop(NonFiniteLoss(loss: "total", iteration: iteration + 1, value: totalValue)) }
        try generator.backward(total)
        let stepped = try generator.step(iteration: iteration, hook: hook(for: generator))
        record.losses = parts
        record.total = totalValue
        record.lr = generator.optimizer.learningRate
        if let scaler = generator.scaler {
            record.lossScale = scaler.scale
            if !stepped { record.skipped = true }
        }

        if let d = discriminator, let form = recipe.discriminator?.loss {
            let (loss, accuracy) = try discriminatorStep(d, form: form)
            record.discriminatorLoss = loss
            record.discriminatorAccuracy = accuracy
        }
        return record
    }

    /// DPED's discriminator step on a fresh batch: the generator's output (no gradient) and
    /// the DSLR targets, in grayscale.
    func discriminatorStep(_ d: TrainedSide, form: DiscriminatorLossForm) throws -> (Double, Double) {
        let batch = try loader.nextBatch()
        let x = try shard(batch.input).to(device), y = try shard(batch.target).to(device)
        let fake = try withNoGrad { try grayscale(generator.forward(x)) }
        let real = try grayscale(y)
        try d.begin()
        let loss: Tensor, accuracy: Double
        switch form {
        case .dped:
            // Each sample is the DSLR patch (1) or the enhanced one (0) at random, as DPED swaps.
            // Drawn for the global batch on every rank, so the stream matches one process's.
            let isReal = try shard(Tensor.randint(0, 2, [batch.input.shape[0]])).to(device).to(.float32)
            let n = x.shape[0]
            let s = try isReal.reshape([n, 1, 1, 1])
            let mixed = try fake * (1 - s) + real * s
            let p = try d.forward(mixed).softmax(dim: 1)
            // A sum over the batch, scaled like the texture loss.
            let sum = try dpedDiscriminatorLoss(probabilities: p, isReal: isReal)
            loss = batchSumScale == 1 ? sum : try sum * batchSumScale
            let expected = try (1 - isReal).to(.int64)
            accuracy = try p.argmax(dim: 1).eq(expected).to(.float32).mean().item()
        case .nonsaturating:
            let realScore = try discriminatorOutput(d.forward(real), form: .nonsaturating)
            let fakeScore = try discriminatorOutput(d.forward(fake), form: .nonsaturating)
            loss = try nonSaturatingDiscriminatorLoss(realLogits: realScore, fakeLogits: fakeScore)
            let right = try realScore.gt(0).to(.float32).mean().item() + fakeScore.lt(0).to(.float32).mean().item()
            accuracy = right / 2
        }
        let value = try loss.detach().item()
        guard value.isFinite else { throw try stop(NonFiniteLoss(loss: "discriminator", iteration: iteration + 1, value: value)) }
        try d.backward(loss)
        try d.step(iteration: iteration, hook: hook(for: d))
        return (value, accuracy)
    }

    /// This rank's samples of a global batch (all of it in a single process).
    private func shard(_ batch: Tensor) throws -> Tensor {
        guard let parallel else { return batch }
        return try parallel.shard.select(batch)
    }

    /// The after-backward seam of `side`: the data-parallel gradient average (over every
    /// parameter, so ranks always send the same layout), then the user's hook.
    private func hook(for side: TrainedSide) -> ((String, [Tensor]) throws -> Void)? {
        guard let parallel else { return gradientHook }
        let user = gradientHook
        return { name, gradients in
            try parallel.averageGradients(of: side.master.module)
            try user?(name, gradients)
        }
    }

    /// Logs the stop and hands the error back for throwing.
    private func stop(_ error: NonFiniteLoss) throws -> NonFiniteLoss {
        var record = MetricsRecord(kind: "stop", iteration: error.iteration, time: 0)
        record.reason = error.description
        if isLeader { try log.append(record) }
        onRecord?(record)
        return error
    }

    // MARK: evaluation

    /// PSNR, SSIM and MS-SSIM of the generator on the held-out split (and, once, of the two
    /// baselines: the identity and the classic enhancer), averaged over images.
    func runEvaluation(time: Double) throws {
        let split = dataset.split(.test)
        let count = min(split.inputs.count, recipe.eval.maxImages)
        var record = MetricsRecord(kind: "eval", iteration: iteration, time: time)
        guard count > 0 else {
            record.reason = "no held-out images"
            try log.append(record)
            return
        }
        let computeBaselines = baselines == nil
        let classicModel = computeBaselines ? try LoadedModel.load(ModelRegistry.standard().resolve("classic")) : nil
        var sums: [String: Double] = [:], identitySums: [String: Double] = [:], classicSums: [String: Double] = [:]
        try withNoGrad {
            for i in 0..<count {
                let x = try centerCrop(dataset.loadInput(split.inputs[i]), size: recipe.eval.crop).unsqueeze(0)
                let y = try centerCrop(dataset.loadTarget(split.targets[i]), size: recipe.eval.crop * dataset.targetScale).unsqueeze(0)
                let out = try generator.master(x.to(device)).clamp(min: 0, max: 1)
                for (k, v) in try qualityMetrics(output: out, target: y.to(device)) { sums[k, default: 0] += v }
                if i < recipe.eval.samples {
                    try writeSample(iteration: iteration, index: i, input: x, output: out, target: y, to: run.samples)
                }
                if let classicModel, x.shape == y.shape {
                    for (k, v) in try qualityMetrics(output: x, target: y) { identitySums[k, default: 0] += v }
                    for (k, v) in try qualityMetrics(output: classicModel.enhance(x), target: y) { classicSums[k, default: 0] += v }
                }
            }
        }
        if computeBaselines {
            baselines = (identitySums.mapValues { $0 / Double(count) }, classicSums.mapValues { $0 / Double(count) })
        }
        record.metrics = sums.mapValues { $0 / Double(count) }
        record.identity = baselines?.identity
        record.classic = baselines?.classic
        record.images = count
        lastEval = record.metrics
        try log.append(record)
        onRecord?(record)
        // The report is for people watching the run; failing to draw it must not stop training.
        do { _ = try writeRunReport(runFolder: run.url) } catch { report("report.html not written: \(error)") }
    }

    // MARK: checkpoints

    func saveCheckpoint(time: Double) throws {
        var tensors: [(String, Tensor)] = generator.master.module.stateDict().map { ("generator.\($0.0)", $0.1) }
        let (gOpt, gMeta) = try generator.optimizer.stateDict()
        tensors += gOpt.map { ("optimizer.generator.\($0.0)", $0.1) }
        var state = TrainState(iteration: iteration, loader: loader.position, generatorScaler: generator.scaler,
                               generatorOptimizer: gMeta, generatorArchitecture: generator.master.architecture)
        if let d = discriminator {
            tensors += d.master.module.stateDict().map { ("discriminator.\($0.0)", $0.1) }
            let (dOpt, dMeta) = try d.optimizer.stateDict()
            tensors += dOpt.map { ("optimizer.discriminator.\($0.0)", $0.1) }
            state.discriminatorScaler = d.scaler
            state.discriminatorOptimizer = dMeta
            state.discriminatorArchitecture = d.master.architecture
        }
        tensors.append(("rng.cpu", try Torch.rngState()))
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        let metadata = [TrainState.metadataKey: json]
        let numbered = run.checkpoint(iteration: iteration)
        try Checkpoint.save(tensors, metadata: metadata, to: numbered)
        try Checkpoint.save(tensors, metadata: metadata, to: run.latest)
        try writeModel(generator.master, card: card(), to: run.model)
        try pruneCheckpoints()
        var record = MetricsRecord(kind: "checkpoint", iteration: iteration, time: time)
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

    private static func restore(from url: URL, generator: TrainedSide, discriminator: TrainedSide?) throws -> TrainState {
        let (tensors, metadata) = try Checkpoint.load(url)
        guard let json = metadata[TrainState.metadataKey],
              let state = try? JSONDecoder().decode(TrainState.self, from: Data(json.utf8)) else {
            throw RecipeError("\(url.path): not a DSLRKit training checkpoint (no '\(TrainState.metadataKey)' metadata)")
        }
        func part(_ prefix: String) -> [(String, Tensor)] {
            tensors.filter { $0.0.hasPrefix(prefix) }.map { (String($0.0.dropFirst(prefix.count)), $0.1) }
        }
        guard state.generatorArchitecture == generator.master.architecture else {
            throw RecipeError("\(url.path): holds a \(state.generatorArchitecture) generator, the recipe trains \(generator.master.architecture)")
        }
        try generator.master.module.load(part("generator."), strict: true, source: url.path)
        try generator.optimizer.load(part("optimizer.generator."), metadata: state.generatorOptimizer, source: url.path)
        generator.scaler = state.generatorScaler
        if let d = discriminator {
            guard let dMeta = state.discriminatorOptimizer else {
                throw RecipeError("\(url.path): has no discriminator, the recipe trains one")
            }
            try d.master.module.load(part("discriminator."), strict: true, source: url.path)
            try d.optimizer.load(part("optimizer.discriminator."), metadata: dMeta, source: url.path)
            d.scaler = state.discriminatorScaler
        }
        guard let rng = tensors.first(where: { $0.0 == "rng.cpu" })?.1 else {
            throw RecipeError("\(url.path): no RNG state ('rng.cpu')")
        }
        try Torch.setRNGState(rng)
        return state
    }

    func card() -> ModelCard {
        ModelCard(
            name: recipe.name, architecture: generator.master.architecture,
            summary: "\(generator.master.architecture) trained by dslr train with recipe '\(recipe.name)' for \(iteration) iterations",
            trainedOn: "\(recipe.dataset.layout): \(recipe.dataset.root)", recipe: recipe.name, command: command,
            metrics: lastEval,
            baselines: baselines.map { ["identity": $0.identity, "classic": $0.classic] },
            evaluatedOn: lastEval == nil ? nil
                : "\(recipe.dataset.layout): \(recipe.dataset.root), held-out split, centre \(recipe.eval.crop)-pixel crops")
    }
}

/// DPED form: softmax probabilities [N, 2]; non-saturating: the "real" logit l₀ − l₁ [N].
func discriminatorOutput(_ logits: Tensor, form: DiscriminatorLossForm) throws -> Tensor {
    switch form {
    case .dped: return try logits.softmax(dim: 1)
    case .nonsaturating: return try logits.select(1, 0) - logits.select(1, 1)
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

/// Losses that need a pretrained feature network.
let featureLosses: Set<String> = ["content", "contextual", "gram"]

private func loadFeatures(_ recipe: Recipe) throws -> (any FeatureExtractor)? {
    guard recipe.losses.contains(where: { featureLosses.contains($0.name) }) else { return nil }
    let spec = recipe.features ?? FeaturesSpec()
    guard let configuration = VGGConfiguration.allCases.first(where: { $0.name == spec.network }) else {
        throw RecipeError("features: unknown network '\(spec.network)' (known: vgg16, vgg19)")
    }
    let vgg = try VGGWeights.load(configuration, explicit: spec.weights.map { URL(fileURLWithPath: $0) })
    return VGGFeatures(vgg)
}

private func checkRecipe(_ recipe: Recipe) throws {
    let needsD = recipe.losses.contains { $0.name == "texture" }
    if needsD, recipe.discriminator == nil {
        throw RecipeError("the 'texture' loss needs a discriminator section in the recipe")
    }
    if recipe.discriminator != nil, !needsD {
        throw RecipeError("the recipe has a discriminator but no 'texture' loss to train the generator against it")
    }
    if let d = recipe.discriminator, let texture = recipe.losses.first(where: { $0.name == "texture" }) {
        let form = texture.options["form"].map { if case .text(let s) = $0 { s } else { "" } } ?? "dped"
        guard form == d.loss.rawValue else {
            throw RecipeError("the texture loss's form '\(form)' does not match the discriminator's loss '\(d.loss.rawValue)'")
        }
    }
}
