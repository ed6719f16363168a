import DSLRData
import DSLRModels
import DSLRNN
import DSLRPhoto
import DSLRTensor
import Foundation
import Testing
@testable import DSLRTrain

/// A tiny DPED-layout domain dataset: smooth random photos as targets and `degrade` of them as
/// inputs.
private func domainDataset(in folder: URL, name: String, train: Int = 8, side: Int = 32,
                           degrade: (Tensor) throws -> Tensor) throws -> URL {
    let root = folder.appendingPathComponent(name)
    Torch.manualSeed(99)
    for (part, count) in [("training_data", train), ("test_data/patches", 2)] {
        for sub in [name, "canon"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("\(part)/\(sub)"), withIntermediateDirectories: true)
        }
        for i in 0..<count {
            let y = try interpolate(Tensor.rand([1, 3, 5, 5]), size: [side, side], mode: .bilinear(alignCorners: false))
                .squeeze(0).clamp(min: 0.1, max: 0.9)
            let x = try degrade(y).clamp(min: 0, max: 1)
            try writePhoto(Photo(pixels: x.contiguous()), to: root.appendingPathComponent("\(part)/\(name)/\(i).png").path)
            try writePhoto(Photo(pixels: y.contiguous()), to: root.appendingPathComponent("\(part)/canon/\(i).png").path)
        }
    }
    return root
}

private let tinyMDIE = "{intrinsic_width: 4, width: 4, blocks: 1}"

private func starGANRecipe(colour: URL, noise: URL, iterations: Int, initial: String? = nil) throws -> Recipe {
    try Recipe.parse("""
        name: tiny-stargan
        algorithm: stargan
        generator: {architecture: mdie, options: \(tinyMDIE)}
        discriminator:
          architecture: stargan-discriminator
          options: {channels: 6, attributes: 3, patch: 32, width: 8, layers: 3}
          loss: wgan-gp
          optimizer: {kind: adam, lr: 0.001, betas: [0.5, 0.999]}
        mdie:
          \(initial.map { "init: \($0)" } ?? "")
          critic_steps: 2
          domains:
            - {name: color, dataset: {layout: dped, root: \(colour.path)}}
            - {name: noise, dataset: {layout: dped, root: \(noise.path)}}
        losses: [{name: cycle_l1, weight: 10}]
        dataset: {layout: dped, root: \(colour.path)}
        patch_size: 32
        batch_size: 4
        workers: 0
        augment: false
        optimizer: {kind: adam, lr: 0.001, betas: [0.5, 0.999]}
        iterations: \(iterations)
        eval: {every: 0, max_images: 1}
        checkpoint: {every: 10}
        log: {every: 1}
        seed: 5
        """, source: "tiny-stargan.yaml")
}

@Suite(.serialized) struct MDIETrainingTests {
    /// After a short `intrinsic` run on procedural scenes alone, F separates held-out scenes it
    /// never saw better than the trivial split (albedo = photo, shading = 1): mean squared
    /// error of shading at most half of the trivial split's, of albedo at most 0.7 of it
    /// (albedo needs the whole region's context, which 150 steps only begin to give).
    @Test func decompositionRecoversProceduralAlbedoAndShading() throws {
        let folder = try temporaryFolder("intrinsic")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 4, test: 1, side: 32)
        let recipe = try Recipe.parse("""
            name: tiny-intrinsic
            algorithm: intrinsic
            generator: {architecture: mdie, options: {intrinsic_width: 8, width: 4, blocks: 1}}
            mdie: {scenes: 8, low_weight: 0, high_weight: 0}
            losses: [{name: mse, weight: 1}]
            dataset: {layout: dped, root: \(data.path)}
            patch_size: 32
            batch_size: 2
            workers: 0
            optimizer: {kind: adam, lr: 0.003}
            iterations: 150
            eval: {every: 0, max_images: 1}
            checkpoint: {every: 0}
            log: {every: 50}
            seed: 1
            """, source: "tiny-intrinsic.yaml")
        let trainer = try Trainer(recipe: recipe, run: RunFolder(folder.appendingPathComponent("run")))
        try trainer.train()
        let net = try #require(trainer.generator.master.module as? MDIENetwork)
        trainer.generator.master.module.eval()
        let held = try IntrinsicScene.batch(size: 32, seed: 1, first: 100_000, count: 16)
        let predicted = try withNoGrad { try net.decompose(held.image) }
        let albedoError = try meanSquaredError(predicted.narrow(1, start: 0, length: 3), held.albedo).item()
        let shadingError = try meanSquaredError(predicted.narrow(1, start: 3, length: 3), held.shading).item()
        let trivialAlbedo = try meanSquaredError(held.image, held.albedo).item()
        let trivialShading = try meanSquaredError(held.shading.onesLike(), held.shading).item()
        #expect(albedoError < 0.7 * trivialAlbedo, "albedo \(albedoError) against \(trivialAlbedo)")
        #expect(shadingError < 0.5 * trivialShading, "shading \(shadingError) against \(trivialShading)")
    }

    /// `stargan` draws the domains in turn, trains only G inside the `mdie` network (F and
    /// F' stay as loaded), steps G every `critic_steps` and logs its losses and the critic's
    /// classification accuracy.
    @Test func starGANTrainsOnlyTheTranslator() throws {
        let folder = try temporaryFolder("stargan")
        defer { try? FileManager.default.removeItem(at: folder) }
        let colour = try domainDataset(in: folder, name: "colour") { y in
            try y * Tensor([Float(1.0), 0.7, 0.4], shape: [3, 1, 1]) * 0.6
        }
        let noise = try domainDataset(in: folder, name: "noise") { y in try y + Tensor.randn(y.shape) * 0.15 }
        let run = RunFolder(folder.appendingPathComponent("run"))
        let trainer = try Trainer(recipe: starGANRecipe(colour: colour, noise: noise, iterations: 12), run: run)
        let net = try #require(trainer.generator.master.module as? MDIENetwork)
        let fixed = try (net.decomposer.stateDict() + net.composer.stateDict()).map { try $0.1.clone() }
        let translator = try net.translator.parameters().map { try $0.clone() }
        var hooks: [String] = []
        trainer.gradientHook = { name, _ in hooks.append(name) }
        try trainer.train()
        #expect(Array(hooks.prefix(6)) == ["discriminator", "discriminator", "generator", "discriminator", "discriminator", "generator"])
        for (before, after) in zip(fixed, (net.decomposer.stateDict() + net.composer.stateDict()).map(\.1)) {
            #expect(try before.equal(after))
        }
        #expect(try zip(translator, net.translator.parameters()).contains { try !$0.equal($1) })
        let records = try run.readMetrics().filter { $0.kind == "train" }
        #expect(records.count == 12)
        // G starts as the identity, so at its first step the cycle G(G(F(x), c_trg), c_org)
        // returns F(x) exactly; once G has learnt a change, it no longer does.
        #expect(records[1].losses?["cycle_l1"] == 0)
        #expect((records.last?.losses?["cycle_l1"] ?? 0) > 0)
        #expect(records.last?.losses?["adversarial"]?.isFinite == true)
        // Eight real images a step (four low, four high): accuracy is a multiple of 1/8.
        for r in records {
            let accuracy = try #require(r.discriminatorAccuracy)
            #expect((0...1).contains(accuracy) && (accuracy * 8).rounded() == accuracy * 8)
        }
    }

    /// The critic's domain classifier learns to tell each attribute's low from its high
    /// quality on images it never saw: trained as `stargan` trains it (BCE on the drawn
    /// domain's logit only, the domains in turn), on smooth intrinsic images with a colour
    /// cast (attribute 0) or strong noise (attribute 2) against clean ones.
    @Test func domainClassifierLearnsTheDomains() throws {
        Torch.manualSeed(12)
        let critic = try StarGANDiscriminator(channels: 6, attributes: 3, patch: 32, width: 8, layers: 3)
        var adam = Adam(critic.namedParameters(), learningRate: 5e-4, betas: (0.5, 0.999))
        let cast = try Tensor([Float(1.0), 0.7, 0.4, 1.0, 0.7, 0.4], shape: [1, 6, 1, 1]) * 0.6
        func images(_ n: Int, attribute: Int) throws -> (Tensor, Tensor) {
            let clean = try interpolate(Tensor.rand([n, 6, 4, 4]), size: [32, 32], mode: .bilinear(alignCorners: false))
            let label = try Tensor.randint(0, 2, [n]).to(.float32)
            let low = try (1 - label).reshape([n, 1, 1, 1])
            let degraded = attribute == 0 ? try clean * cast : try clean + Tensor.randn(clean.shape) * 0.3
            return (try clean * (1 - low) + degraded * low, label)
        }
        func accuracy(_ attribute: Int) throws -> Double {
            let (x, label) = try images(128, attribute: attribute)
            let logits = try withNoGrad { try critic(x).select(1, 1 + attribute) }
            return try logits.gt(0).to(.float32).eq(label).to(.float32).mean().item()
        }
        let before = try [accuracy(0), accuracy(2)]
        for step in 0..<300 {
            let attribute = step % 2 == 0 ? 0 : 2
            let (x, label) = try images(16, attribute: attribute)
            try critic.zeroGrad()
            try binaryCrossEntropy(logits: critic(x).select(1, 1 + attribute), labels: label).backward()
            try adam.step()
        }
        let after = try [accuracy(0), accuracy(2)]
        #expect(after.allSatisfy { $0 > 0.9 }, "accuracy \(before) before, \(after) after")
    }

    /// `mdie.init` brings the intrinsic run's F and F' (which `stargan` then keeps) and
    /// leaves the translator at its identity start; a file of another network is refused.
    @Test func initLoadsTheIntrinsicNetworks() throws {
        let folder = try temporaryFolder("stargan-init")
        defer { try? FileManager.default.removeItem(at: folder) }
        let colour = try domainDataset(in: folder, name: "colour") { y in try y * 0.5 }
        Torch.manualSeed(77)
        let source = try MDIENetwork.architecture.build(["intrinsic_width": .number(4), "width": .number(4), "blocks": .number(1)])
        let file = folder.appendingPathComponent("intrinsic.safetensors")
        try Checkpoint.save(source.module.stateDict(), metadata: source.metadata, to: file)
        let trainer = try Trainer(recipe: starGANRecipe(colour: colour, noise: colour, iterations: 1, initial: file.path),
                                  run: RunFolder(folder.appendingPathComponent("run")))
        let net = try #require(trainer.generator.master.module as? MDIENetwork)
        let loaded = try #require(source.module as? MDIENetwork)
        for ((name, a), (_, b)) in zip(net.decomposer.stateDict() + net.composer.stateDict(),
                                       loaded.decomposer.stateDict() + loaded.composer.stateDict()) {
            #expect(try a.equal(b), "\(name)")
        }
        #expect(try net.translator.convOut.weight.abs().max().item() == 0)
        let other = folder.appendingPathComponent("compact.safetensors")
        let compact = try CompactNet.architecture.build()
        try Checkpoint.save(compact.module.stateDict(), metadata: compact.metadata, to: other)
        #expect(throws: RecipeError("mdie.init: \(other.path) holds a 'dslrkit-compact' network, not an 'mdie' one")) {
            try Trainer(recipe: starGANRecipe(colour: colour, noise: colour, iterations: 1, initial: other.path),
                        run: RunFolder(folder.appendingPathComponent("run2")))
        }
    }

    /// A stopped and resumed `stargan` run ends with the weights of an unbroken one: the
    /// domain loaders restart where the iteration count says.
    @Test func starGANResumesExactly() throws {
        let folder = try temporaryFolder("stargan-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let colour = try domainDataset(in: folder, name: "colour") { y in try y * 0.5 }
        let noise = try domainDataset(in: folder, name: "noise") { y in try y + Tensor.randn(y.shape) * 0.1 }
        let whole = RunFolder(folder.appendingPathComponent("whole"))
        try Trainer(recipe: starGANRecipe(colour: colour, noise: noise, iterations: 8), run: whole).train()
        let parted = RunFolder(folder.appendingPathComponent("parted"))
        try Trainer(recipe: starGANRecipe(colour: colour, noise: noise, iterations: 4), run: parted).train()
        let resumed = try Trainer(recipe: starGANRecipe(colour: colour, noise: noise, iterations: 8), run: parted, resume: true)
        try resumed.train()
        let a = try Checkpoint.load(whole.model).tensors, b = try Checkpoint.load(parted.model).tensors
        #expect(a.map(\.0) == b.map(\.0))
        for ((name, x), (_, y)) in zip(a, b) { #expect(try x.equal(y), "\(name)") }
    }

    /// The penalty's gradient in the critic's parameters (a gradient of a gradient) matches
    /// central finite differences, in float64.
    @Test func gradientPenaltyMatchesFiniteDifferences() throws {
        Torch.manualSeed(8)
        let critic = try StarGANDiscriminator(channels: 2, attributes: 1, patch: 8, width: 3, layers: 2)
        try critic.move(to: .cpu, dtype: .float64)
        let real = try Tensor.rand([3, 2, 8, 8]).to(.float64), fake = try Tensor.rand([3, 2, 8, 8]).to(.float64)
        let alpha = try Tensor.rand([3, 1, 1, 1]).to(.float64)
        func penalty() throws -> Tensor {
            try gradientPenalty(real: real, fake: fake, alpha: alpha) { try critic($0).select(1, 0) }
        }
        let weight = critic.convs[0].weight
        try penalty().backward()
        let analytic = try #require(try weight.grad).flatten()
        let flat = try weight.detach().flatten()
        let h = 1e-6
        for i in [0, 7, 20, 41] {
            let original = try flat.select(0, i).item()
            try withNoGrad { try weight.flatten().select(0, i).fill_(original + h) }
            let up = try penalty().item()
            try withNoGrad { try weight.flatten().select(0, i).fill_(original - h) }
            let down = try penalty().item()
            try withNoGrad { try weight.flatten().select(0, i).fill_(original) }
            let numeric = (up - down) / (2 * h)
            let value = try analytic.select(0, i).item()
            #expect(abs(value - numeric) <= 1e-6 * max(1, abs(numeric)), "weight \(i): \(value) against \(numeric)")
        }
        #expect(try analytic.abs().max().item() > 0)
    }

    /// Recipes that cannot work are refused before training, naming the part.
    @Test func mdieRecipesAreChecked() throws {
        let folder = try temporaryFolder("mdie-recipes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 2, test: 1, side: 32)
        let base = try starGANRecipe(colour: data, noise: data, iterations: 1)
        var wrongGenerator = base
        wrongGenerator.generator = NetworkSpec(architecture: "dslrkit-compact")
        #expect(throws: RecipeError("generator: the 'stargan' algorithm trains an 'mdie' network, not 'dslrkit-compact'")) {
            try TrainingAlgorithms.validate(wrongGenerator)
        }
        var unknown = base
        unknown.mdie?.domains[1].name = "sharpness"
        #expect(throws: RecipeError("mdie.domains: unknown domain 'sharpness' (known: color, texture, noise)")) {
            try TrainingAlgorithms.validate(unknown)
        }
        var critic = base
        critic.discriminator?.loss = .nonsaturating
        #expect(throws: RecipeError.self) { try TrainingAlgorithms.validate(critic) }
        var odd = base
        odd.patchSize = 48
        #expect(throws: RecipeError("patch_size: MDIE's intrinsic networks need a multiple of 32, got 48")) {
            try TrainingAlgorithms.validate(odd)
        }
    }
}
