import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRTrain

/// Issue 19: numbers in a checkpoint's metadata trapped the loader (batch -1, epoch 2^62) or
/// were accepted (a negative iteration) on --resume.
@Suite(.serialized) struct ResumeHostileTests {
    /// Rewrites the latest checkpoint of `run` with `change` applied to its training state JSON.
    func damage(_ run: RunFolder, _ change: (inout [String: Any]) -> Void) throws {
        let (tensors, metadata) = try Checkpoint.load(run.latest)
        var state = try #require(JSONSerialization.jsonObject(with: Data(metadata[TrainState.metadataKey]!.utf8)) as? [String: Any])
        change(&state)
        var edited = metadata
        edited[TrainState.metadataKey] = String(decoding: try JSONSerialization.data(withJSONObject: state), as: UTF8.self)
        try Checkpoint.save(tensors, metadata: edited, to: run.latest)
    }

    @Test func outOfRangeNumbersInTheMetadataAreRefusedNamingTheCheckpoint() throws {
        let folder = try temporaryFolder("resume-hostile")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 4, test: 1)
        let run = RunFolder(folder.appendingPathComponent("run"))
        try Trainer.evaluating(recipe: tinyRecipe(dataset: data, iterations: 2, checkpointEvery: 2), run: run).train()
        let pristine = try Data(contentsOf: run.latest)
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("its loader batch is -1, not a count from 0 to \(TrainState.maxCount)", { s in s["loader"] = ["epoch": 0, "batch": -1] }),
            ("its loader epoch is \(1 << 62), not a count from 0 to \(TrainState.maxCount)", { s in s["loader"] = ["epoch": 1 << 62, "batch": 0] }),
            ("its iteration is -5, not a count from 0 to \(TrainState.maxCount)", { s in s["iteration"] = -5 }),
        ]
        for (message, change) in cases {
            try pristine.write(to: run.latest)
            try damage(run, change)
            #expect(throws: RecipeError("\(run.latest.path): \(message)")) {
                try Trainer.evaluating(recipe: tinyRecipe(dataset: data, iterations: 4, checkpointEvery: 2), run: run, resume: true)
            }
        }
        // The untouched checkpoint still resumes.
        try pristine.write(to: run.latest)
        let resumed = try Trainer.evaluating(recipe: tinyRecipe(dataset: data, iterations: 4, checkpointEvery: 2), run: run, resume: true)
        #expect(resumed.iteration == 2)
    }

    @Test func anOptimizerStepThatIsNoCountIsRefused() throws {
        var adam = Adam([("w", try Tensor.zeros([2]))], learningRate: 0.1)
        let m = try Tensor.zeros([2])
        let metadata = ["optimizer": "adam", "lr": "0.1"]
        #expect(throws: TorchError.self) {
            try adam.load([("w.step", Tensor(scalar: Float.nan)), ("w.exp_avg", m), ("w.exp_avg_sq", m)], metadata: metadata, source: "ck")
        }
        #expect(throws: TorchError("ck: optimizer learning rate 'nan' is not a finite, non-negative number", kind: .badArgument)) {
            try adam.load([], metadata: ["optimizer": "adam", "lr": "nan"], source: "ck")
        }
        try adam.load([("w.step", Tensor(scalar: Int64(3))), ("w.exp_avg", m), ("w.exp_avg_sq", m)], metadata: metadata, source: "ck")
    }
}
