import DSLRData
import DSLRLosses
import DSLRTensor

/// `pynet-levels`: PyNET's training (PyNET-PyTorch train_model.py), one pyramid level at a
/// time from the coarsest. Each stage trains the output of its level against the target
/// reduced to that level's size (PIL's antialiased bilinear, as the reference's
/// `imresize(dslr, scale / 2)` does) with its own losses, and starts with a fresh optimizer,
/// as each of the reference's per-level runs does; the weights carry over from stage to stage
/// (the reference reloads the previous level's file). Stages follow one another by iteration
/// count, so resuming needs nothing but the iteration: a run resumed across a stage boundary
/// takes exactly the steps of an uninterrupted one.
let pynetLevelsAlgorithm = AlgorithmDefinition(
    name: "pynet-levels",
    summary: "a pyramid (PyNET) trained level by level, coarsest first: each stage's level output against the target reduced to its size",
    provides: [.target, .input],
    check: { recipe in
        guard let levels = recipe.levels else {
            throw RecipeError("the 'pynet-levels' algorithm needs a levels section: stages of {level, iterations, losses}")
        }
        if recipe.discriminator != nil || recipe.teacher != nil {
            throw RecipeError("the 'pynet-levels' algorithm trains one network: remove the discriminator and teacher sections")
        }
        let order = levels.stages.map(\.level)
        guard zip(order, order.dropFirst()).allSatisfy({ $0 > $1 }) else {
            throw RecipeError("levels.stages: levels must go from coarse to fine (5 down to 0), got \(order)")
        }
        // Fewer iterations stop inside a stage (a run to resume later); more would have no stage.
        let total = levels.scaledIterations.reduce(0, +)
        guard recipe.iterations <= total else {
            throw RecipeError("iterations is \(recipe.iterations) but the level stages add up to \(total) after levels.scale \(levels.scale): set iterations: \(total)")
        }
    },
    make: { setup in try PyNETLevels(setup) })

final class PyNETLevels: TrainingAlgorithm {
    struct Stage {
        let level: Int
        /// Iterations [start, end) of the run.
        let start: Int, end: Int
        let losses: [Loss]
    }
    let generator: TrainedSide
    let stages: [Stage]
    let features: (any FeatureExtractor)?

    init(_ setup: AlgorithmSetup) throws {
        generator = try trainedNetwork("generator", spec: setup.recipe.generator, role: .enhancer,
                                       optimizer: setup.recipe.optimizer, setup: setup)
        guard generator.master.levelForward != nil else {
            throw RecipeError("generator: '\(generator.master.architecture)' has no pyramid levels to train one by one (pynet has)")
        }
        guard let levels = setup.recipe.levels else { throw RecipeError("the 'pynet-levels' algorithm needs a levels section") }
        var start = 0, stages: [Stage] = []
        for (stage, count) in zip(levels.stages, levels.scaledIterations) {
            let losses = try stage.losses.map { try uniquelyNamed($0.map(makeLoss)) } ?? setup.losses
            stages.append(Stage(level: stage.level, start: start, end: start + count, losses: losses))
            start += count
        }
        self.stages = stages
        features = setup.features
    }

    var networks: [TrainedSide] { [generator] }
    var product: TrainedSide { generator }

    /// The stage iteration `iteration` (completed before the step) belongs to.
    func stage(at iteration: Int) -> Stage { stages.first { iteration < $0.end } ?? stages[stages.count - 1] }

    func step(_ context: StepContext) throws -> StepResult {
        let stage = stage(at: context.iteration)
        if context.iteration == stage.start, stage.start > 0 { generator.resetOptimizer() }
        let (x, y) = try context.nextBatch()
        let factor = 1 << stage.level
        let target = stage.level == 0 ? y
            : try withNoGrad { try resizeAntialiased(y, height: y.shape[2] / factor, width: y.shape[3] / factor) }
        var result = try enhancerStep(generator, losses: stage.losses, input: x, target: target, features: features,
                                      level: stage.level, context: context)
        result.scalars["level"] = Double(stage.level)
        return result
    }
}
