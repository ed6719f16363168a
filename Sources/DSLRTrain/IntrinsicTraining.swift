import DSLRData
import DSLRLosses
import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation

/// `intrinsic`: MDIE's intrinsic networks (F, F'), trained as the thesis describes in two
/// halves at once: supervised on procedural scenes of known albedo and shading (standing in
/// for MPI Sintel), and self-supervised on real photos by the reconstruction
/// α‖I_LQ − F'(F(I_LQ))‖ + β‖I_HQ − F'(F(I_HQ))‖, measured by the recipe's losses on the
/// dataset's inputs (LQ) and targets (HQ). StarGAN's generator inside the `mdie` network
/// is not used and keeps its initial weights.
let intrinsicAlgorithm = AlgorithmDefinition(
    name: "intrinsic", summary: "MDIE's intrinsic decomposition and composition: procedural scenes plus reconstruction of real photos",
    provides: [.target, .input],
    check: { recipe in
        try checkMDIEGenerator(recipe, algorithm: "intrinsic")
        if recipe.discriminator != nil { throw RecipeError("the 'intrinsic' algorithm trains no discriminator; remove the discriminator section") }
        if let domains = recipe.mdie?.domains, !domains.isEmpty {
            throw RecipeError("mdie.domains: the 'intrinsic' algorithm trains on the dataset and procedural scenes; domains are for 'stargan'")
        }
    },
    make: { setup in try IntrinsicTraining(setup) })

/// The generator of an MDIE algorithm is an `mdie` network trained in float32.
func checkMDIEGenerator(_ recipe: Recipe, algorithm: String) throws {
    guard recipe.generator.architecture == MDIENetwork.architectureID else {
        throw RecipeError("generator: the '\(algorithm)' algorithm trains an '\(MDIENetwork.architectureID)' network, not '\(recipe.generator.architecture)'")
    }
    guard recipe.precision == .fp32 else {
        throw RecipeError("precision: the '\(algorithm)' algorithm trains in fp32 only (its parts run separately)")
    }
    guard recipe.patchSize % IntrinsicAutoencoder.sizeMultiple == 0 else {
        throw RecipeError("patch_size: MDIE's intrinsic networks need a multiple of \(IntrinsicAutoencoder.sizeMultiple), got \(recipe.patchSize)")
    }
}

/// The `mdie` network of a trained side, for algorithms that run its parts one by one.
func mdieNetwork(_ side: TrainedSide) throws -> MDIENetwork {
    guard let net = side.master.module as? MDIENetwork else {
        throw RecipeError("\(side.name): '\(side.master.architecture)' is not an MDIE network")
    }
    return net
}

/// Loads the intrinsic networks F and F' of `path` (an `mdie` weights file) into `side`'s
/// network, strictly; its translator keeps its own start (`intrinsic` never trains it).
func loadInitialMDIE(_ path: String, into side: TrainedSide) throws {
    let (tensors, metadata) = try Checkpoint.load(URL(fileURLWithPath: path))
    if let architecture = metadata[architectureMetadataKey], architecture != MDIENetwork.architectureID {
        throw RecipeError("mdie.init: \(path) holds a '\(architecture)' network, not an '\(MDIENetwork.architectureID)' one")
    }
    let net = try mdieNetwork(side)
    for (prefix, part) in [("decomposer.", net.decomposer), ("composer.", net.composer)] {
        let state = tensors.filter { $0.0.hasPrefix(prefix) }.map { (String($0.0.dropFirst(prefix.count)), $0.1) }
        _ = try part.load(state, strict: true, source: "\(path) (\(prefix.dropLast()))")
    }
}

/// The mean squared error, the thesis' ‖·‖² on intrinsic images.
func meanSquaredError(_ a: Tensor, _ b: Tensor) throws -> Tensor { try ((a - b) * (a - b)).mean() }

final class IntrinsicTraining: TrainingAlgorithm {
    let generator: TrainedSide
    let spec: MDIESpec
    let losses: [Loss]
    let features: (any FeatureExtractor)?
    let seed: UInt64
    let patch: Int

    init(_ setup: AlgorithmSetup) throws {
        let recipe = setup.recipe
        generator = try trainedNetwork("generator", spec: recipe.generator, role: .enhancer, optimizer: recipe.optimizer, setup: setup)
        spec = recipe.mdie ?? MDIESpec()
        if let initial = spec.initial { try loadInitialMDIE(initial, into: generator) }
        losses = setup.losses
        features = setup.features
        seed = recipe.seed
        patch = recipe.patchSize
    }

    var networks: [TrainedSide] { [generator] }
    var product: TrainedSide { generator }

    func step(_ context: StepContext) throws -> StepResult {
        let (low, high) = try context.nextBatch()
        let net = try mdieNetwork(generator)
        try generator.begin()
        var parts: [String: Tensor] = [:]
        var total = try Tensor.zeros([], device: low.device)
        if spec.scenes > 0 {
            let scenes = try IntrinsicScene.batch(size: patch, seed: seed, first: context.iteration * spec.scenes, count: spec.scenes)
            let image = try scenes.image.to(low.device), albedo = try scenes.albedo.to(low.device)
            let shading = try scenes.shading.to(low.device)
            let predicted = try net.decompose(image)
            parts["albedo"] = try meanSquaredError(predicted.narrow(1, start: 0, length: 3), albedo)
            parts["shading"] = try meanSquaredError(predicted.narrow(1, start: 3, length: 3), shading)
            parts["composition"] = try meanSquaredError(net.compose(cat([albedo, shading], dim: 1)), image)
            total = try total + (parts["albedo"]! + parts["shading"]! + parts["composition"]!) * spec.sceneWeight
        }
        for (name, photo, weight) in [("low", low, spec.lowWeight), ("high", high, spec.highWeight)] where weight > 0 {
            let reconstruction = try net.compose(net.decompose(photo))
            var lossContext = LossContext(output: reconstruction, target: photo, input: photo, features: features)
            lossContext.batchSumScale = context.batchSumScale
            let (sum, _) = try DSLRLosses.evaluate(losses, lossContext)
            parts["reconstruction_\(name)"] = sum
            total = try total + sum * weight
        }
        var result = StepResult()
        result.losses = try parts.mapValues { try $0.detach().item() }
        result.total = try total.detach().item()
        try requireFinite(result.losses, total: result.total, iteration: context.iteration + 1)
        try generator.backward(total)
        try generator.step(iteration: context.iteration, hook: context.hook(generator))
        result.lr = generator.optimizer.learningRate
        return result
    }
}
