import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRTrain

@Suite(.serialized) struct GANTests {
    /// Each iteration steps the generator and then the discriminator once; the
    /// discriminator's accuracy and loss are logged every iteration.
    @Test func generatorAndDiscriminatorAlternate() throws {
        let folder = try temporaryFolder("gan")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 8, test: 1)
        let run = RunFolder(folder.appendingPathComponent("run"))
        let trainer = try Trainer.evaluating(recipe: tinyRecipe(dataset: data, gan: true, iterations: 3, checkpointEvery: 3), run: run)
        let g0 = try trainer.generator.master.module.parameters().map { try $0.clone() }
        let d0 = try trainer.discriminator!.master.module.parameters().map { try $0.clone() }
        var hooks: [String] = []
        trainer.gradientHook = { name, gradients in
            hooks.append(name)
            #expect(!gradients.isEmpty)
        }
        try trainer.train()
        #expect(hooks == ["generator", "discriminator", "generator", "discriminator", "generator", "discriminator"])
        for (before, after) in zip(g0, trainer.generator.master.module.parameters()) { #expect(try !before.equal(after)) }
        for (before, after) in zip(d0, trainer.discriminator!.master.module.parameters()) { #expect(try !before.equal(after)) }
        // Adam took exactly three steps on each side.
        let (gState, _) = try trainer.generator.optimizer.stateDict()
        let (dState, _) = try trainer.discriminator!.optimizer.stateDict()
        #expect(try gState.first { $0.0.hasSuffix(".step") }!.1.item() == 3)
        #expect(try dState.first { $0.0.hasSuffix(".step") }!.1.item() == 3)
        let records = try run.readMetrics().filter { $0.kind == "train" }
        #expect(records.count == 3)
        for r in records {
            let accuracy = try #require(r.discriminatorAccuracy)
            #expect((0...1).contains(accuracy))
            // Batch of 4: accuracy is a multiple of 1/4.
            #expect((accuracy * 4).rounded() == accuracy * 4)
            #expect(r.discriminatorLoss?.isFinite == true)
            #expect(r.losses?["texture"] != nil)
        }
    }

    @Test func textureLossNeedsADiscriminator() throws {
        let folder = try temporaryFolder("gan-check")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 4, test: 1)
        var recipe = try tinyRecipe(dataset: data, gan: true)
        recipe.discriminator = nil
        // Without a discriminator the recipe trains with `supervised`, which cannot feed the texture loss.
        #expect(throws: RecipeError("loss 'texture' needs a discriminator, which the training algorithm 'supervised' does not provide (algorithms that do: dped-gan, distill)")) {
            try Trainer.evaluating(recipe: recipe, run: RunFolder(folder.appendingPathComponent("run")))
        }
        recipe.algorithm = "dped-gan"
        #expect(throws: RecipeError("the 'dped-gan' algorithm needs a discriminator section in the recipe")) {
            try Trainer.evaluating(recipe: recipe, run: RunFolder(folder.appendingPathComponent("run")))
        }
    }
}

@Suite(.serialized) struct DPEDDiscriminatorStepTests {
    /// DPED's step: sample i shows the DSLR patch when swap i is 1 (drawn from the engine's
    /// generator), else the enhanced one; the loss is −Σ [tᵢ log p₀ + (1 − tᵢ) log p₁] and the
    /// accuracy compares argmax with (1 − tᵢ). A discriminator fixed to logits (2, 0) always
    /// says "DSLR", so its accuracy is the share of swaps equal to 1.
    @Test func swapsLabelsLossAndAccuracyFollowDPED() throws {
        let folder = try temporaryFolder("dped-step")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 8, test: 1)
        let trainer = try Trainer.evaluating(recipe: tinyRecipe(dataset: data, gan: true, iterations: 1), run: RunFolder(folder.appendingPathComponent("run")))
        let d = try #require(trainer.discriminator)
        let head = (d.master.module as! PatchDiscriminator).head
        try withNoGrad {
            try head.weight.zero_()
            try head.bias!.copy_(Tensor([Float(2), 0], shape: [2]))
        }
        Torch.manualSeed(42)
        let swaps = try Tensor.randint(0, 2, [4]).toArray(Int64.self).map(Double.init)
        Torch.manualSeed(42)
        let gan = try #require(trainer.algorithm as? DPEDGAN)
        #expect(gan.form == .dped)
        let (loss, accuracy) = try discriminatorStep(gan.discriminator, form: gan.form, generator: gan.generator, context: trainer.stepContext())
        let p0 = 1 / (1 + Foundation.exp(-2.0)), p1 = 1 - p0
        let expected = -swaps.reduce(0) { $0 + ($1 == 1 ? Foundation.log(p0) : Foundation.log(p1)) }
        #expect(abs(loss - expected) < 1e-5)
        #expect(accuracy == swaps.reduce(0, +) / 4)
    }
}

@Suite(.serialized) struct DiscriminatorLearnsTests {
    /// With the generator held still (identity at init, a negligible rate), the DPED step
    /// teaches the discriminator to tell the inputs from the much brighter targets:
    /// a sign error in the loss or the labels would drive its accuracy to 0 instead.
    @Test func discriminatorLearnsToSeparate() throws {
        let folder = try temporaryFolder("d-learns")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 8, test: 1, targetOffset: 0.4)
        var recipe = try tinyRecipe(dataset: data, gan: true, iterations: 24, checkpointEvery: 0)
        recipe.optimizer.lr = 1e-12
        recipe.discriminator?.optimizer = OptimizerSpec(lr: 3e-3)
        recipe.schedule = ScheduleSpec()
        let run = RunFolder(folder.appendingPathComponent("run"))
        try Trainer.evaluating(recipe: recipe, run: run).train()
        let records = try run.readMetrics()
        let accuracy = records.compactMap(\.discriminatorAccuracy), losses = records.compactMap(\.discriminatorLoss)
        let last = accuracy.suffix(10).reduce(0, +) / 10
        #expect(last >= 0.85, "accuracy over the last 10 iterations: \(last) (all: \(accuracy); losses \(losses))")
    }
}
