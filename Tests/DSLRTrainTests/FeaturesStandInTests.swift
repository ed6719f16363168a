import DSLRLosses
import DSLRModels
import DSLRTensor
import Foundation
import Testing
@testable import DSLRTrain

/// Recipes whose losses need VGG run on a machine without its ImageNet weights: seeded random
/// weights stand in, say so, and `features.missing: error` restores the strict behaviour.
@Suite(.serialized) struct FeaturesStandInTests {
    @Test func randomVGGIsSeededHeInitialisedAndLeavesTheRandomStreamAlone() throws {
        Torch.manualSeed(5)
        let a = try VGG.random(.vgg19)
        let afterA = try Tensor.rand([4])
        Torch.manualSeed(5)
        let b = try VGG.random(.vgg19, seed: 0)
        let afterB = try Tensor.rand([4])
        #expect(try afterA.equal(afterB))
        #expect(try zip(a.convolutions, b.convolutions).allSatisfy { try $0.weight.tensor.equal($1.weight.tensor) })
        #expect(try !(VGG.random(.vgg19, seed: 1).convolutions[0].weight.tensor.equal(a.convolutions[0].weight.tensor)))
        // Standard deviation √(2 / fan-in): 27 inputs in the first layer, 4608 in conv4_2.
        for (index, fanIn) in [(0, 27.0), (9, 4608.0)] {
            let std = try a.convolutions[index].weight.tensor.flatten().std(dims: [0]).item()
            #expect(abs(std / (2 / fanIn).squareRoot() - 1) < 0.05, "layer \(index): \(std)")
        }
        #expect(a.preprocessing == .torchvision)
    }

    @Test func missingWeightsAreReplacedOrRefusedAsTheRecipeSays() throws {
        let empty = try temporaryFolder("no-vgg")
        defer { try? FileManager.default.removeItem(at: empty) }
        let environment = ["DSLRKIT_WEIGHTS": empty.path]
        let recipe = try Recipe.load(recipesFolder.appendingPathComponent("ppcn-teacher.yaml"))
        let (features, standIn) = try loadFeatures(recipe, environment: environment)
        #expect(try #require(standIn).contains("vgg19 with random weights"))
        #expect(standIn?.contains(empty.appendingPathComponent("vgg19.safetensors").path) == true)
        let maps = try #require(features).features(try Tensor.rand([1, 3, 32, 32]), layers: ["conv4_2"])
        let conv42 = try #require(maps["conv4_2"])
        #expect(conv42.shape == [1, 512, 4, 4])
        #expect(try conv42.abs().mean().item() > 1e-3)

        let strict = try Recipe.load(recipesFolder.appendingPathComponent("ppcn-teacher.yaml"), overrides: ["features.missing=error"])
        #expect(throws: VGGWeightsNotFound.self) { try loadFeatures(strict, environment: environment) }
        #expect(try Recipe.parse(strict.yaml(), source: "copy") == strict)
        // A recipe without feature losses loads no network at all.
        let plain = try Recipe.load(recipesFolder.appendingPathComponent("ppcn-sr.yaml"))
        let none = try loadFeatures(plain, environment: environment)
        #expect(none.features == nil && none.standIn == nil)
    }

    /// PPCN's teacher recipe (contextual loss on VGG-19 conv4_2, SSIM, colour, texture against
    /// PPCN's discriminator, TV), shrunk to one step on tiny data, trains on whatever this
    /// machine has; where VGG-19 is missing the model card says what stood in.
    @Test func ppcnTeacherRecipeRunsWithWhateverVGGThereIs() throws {
        let folder = try temporaryFolder("ppcn-teacher")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 2, test: 1, side: 100)
        let recipe = try Recipe.load(recipesFolder.appendingPathComponent("ppcn-teacher.yaml"), overrides: [
            "dataset.layout=dped", "dataset.root=\(data.path)", "dataset.options.phone=tiny", "batch_size=2",
            "iterations=1", "workers=1", "eval.every=0", "eval.max_images=1", "eval.crop=100", "checkpoint.every=1",
        ])
        let trainer = try Trainer.evaluating(recipe: recipe, run: RunFolder(folder.appendingPathComponent("run")))
        try trainer.train()
        let standIn = try loadFeatures(recipe).standIn
        #expect(trainer.card().summary.contains("random weights") == (standIn != nil))
        #expect(try trainer.generator.master.module.parameters().allSatisfy { try $0.isfinite().all() })
    }
}
