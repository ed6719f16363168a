import DSLREnhance
import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRTrain

@Suite(.serialized) struct RunFolderTests {
    /// The run folder's model file carries its architecture and card, so `dslr enhance
    /// --model RUN/model.safetensors` runs the trained generator; metrics lines decode.
    @Test func runFolderHoldsAModelEnhanceCanLoad() throws {
        let folder = try temporaryFolder("model")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 4, test: 2)
        let run = RunFolder(folder.appendingPathComponent("run"))
        let trainer = try Trainer.evaluating(recipe: tinyRecipe(dataset: data, iterations: 4, checkpointEvery: 2), run: run)
        try trainer.train()
        let entry = try ModelRegistry.entry(forWeights: run.model)
        #expect(entry.card.architecture == CompactNet.architectureID && entry.card.name == "tiny")
        #expect(entry.card.metrics?["psnr"] != nil)
        let model = try LoadedModel.load(entry)
        let x = try Tensor.rand([1, 3, 24, 30])
        let expected = try withNoGrad { try trainer.generator.master(x).clamp(min: 0, max: 1) }
        #expect(try (model.enhance(x, tiling: TilingOptions(tile: 0)) - expected).abs().max().item() == 0)

        let records = try run.readMetrics()
        #expect(records.filter { $0.kind == "train" }.map(\.iteration) == [1, 2, 3, 4])
        #expect(records.filter { $0.kind == "checkpoint" }.map(\.iteration) == [2, 4])
        let evals = records.filter { $0.kind == "eval" }
        #expect(evals.map(\.iteration) == [4] && evals[0].images == 2)
        #expect(evals[0].identity?["psnr"] != nil && evals[0].metrics?["ssim"] != nil)
        #expect(FileManager.default.fileExists(atPath: run.checkpoint(iteration: 2).path))
        #expect(evals[0].classic?["psnr"] != nil)
        #expect(try Recipe.load(run.recipe) == trainer.recipe)
    }

    @Test func keepsTheNewestNumberedCheckpoints() throws {
        let folder = try temporaryFolder("keep")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 4, test: 1)
        let run = RunFolder(folder.appendingPathComponent("run"))
        try Trainer.evaluating(recipe: tinyRecipe(dataset: data, iterations: 4, checkpointEvery: 1, extra: "").with { $0.checkpoint.keep = 2 }, run: run).train()
        let names = try FileManager.default.contentsOfDirectory(atPath: run.checkpoints.path).sorted()
        #expect(names == ["iter-00000003.safetensors", "iter-00000004.safetensors", "latest.safetensors"])
    }

    @Test func vggRecipeWithoutWeightsSaysWhatToFetch() throws {
        let folder = try temporaryFolder("vgg")
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("none/vgg19.safetensors").path
        let recipe = try Recipe.load(recipesFolder.appendingPathComponent("lab-vgg.yaml"), overrides: ["features.weights=\(missing)"])
        #expect(throws: VGGWeightsNotFound.self) { try Trainer(recipe: recipe, run: RunFolder(folder.appendingPathComponent("run"))) }
    }
}

extension Recipe {
    func with(_ change: (inout Recipe) -> Void) -> Recipe {
        var copy = self
        change(&copy)
        return copy
    }
}
