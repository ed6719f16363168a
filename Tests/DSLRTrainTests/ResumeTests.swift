import DSLRLosses
import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRTrain

/// The generator weights a run folder's latest checkpoint holds.
func generatorWeights(_ run: RunFolder) throws -> [(String, Tensor)] {
    try Checkpoint.load(run.latest).tensors.filter { $0.0.hasPrefix("generator.") }
}

@Suite(.serialized) struct ResumeTests {
    /// Twelve iterations straight equal six, a stop, and six more after `resume`, bit for bit
    /// (generator, discriminator and both optimizers; the D step's random swaps and the
    /// loader's position come back with the checkpoint).
    @Test func stoppedAndResumedRunEndsWithTheSameWeights() throws {
        let folder = try temporaryFolder("resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder)

        let straight = RunFolder(folder.appendingPathComponent("straight"))
        try Trainer.evaluating(recipe: tinyRecipe(dataset: data, gan: true), run: straight).train()

        let stopped = RunFolder(folder.appendingPathComponent("stopped"))
        try Trainer.evaluating(recipe: tinyRecipe(dataset: data, gan: true, iterations: 6), run: stopped).train()
        // Disturb the global RNG as another process would have it.
        Torch.manualSeed(999)
        _ = try Tensor.rand([10])
        let resumed = try Trainer.evaluating(recipe: tinyRecipe(dataset: data, gan: true), run: stopped, resume: true)
        #expect(resumed.iteration == 6)
        try resumed.train()

        let a = try Checkpoint.load(straight.latest).tensors, b = try Checkpoint.load(stopped.latest).tensors
        #expect(a.map(\.0) == b.map(\.0))
        #expect(a.contains { $0.0.hasPrefix("optimizer.discriminator.") })
        for ((name, x), (_, y)) in zip(a, b) where name != "rng.cpu" {
            #expect(try x.equal(y), "\(name) differs after resume")
        }
        let g0 = try generatorWeights(straight)
        #expect(g0.count > 0)

        // The metrics of the resumed run line up with the straight one's iteration by iteration.
        let ma = try straight.readMetrics().filter { $0.kind == "train" }
        let mb = try stopped.readMetrics().filter { $0.kind == "train" }
        #expect(ma.map(\.iteration) == Array(1...12) && mb.map(\.iteration) == Array(1...12))
        #expect(ma.map(\.total) == mb.map(\.total))
    }

    @Test func resumeNeedsACheckpointAndANewRunNeedsAnEmptyFolder() throws {
        let folder = try temporaryFolder("resume-errors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 4, test: 1)
        let run = RunFolder(folder.appendingPathComponent("run"))
        #expect(throws: RecipeError.self) { try Trainer.evaluating(recipe: tinyRecipe(dataset: data), run: run, resume: true) }
        try Trainer.evaluating(recipe: tinyRecipe(dataset: data, iterations: 2, checkpointEvery: 2), run: run).train()
        #expect(throws: RecipeError.self) { try Trainer.evaluating(recipe: tinyRecipe(dataset: data), run: run) }
    }
}

/// A loss that is 0 until its `at`-th call, then NaN.
final class Bomb: @unchecked Sendable {
    var calls = 0
    let at: Int
    init(at: Int) { self.at = at }
    var loss: Loss {
        Loss(name: "bomb", weight: 1) { ctx in
            self.calls += 1
            let zero = try ctx.output.sum() * 0
            return self.calls >= self.at ? try zero + Double.nan : zero
        }
    }
}

@Suite(.serialized) struct NonFiniteTests {
    @Test func nanLossStopsNamingItAndKeepsTheLastGoodCheckpoint() throws {
        let folder = try temporaryFolder("nan")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 4, test: 1)
        let run = RunFolder(folder.appendingPathComponent("run"))
        let bomb = Bomb(at: 5)
        let trainer = try Trainer.evaluating(recipe: tinyRecipe(dataset: data, iterations: 10, checkpointEvery: 2), run: run, extraLosses: [bomb.loss])
        #expect {
            try trainer.train()
        } throws: { error in
            guard let e = error as? NonFiniteLoss else { return false }
            return e.loss == "bomb" && e.iteration == 5 && e.value.isNaN
        }
        let (_, metadata) = try Checkpoint.load(run.latest)
        let state = try JSONDecoder().decode(TrainState.self, from: Data(metadata[TrainState.metadataKey]!.utf8))
        #expect(state.iteration == 4)
        // The weights on disk are the ones after iteration 4, not touched by the failed step.
        let numbered = try Checkpoint.load(run.checkpoint(iteration: 4)).tensors
        for ((n, a), (_, b)) in zip(try Checkpoint.load(run.latest).tensors, numbered) { #expect(try a.equal(b), "\(n)") }
        #expect(!FileManager.default.fileExists(atPath: run.checkpoint(iteration: 6).path))
        let stop = try run.readMetrics().last
        #expect(stop?.kind == "stop" && stop?.reason?.contains("'bomb'") == true)
    }
}
