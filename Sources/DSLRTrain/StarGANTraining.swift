import DSLRData
import DSLRLosses
import DSLRModels
import DSLRNN
import DSLRTensor

/// `stargan`: MDIE's multi-domain translation (Huang and Liu 3.2.2, after StarGAN). Each
/// step draws one batch from one domain's dataset, the domains in turn, and works on the
/// intrinsic images F(x) of its low- and high-quality photos (F and F' stay as `mdie.init`
/// left them). With c the domain's attribute (0 low, 1 high), the mask naming that domain
/// and c_trg the other value:
///
///     critic:    −D_src(x) + D_src(G(x, c_trg)) + λ_cls·BCE(D_cls(x), c) + λ_gp·(‖∇D_src(x̂)‖ − 1)²
///     generator: −D_src(G(x, c_trg)) + λ_cls·BCE(D_cls(G(x, c_trg)), c_trg) + the recipe's losses
///
/// every step for the critic and every `critic_steps` for the generator, x̂ a random blend of
/// real and translated images (WGAN-GP, as StarGAN). The recipe's losses see the translation
/// as `output`, F(x) as `input` and G(G(x, c_trg), c) as `reconstruction`: `cycle_l1` with
/// weight 10 is the thesis' λ_cyc term.
let starGANAlgorithm = AlgorithmDefinition(
    name: "stargan", summary: "MDIE's multi-domain StarGAN on intrinsic images: WGAN-GP critic with a domain classifier, one domain per step",
    provides: [.input, .reconstruction],
    check: { recipe in
        try checkMDIEGenerator(recipe, algorithm: "stargan")
        guard let d = recipe.discriminator, d.loss == .wganGP else {
            throw RecipeError("the 'stargan' algorithm needs a discriminator section with loss: wgan-gp (architecture stargan-discriminator)")
        }
        guard let spec = recipe.mdie, !spec.domains.isEmpty else {
            throw RecipeError("the 'stargan' algorithm needs mdie.domains: one dataset per attribute (\(MDIENetwork.attributeNames.joined(separator: ", ")))")
        }
        var seen = Set<String>()
        for domain in spec.domains {
            guard MDIENetwork.attributeNames.contains(domain.name) else {
                throw RecipeError("mdie.domains: unknown domain '\(domain.name)' (known: \(MDIENetwork.attributeNames.joined(separator: ", ")))")
            }
            guard seen.insert(domain.name).inserted else { throw RecipeError("mdie.domains: '\(domain.name)' is named twice") }
        }
    },
    make: { setup in try StarGANTraining(setup) })

/// BCE with logits against 0/1 labels, a batch mean.
func binaryCrossEntropy(logits: Tensor, labels: Tensor) throws -> Tensor {
    try (logits.softplus() - logits * labels).mean()
}

/// WGAN-GP's penalty (Gulrajani et al., as StarGAN): E[(‖∇ₓ̂ score(x̂)‖₂ − 1)²] at x̂ = α·real +
/// (1 − α)·fake, differentiable in the critic's parameters.
func gradientPenalty(real: Tensor, fake: Tensor, alpha: Tensor, score: (Tensor) throws -> Tensor) throws -> Tensor {
    let n = real.shape[0]
    let blend = try (real * alpha + fake * (1 - alpha)).detach().requiringGrad()
    let gradient = try score(blend).gradient(withRespectTo: blend, createGraph: true)
    let distance = try gradient.reshape([n, -1]).norm(2, dims: [1]) - 1
    return try (distance * distance).mean()
}

final class StarGANTraining: TrainingAlgorithm {
    let generator: TrainedSide
    let critic: TrainedSide
    let spec: MDIESpec
    let losses: [Loss]
    let attributes: Int
    /// Each domain's attribute index and dataset, in the recipe's order.
    let domains: [(attribute: Int, dataset: Dataset)]
    let loaderConfig: LoaderConfig
    let report: @Sendable (String) -> Void
    let device: Device
    /// Built at the first step, at the positions the iteration implies (so resuming needs no
    /// extra state: domain k has served every step s < t with s mod n = k).
    private var loaders: [DataLoader]?
    /// The generator's figures of its latest step, repeated on the critic-only steps' lines.
    private var generatorFigures: [String: Double] = [:]
    private var generatorTotal = 0.0

    init(_ setup: AlgorithmSetup) throws {
        let recipe = setup.recipe
        guard let d = recipe.discriminator, let spec = recipe.mdie else { throw RecipeError("the 'stargan' algorithm needs discriminator and mdie sections") }
        self.spec = spec
        generator = try trainedNetwork("generator", spec: recipe.generator, role: .enhancer, optimizer: recipe.optimizer, setup: setup)
        critic = try trainedNetwork("discriminator", spec: NetworkSpec(architecture: d.architecture, options: d.options),
                                    role: .discriminator, optimizer: d.optimizer ?? recipe.optimizer, setup: setup)
        if let initial = spec.initial { try loadInitialMDIE(initial, into: generator) }
        let net = try mdieNetwork(generator)
        attributes = net.attributes
        let contract = critic.master.contract
        guard contract.inputChannels == MDIENetwork.intrinsicChannels, contract.outputChannels == 1 + attributes else {
            throw RecipeError("discriminator: '\(d.architecture)' takes \(contract.inputChannels) channels and gives \(contract.outputChannels) values; MDIE needs \(MDIENetwork.intrinsicChannels) and 1 + \(attributes)")
        }
        domains = try spec.domains.map { domain in
            guard let index = MDIENetwork.attributeNames.firstIndex(of: domain.name), index < net.attributes else {
                throw RecipeError("mdie.domains: '\(domain.name)' is not one of the network's \(net.attributes) attributes")
            }
            return (index, try makeDataset(domain.dataset.spec, report: setup.report))
        }
        losses = setup.losses
        loaderConfig = LoaderConfig(batchSize: recipe.batchSize, patchSize: recipe.patchSize, seed: recipe.seed,
                                    flips: recipe.augment, rotations: recipe.augment, workers: min(recipe.workers, 1))
        report = setup.report
        device = setup.device
    }

    var networks: [TrainedSide] { [generator, critic] }
    var product: TrainedSide { generator }

    /// One loader per domain, each positioned after the batches its domain served before `iteration`.
    private func domainLoaders(at iteration: Int, context: StepContext) throws -> [DataLoader] {
        if let loaders { return loaders }
        let n = domains.count
        // The domain loaders are not sharded across ranks.
        guard try context.shard(Tensor.zeros([context.globalBatchSize])).shape[0] == context.globalBatchSize else {
            throw RecipeError("the 'stargan' algorithm trains in one process; remove --nproc")
        }
        let made = try domains.enumerated().map { k, domain in
            var config = loaderConfig
            config.seed = loaderConfig.seed &+ UInt64(k + 1) &* 0x9E37_79B9_7F4A_7C15
            let served = iteration > k ? (iteration - k + n - 1) / n : 0
            return try DataLoader(dataset: domain.dataset, config: config, position: LoaderPosition(epoch: 0, batch: served), report: report)
        }
        loaders = made
        return made
    }

    /// The label [N, 2n]: `values` at `attribute`, the mask naming `attribute`.
    private func label(_ values: Tensor, attribute: Int) throws -> Tensor {
        let n = values.shape[0]
        var columns = [Tensor](repeating: try Tensor.zeros([n, 1], device: values.device), count: 2 * attributes)
        columns[attribute] = try values.reshape([n, 1])
        columns[attributes + attribute] = try Tensor.ones([n, 1], device: values.device)
        return try cat(columns, dim: 1)
    }

    func step(_ context: StepContext) throws -> StepResult {
        let t = context.iteration
        let k = t % domains.count, attribute = domains[k].attribute
        let batch = try domainLoaders(at: t, context: context)[k].nextBatch()
        let low = try batch.input.to(device), high = try batch.target.to(device)
        let b = low.shape[0]
        let original = try cat([Tensor.zeros([b], device: device), Tensor.ones([b], device: device)])
        let wanted = try 1 - original
        let net = try mdieNetwork(generator)
        // F and F' are fixed: batch norm on running statistics, no gradients.
        generator.master.module.eval()
        let real = try withNoGrad { try net.decompose(cat([low, high])) }
        let originalLabel = try label(original, attribute: attribute)
        let wantedLabel = try label(wanted, attribute: attribute)
        let column = 1 + attribute

        // Critic.
        try critic.begin()
        let realOut = try critic.forward(real)
        let fake = try withNoGrad { try net.translate(real, label: wantedLabel) }
        let fakeOut = try critic.forward(fake)
        let n = real.shape[0]
        let penalty = try gradientPenalty(real: real, fake: fake, alpha: Tensor.rand([n, 1, 1, 1], device: device)) {
            try critic.forward($0).select(1, 0)
        }
        let realClass = try realOut.select(1, column)
        let classification = try binaryCrossEntropy(logits: realClass, labels: original)
        let criticLoss = try realOut.select(1, 0).mean() * -1 + fakeOut.select(1, 0).mean()
            + classification * spec.lambdaClassification + penalty * spec.lambdaGradientPenalty
        let criticValue = try criticLoss.detach().item()
        try requireFinite(["discriminator": criticValue], iteration: t + 1)
        try critic.backward(criticLoss)
        try critic.step(iteration: t, hook: context.hook(critic))
        let accuracy = try realClass.gt(0).to(.float32).eq(original).to(.float32).mean().item()

        // Generator, every critic_steps.
        if (t + 1) % spec.criticSteps == 0 {
            try generator.begin()
            let translated = try net.translate(real, label: wantedLabel)
            let out = try critic.forward(translated)
            let adversarial = try out.select(1, 0).mean() * -1
            let wantedClass = try binaryCrossEntropy(logits: out.select(1, column), labels: wanted)
            let back = try net.translate(translated, label: originalLabel)
            let (sum, parts) = try DSLRLosses.evaluate(losses, LossContext(output: translated, input: real, reconstruction: back))
            let total = try adversarial + wantedClass * spec.lambdaClassification + sum
            var figures = parts
            figures["adversarial"] = try adversarial.detach().item()
            figures["classification"] = try wantedClass.detach().item()
            let totalValue = try total.detach().item()
            try requireFinite(figures, total: totalValue, iteration: t + 1)
            try generator.backward(total)
            try generator.step(iteration: t, hook: context.hook(generator))
            generatorFigures = figures
            generatorTotal = totalValue
        }
        var result = StepResult()
        result.losses = generatorFigures
        result.total = generatorTotal
        result.lr = generator.optimizer.learningRate
        result.scalars = ["discriminator_loss": criticValue, "discriminator_accuracy": accuracy,
                          "gradient_penalty": try penalty.detach().item(), "domain": Double(attribute)]
        return result
    }
}
