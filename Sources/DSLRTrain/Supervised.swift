import DSLRLosses
import DSLRModels
import DSLRTensor

/// `supervised`: one network trained on (input, target) pairs with the recipe's losses.
let supervisedAlgorithm = AlgorithmDefinition(
    name: "supervised", summary: "one network on (input, target) pairs with the recipe's losses",
    provides: [.target, .input],
    check: { recipe in
        if recipe.discriminator != nil {
            throw RecipeError("the 'supervised' algorithm trains no discriminator; remove the discriminator section or use algorithm: dped-gan")
        }
    },
    make: { setup in try Supervised(setup) })

final class Supervised: TrainingAlgorithm {
    let generator: TrainedSide
    let losses: [Loss]
    let features: (any FeatureExtractor)?

    init(_ setup: AlgorithmSetup) throws {
        generator = try trainedNetwork("generator", spec: setup.recipe.generator, role: .enhancer,
                                       optimizer: setup.recipe.optimizer, setup: setup)
        losses = setup.losses
        features = setup.features
    }

    var networks: [TrainedSide] { [generator] }
    var product: TrainedSide { generator }

    func step(_ context: StepContext) throws -> StepResult {
        let (x, y) = try context.nextBatch()
        return try enhancerStep(generator, losses: losses, input: x, target: y, features: features, context: context)
    }
}
