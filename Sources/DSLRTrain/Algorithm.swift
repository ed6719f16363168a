import DSLRLosses
import DSLRModels
import DSLRNN
import DSLRTensor

// Training algorithms as plug-ins. The loop (`Trainer`) owns iterations, progress, logging,
// evaluation cadence, checkpoints, the NaN/Inf policy, resume and data parallelism; an
// algorithm owns its named networks (each with its optimizer and loss scaler) and its step.
// Adding one is a file defining an `AlgorithmDefinition` plus one line in
// `TrainingAlgorithms.all`.

/// What the loop hands an algorithm when building it.
public struct AlgorithmSetup {
    public let recipe: Recipe
    public let device: Device
    /// The recipe's losses (plus any added in code), built, with unique names.
    public let losses: [Loss]
    /// The pretrained feature network, when a loss needs one.
    public let features: (any FeatureExtractor)?
    /// Where an algorithm's own data loaders report unusable files.
    public var report: @Sendable (String) -> Void = { _ in }
}

/// What one step gets from the loop.
public struct StepContext {
    /// Iterations completed before this step.
    public let iteration: Int
    /// The next batch, this rank's share, on the training device; an algorithm that uses
    /// more than one batch per iteration (DPED's discriminator step) draws again.
    public let nextBatch: () throws -> (input: Tensor, target: Tensor)
    /// This rank's rows of a tensor drawn for the global batch (all of it in one process), so
    /// that random draws follow the single-process stream under data parallelism.
    public let shard: (Tensor) throws -> Tensor
    /// Rows in the global batch.
    public let globalBatchSize: Int
    /// What batch-sum losses are multiplied by (see `LossContext.batchSumScale`).
    public let batchSumScale: Double
    /// The after-backward seam of a network (gradient average across ranks, the user's hook).
    public let hook: (TrainedSide) -> ((String, [Tensor]) throws -> Void)?
}

/// What one step reports.
public struct StepResult: Sendable {
    /// Each loss, unweighted, by its unique name.
    public var losses: [String: Double] = [:]
    /// The weighted sum the product network was trained on.
    public var total: Double = 0
    public var lr: Double = 0
    /// fp16's loss scale, and whether it skipped the step.
    public var lossScale: Double?
    public var skipped = false
    /// The algorithm's own figures (e.g. `discriminator_loss`, `discriminator_accuracy`).
    public var scalars: [String: Double] = [:]
    public init() {}
}

/// A training algorithm: its networks and its step.
public protocol TrainingAlgorithm: AnyObject {
    /// Every network it trains, by unique name, in a fixed order (checkpointed, broadcast
    /// and restored in this order).
    var networks: [TrainedSide] { get }
    /// The network that is evaluated and written as the run's model.
    var product: TrainedSide { get }
    /// One iteration. Throws `NonFiniteLoss` when a loss is NaN or infinite.
    func step(_ context: StepContext) throws -> StepResult
}

/// A registered algorithm: its name, what its losses can read, the recipe sections it needs,
/// and how to build it.
public struct AlgorithmDefinition: Sendable {
    public let name: String
    public let summary: String
    /// What it puts into every loss context (the loop adds `.features` when a loss needs them).
    public let provides: Set<LossInput>
    /// Checks the recipe sections the algorithm uses (and refuses ones it would ignore).
    public let check: @Sendable (Recipe) throws -> Void
    public let make: @Sendable (AlgorithmSetup) throws -> any TrainingAlgorithm

    public init(name: String, summary: String, provides: Set<LossInput>, check: @escaping @Sendable (Recipe) throws -> Void,
                make: @escaping @Sendable (AlgorithmSetup) throws -> any TrainingAlgorithm) {
        self.name = name; self.summary = summary; self.provides = provides; self.check = check; self.make = make
    }
}

/// Every training algorithm a recipe can name with `algorithm:`.
public enum TrainingAlgorithms {
    /// The list: one line per algorithm.
    public static let all: [AlgorithmDefinition] = [
        supervisedAlgorithm,
        dpedGANAlgorithm,
        distillAlgorithm,
        pynetLevelsAlgorithm,
        intrinsicAlgorithm,
        starGANAlgorithm,
    ]

    public static var names: [String] { all.map(\.name) }

    public static func named(_ name: String) throws -> AlgorithmDefinition {
        guard let found = all.first(where: { $0.name == name }) else {
            throw RecipeError("algorithm: unknown training algorithm '\(name)' (known: \(names.joined(separator: ", ")))")
        }
        return found
    }

    /// Refuses a recipe whose algorithm is unknown, cannot provide what one of its losses
    /// reads, or lacks (or would ignore) a section; names the loss and the algorithm.
    public static func validate(_ recipe: Recipe) throws {
        let algorithm = try named(recipe.algorithmName)
        let provided = algorithm.provides.union([.features])
        for spec in recipe.allLosses {
            guard let missing = lossNeeds(spec.name).subtracting(provided).sorted().first else { continue }
            let others = all.filter { lossNeeds(spec.name).isSubset(of: $0.provides.union([.features])) }.map(\.name)
            throw RecipeError(
                "loss '\(spec.name)' needs \(missing.phrase), which the training algorithm '\(algorithm.name)' does not provide"
                    + " (algorithms that do: \(others.isEmpty ? "none yet" : others.joined(separator: ", ")))")
        }
        if recipe.levels != nil, algorithm.name != pynetLevelsAlgorithm.name {
            throw RecipeError("the levels section is only for algorithm: pynet-levels, not '\(algorithm.name)'")
        }
        try algorithm.check(recipe)
    }
}

/// The loss names logged for `losses`: a name used twice gets "_2", "_3", ... so that every
/// logged part is distinct.
func uniquelyNamed(_ losses: [Loss]) -> [Loss] {
    var seen: [String: Int] = [:]
    return losses.map { loss in
        let n = (seen[loss.name] ?? 0) + 1
        seen[loss.name] = n
        return n == 1 ? loss : Loss(name: "\(loss.name)_\(n)", weight: loss.weight) { try loss($0) }
    }
}

/// Throws `NonFiniteLoss` for the first part (by name) that is NaN or infinite, then for
/// `total`: the run stops before a backward pass spreads it into the weights.
func requireFinite(_ parts: [String: Double], total: Double? = nil, iteration: Int) throws {
    for (name, value) in parts.sorted(by: { $0.key < $1.key }) where !value.isFinite {
        throw NonFiniteLoss(loss: name, iteration: iteration, value: value)
    }
    if let total, !total.isFinite { throw NonFiniteLoss(loss: "total", iteration: iteration, value: total) }
}

/// One optimisation step of an image-to-image network on a batch: forward (of pyramid
/// `level` when given), the weighted losses, NaN/Inf check, backward, optimizer step. Shared
/// by the algorithms.
func enhancerStep(
    _ network: TrainedSide, losses: [Loss], input x: Tensor, target y: Tensor, features: (any FeatureExtractor)?,
    discriminator: ((Tensor) throws -> Tensor)? = nil, teacherFeatures: [Tensor]? = nil, level: Int? = nil, context: StepContext
) throws -> StepResult {
    try network.begin()
    // With a teacher's maps, the network's own maps come along for the distillation loss.
    let (output, studentFeatures) = try level.map { (try network.forward(x, level: $0), []) }
        ?? (teacherFeatures == nil ? (try network.forward(x), []) : try network.forwardWithFeatures(x))
    var lossContext = LossContext(output: output, target: y, input: x, features: features, discriminator: discriminator)
    lossContext.studentFeatures = studentFeatures
    lossContext.teacherFeatures = teacherFeatures ?? []
    lossContext.batchSumScale = context.batchSumScale
    let (total, parts) = try DSLRLosses.evaluate(losses, lossContext)
    let totalValue = try total.detach().item()
    try requireFinite(parts, total: totalValue, iteration: context.iteration + 1)
    try network.backward(total)
    let stepped = try network.step(iteration: context.iteration, hook: context.hook(network))
    var result = StepResult()
    result.losses = parts
    result.total = totalValue
    result.lr = network.optimizer.learningRate
    if let scaler = network.scaler {
        result.lossScale = scaler.scale
        result.skipped = !stepped
    }
    return result
}

/// A trained network of the architecture a recipe section names, with its optimizer.
func trainedNetwork(_ name: String, spec: NetworkSpec, role: ArchitectureContract.Role, optimizer: OptimizerSpec,
                    setup: AlgorithmSetup) throws -> TrainedSide {
    let recipe = setup.recipe
    let schedule = try makeSchedule(recipe.schedule, base: optimizer.lr, iterations: recipe.iterations)
    return try TrainedSide(name: name, make: { try makeNetwork(spec, section: name, role: role) },
                           optimizer: optimizer, schedule: schedule, device: setup.device, precision: recipe.precision)
}
