import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRTrain

/// A tiny `dped-gan` recipe on 100×100 patches (the dense discriminators' side) with the
/// generator and discriminator given.
func ganRecipe(dataset: URL, generator: String, discriminator: String, form: String, iterations: Int = 1) throws -> Recipe {
    try Recipe.parse("""
        name: dped-plus-gan001
        generator: \(generator)
        discriminator: \(discriminator)
        losses:
          - {name: l1, weight: 1}
          - {name: color, weight: 0.2}
          - {name: texture, weight: 0.3, options: {form: \(form)}}
        dataset: {layout: dped, root: \(dataset.path)}
        patch_size: 100
        batch_size: 2
        workers: 1
        optimizer: {kind: adam, lr: 0.001}
        iterations: \(iterations)
        eval: {every: 0, max_images: 1}
        checkpoint: {every: 0}
        log: {every: 1}
        seed: 3
        """, source: "steps.yaml")
}

@Suite(.serialized) struct DPEDPlusGAN001StepTests {
    /// One iteration of DPED+ against DPED's discriminator and of seed 001's pair (with batch
    /// norms too, whose running statistics must move in training) changes every parameter of
    /// both networks and logs the discriminator's figures.
    @Test func oneStepTrainsBothNetworks() throws {
        let folder = try temporaryFolder("dped-plus-gan001")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 4, test: 1, side: 100)
        let cases = [
            ("{architecture: dped-plus, options: {channels: 4}}", "{architecture: dped-discriminator, loss: dped}", "dped"),
            ("{architecture: dped-plus, options: {channels: 4, norm: batch, separable: \"false\"}}",
             "{architecture: dped-discriminator, loss: dped}", "dped"),
            ("{architecture: gan001-generator, options: {channels: 4, layers: 1}}",
             "{architecture: gan001-discriminator, options: {width: 2}, loss: nonsaturating}", "nonsaturating"),
        ]
        for (i, (g, d, form)) in cases.enumerated() {
            let run = RunFolder(folder.appendingPathComponent("run\(i)"))
            let trainer = try Trainer.evaluating(recipe: ganRecipe(dataset: data, generator: g, discriminator: d, form: form), run: run)
            let g0 = trainer.generator.master.module.stateDict().map { ($0.0, try! $0.1.clone()) }
            let d0 = try trainer.discriminator!.master.module.parameters().map { try $0.clone() }
            try trainer.train()
            for ((name, before), after) in zip(g0, trainer.generator.master.module.stateDict().map(\.1)) {
                // A bias right before a norm has no gradient: the norm subtracts it again.
                if name.hasPrefix("blocks."), name.hasSuffix(".bias"), !name.contains(".norm") { continue }
                #expect(try !before.equal(after), "\(g): \(name) did not change")
            }
            for (before, after) in zip(d0, trainer.discriminator!.master.module.parameters()) { #expect(try !before.equal(after)) }
            let record = try #require(try run.readMetrics().first { $0.kind == "train" })
            #expect(record.discriminatorLoss?.isFinite == true)
            #expect(record.losses?["texture"]?.isFinite == true)
            #expect((0...1).contains(try #require(record.discriminatorAccuracy)))
        }
    }

    /// The held-out evaluation runs batch norms on their running statistics and leaves them
    /// as they were; training mode returns afterwards.
    @Test func evaluationLeavesBatchNormStatisticsAlone() throws {
        let folder = try temporaryFolder("dped-plus-eval")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 2, test: 2, side: 100)
        let recipe = try ganRecipe(dataset: data, generator: "{architecture: dped-plus, options: {channels: 4, norm: batch}}",
                                   discriminator: "{architecture: dped-discriminator, loss: dped}", form: "dped")
        let trainer = try Trainer.evaluating(recipe: recipe, run: RunFolder(folder.appendingPathComponent("run")))
        let module = trainer.generator.master.module
        let before = try module.stateDict().filter { $0.0.contains("running") }.map { try $0.1.clone() }
        #expect(before.count == 16)
        try trainer.runEvaluation(time: 0)
        for (a, b) in zip(before, module.stateDict().filter { $0.0.contains("running") }.map(\.1)) { #expect(try a.equal(b)) }
        let net = try #require(module as? DPEDPlus)
        #expect(net.blocks[0].norm1.batch?.mode.training == true)
    }

    /// The one-logit step is BCE with logits: a discriminator fixed to logit 2 for every patch
    /// loses softplus(−2) on the DSLR patches plus softplus(2) on the enhanced ones (batch
    /// means) and is right on the DSLR half only (accuracy 1/2).
    @Test func oneLogitStepIsBinaryCrossEntropy() throws {
        let folder = try temporaryFolder("one-logit")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 4, test: 1, side: 100)
        let recipe = try ganRecipe(
            dataset: data, generator: "{architecture: gan001-generator, options: {channels: 4, layers: 1}}",
            discriminator: "{architecture: gan001-discriminator, options: {width: 2}, loss: nonsaturating}", form: "nonsaturating")
        let trainer = try Trainer.evaluating(recipe: recipe, run: RunFolder(folder.appendingPathComponent("run")))
        let gan = try #require(trainer.algorithm as? DPEDGAN)
        let dense = (gan.discriminator.master.module as! GAN001Discriminator).dense
        try withNoGrad {
            try dense.weight.zero_()
            try dense.bias!.fill_(2)
        }
        let (loss, accuracy) = try discriminatorStep(gan.discriminator, form: gan.form, generator: gan.generator, context: trainer.stepContext())
        let softplus = { (x: Double) in Foundation.log(1 + Foundation.exp(x)) }
        #expect(abs(loss - (softplus(-2) + softplus(2))) < 1e-5)
        #expect(accuracy == 0.5)
    }

    /// What the texture loss and the discriminator step read: a one-logit head's logit as it
    /// is, two logits' log-odds l₀ − l₁, DPED's softmax of two.
    @Test func discriminatorOutputReadsOneOrTwoLogits() throws {
        let one = try Tensor([Float(2), -1], shape: [2, 1])
        #expect(try discriminatorOutput(one, form: .nonsaturating).toArray(Float.self) == [2, -1])
        let two = try Tensor([Float(2), 0.5, -1, 1], shape: [2, 2])
        #expect(try discriminatorOutput(two, form: .nonsaturating).toArray(Float.self) == [1.5, -2])
        #expect(try discriminatorOutput(two, form: .dped).shape == [2, 2])
    }

    /// DPED's softmax loss needs two logits: a recipe with a one-logit discriminator and
    /// `loss: dped` is refused when it is read, before anything is built.
    @Test func dpedLossNeedsTwoLogits() throws {
        let folder = try temporaryFolder("one-logit-dped")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 2, test: 1)
        #expect(throws: RecipeError("steps.yaml: discriminator: 'gan001-discriminator' gives 1 logit per patch, which the 'dped' loss cannot use (use loss: nonsaturating, and the texture loss's form nonsaturating)")) {
            try ganRecipe(dataset: data, generator: "{architecture: gan001-generator}",
                          discriminator: "{architecture: gan001-discriminator, loss: dped}", form: "dped")
        }
    }
}
