import DSLRLosses
import DSLRMetrics
import DSLRModels
import DSLRTensor

/// `dped-gan`: DPED's alternation. A generator step on one batch with the recipe's losses
/// (the texture loss asks the discriminator), then a discriminator step on the next batch.
let dpedGANAlgorithm = AlgorithmDefinition(
    name: "dped-gan", summary: "DPED's generator/discriminator alternation (texture loss against a grayscale discriminator)",
    provides: [.target, .input, .discriminator],
    check: { recipe in
        guard recipe.discriminator != nil else {
            throw RecipeError("the 'dped-gan' algorithm needs a discriminator section in the recipe")
        }
        try checkAdversary(recipe)
    },
    make: { setup in try DPEDGAN(setup) })

/// A discriminator section and a `texture` loss come together, with the same form.
func checkAdversary(_ recipe: Recipe) throws {
    if recipe.discriminator?.loss == .wganGP {
        throw RecipeError("discriminator: loss wgan-gp is the 'stargan' algorithm's critic, not '\(recipe.algorithmName)''s (use dped or nonsaturating)")
    }
    let texture = recipe.losses.first(where: { $0.name == "texture" })
    guard let d = recipe.discriminator else {
        if texture != nil { throw RecipeError("the 'texture' loss needs a discriminator section in the recipe") }
        return
    }
    guard let texture else {
        throw RecipeError("the recipe has a discriminator but no 'texture' loss to train the generator against it")
    }
    let form = texture.options["form"].map { if case .text(let s) = $0 { s } else { "" } } ?? "dped"
    guard form == d.loss.rawValue else {
        throw RecipeError("the texture loss's form '\(form)' does not match the discriminator's loss '\(d.loss.rawValue)'")
    }
    // DPED's form is a softmax over (DSLR, enhanced); a one-logit (sigmoid) head has no second class.
    // An unknown name or bad options are reported where the network is built, with its section.
    let outputs = (try? Architectures.named(d.architecture).contract(d.options))?.outputChannels ?? 2
    guard d.loss == .nonsaturating || outputs == 2 else {
        throw RecipeError("discriminator: '\(d.architecture)' gives \(outputs) logit per patch, which the 'dped' loss cannot use (use loss: nonsaturating, and the texture loss's form nonsaturating)")
    }
}

final class DPEDGAN: TrainingAlgorithm {
    let generator: TrainedSide
    let discriminator: TrainedSide
    let form: DiscriminatorLossForm
    let losses: [Loss]
    let features: (any FeatureExtractor)?

    init(_ setup: AlgorithmSetup) throws {
        let recipe = setup.recipe
        guard let spec = recipe.discriminator else { throw RecipeError("the 'dped-gan' algorithm needs a discriminator section") }
        generator = try trainedNetwork("generator", spec: recipe.generator, role: .enhancer, optimizer: recipe.optimizer, setup: setup)
        discriminator = try trainedNetwork(
            "discriminator", spec: NetworkSpec(architecture: spec.architecture, options: spec.options), role: .discriminator,
            optimizer: spec.optimizer ?? recipe.optimizer, setup: setup)
        form = spec.loss
        losses = setup.losses
        features = setup.features
    }

    var networks: [TrainedSide] { [generator, discriminator] }
    var product: TrainedSide { generator }

    func step(_ context: StepContext) throws -> StepResult {
        let (x, y) = try context.nextBatch()
        let d = discriminator, form = form
        var result = try enhancerStep(
            generator, losses: losses, input: x, target: y, features: features,
            discriminator: { gray in try discriminatorOutput(d.forward(gray), form: form) }, context: context)
        let (loss, accuracy) = try discriminatorStep(d, form: form, generator: generator, context: context)
        result.scalars = ["discriminator_loss": loss, "discriminator_accuracy": accuracy]
        return result
    }
}

/// DPED's discriminator step on a fresh batch: the generator's output (no gradient) and
/// the DSLR targets, in grayscale. Returns the loss and the share classified correctly.
func discriminatorStep(_ d: TrainedSide, form: DiscriminatorLossForm, generator: TrainedSide, context: StepContext) throws -> (Double, Double) {
    let (x, y) = try context.nextBatch()
    let fake = try withNoGrad { try grayscale(generator.forward(x)) }
    let real = try grayscale(y)
    try d.begin()
    let loss: Tensor, accuracy: Double
    switch form {
    case .dped:
        // Each sample is the DSLR patch (1) or the enhanced one (0) at random, as DPED swaps.
        // Drawn for the global batch on every rank, so the stream matches one process's.
        let isReal = try context.shard(Tensor.randint(0, 2, [context.globalBatchSize])).to(x.device).to(.float32)
        let n = x.shape[0]
        let s = try isReal.reshape([n, 1, 1, 1])
        let mixed = try fake * (1 - s) + real * s
        let p = try d.forward(mixed).softmax(dim: 1)
        // A sum over the batch, scaled like the texture loss.
        let sum = try dpedDiscriminatorLoss(probabilities: p, isReal: isReal)
        loss = context.batchSumScale == 1 ? sum : try sum * context.batchSumScale
        let expected = try (1 - isReal).to(.int64)
        accuracy = try p.argmax(dim: 1).eq(expected).to(.float32).mean().item()
    case .nonsaturating:
        let realScore = try discriminatorOutput(d.forward(real), form: .nonsaturating)
        let fakeScore = try discriminatorOutput(d.forward(fake), form: .nonsaturating)
        loss = try nonSaturatingDiscriminatorLoss(realLogits: realScore, fakeLogits: fakeScore)
        let right = try realScore.gt(0).to(.float32).mean().item() + fakeScore.lt(0).to(.float32).mean().item()
        accuracy = right / 2
    case .wganGP:
        throw RecipeError("discriminator: loss wgan-gp belongs to the 'stargan' algorithm")
    }
    let value = try loss.detach().item()
    try requireFinite(["discriminator": value], iteration: context.iteration + 1)
    try d.backward(loss)
    try d.step(iteration: context.iteration, hook: context.hook(d))
    return (value, accuracy)
}

/// DPED form: softmax probabilities [N, 2]; non-saturating: the "real" logit [N], l₀ − l₁ of
/// two logits (softmax's log-odds) or the one logit of a sigmoid head ([N, 1]).
func discriminatorOutput(_ logits: Tensor, form: DiscriminatorLossForm) throws -> Tensor {
    switch form {
    case .dped: return try logits.softmax(dim: 1)
    case .nonsaturating where logits.rank == 2 && logits.shape[1] == 1: return try logits.select(1, 0)
    case .nonsaturating: return try logits.select(1, 0) - logits.select(1, 1)
    case .wganGP: return try logits.select(1, 0)
    }
}
