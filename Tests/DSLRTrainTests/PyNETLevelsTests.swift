import DSLRData
import DSLRLosses
import DSLRNN
import DSLRPhoto
import DSLRTensor
import Foundation
import Testing
@testable import DSLRTrain
@testable import DSLREval

/// Level-wise training of PyNET on synthetic RAW pairs (`dslr data unprocess`'s layout).
@Suite(.serialized) struct PyNETLevelsTests {
    /// Three 64×64 photos unprocessed into a Zurich-layout dataset (packed inputs 32×32).
    func rawDataset(in folder: URL) throws -> URL {
        Torch.manualSeed(17)
        var paths: [String] = []
        for i in 0..<3 {
            let low = try Tensor.rand([1, 3, 4, 4]) * 0.8 + 0.1
            let x = try interpolate(low, size: [64, 64], mode: .bilinear(alignCorners: false)).squeeze(0)
            let path = folder.appendingPathComponent("p\(i).png").path
            try writePhoto(Photo(pixels: x.contiguous()), to: path)
            paths.append(path)
        }
        let root = folder.appendingPathComponent("raw")
        _ = try makeUnprocessedPairs(sources: paths, output: root.path, using: PhotoPairSources(maxSide: nil, heldOut: [paths[2]]))
        return root
    }

    func recipe(_ data: URL, iterations: Int = 4, extra: String = "") throws -> Recipe {
        try Recipe.parse("""
            name: pynet-tiny
            algorithm: pynet-levels
            generator: {architecture: pynet, options: {width: 2}}
            levels:
              scale: 0.5
              stages:
                - {level: 5, iterations: 4, losses: [{name: mse, weight: 1}]}
                - {level: 3, iterations: 4, losses: [{name: mse, weight: 10}, {name: l1, weight: 1}]}
            losses: [{name: mse, weight: 1}]
            dataset: {layout: zurich-raw-to-rgb, root: \(data.path)}
            patch_size: 32
            batch_size: 2
            workers: 1
            augment: false
            optimizer: {kind: adam, lr: 0.001}
            iterations: \(iterations)
            eval: {every: 0, max_images: 1, crop: 32}
            checkpoint: {every: 1}
            log: {every: 1}
            seed: 5
            \(extra)
            """, source: "pynet-tiny.yaml")
    }

    /// A step of a stage trains that level's output against the target reduced to its size
    /// (by hand: MSE·10 + L1 of level 3's 8×8 output against the 64 → 8 bilinear reduction).
    @Test func eachStageTrainsItsLevelAgainstTheReducedTarget() throws {
        let folder = try temporaryFolder("pynet-step")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try rawDataset(in: folder)
        let trainer = try Trainer.evaluating(recipe: recipe(data), run: RunFolder(folder.appendingPathComponent("run")))
        let levels = try #require(trainer.algorithm as? PyNETLevels)
        #expect(levels.stages.map(\.level) == [5, 3] && levels.stages.map(\.end) == [2, 4])
        #expect(levels.stage(at: 1).level == 5 && levels.stage(at: 2).level == 3)
        Torch.manualSeed(2)
        let x = try Tensor.rand([2, 4, 32, 32]), y = try Tensor.rand([2, 3, 64, 64])
        let net = try #require(levels.generator.master.levelForward)
        let out = try withNoGrad { try net(x, 3) }
        #expect(out.shape == [2, 3, 8, 8])
        let small = try resizeAntialiased(y, height: 8, width: 8)
        let expectedMSE = try (out - small).square().mean().item(), expectedL1 = try (out - small).abs().mean().item()
        let context = trainer.stepContext()
        let step = StepContext(iteration: 2, nextBatch: { (x, y) }, shard: context.shard, globalBatchSize: 2,
                               batchSumScale: 1, hook: context.hook)
        let result = try levels.step(step)
        #expect(abs(try #require(result.losses["mse"]) - expectedMSE) < 1e-6)
        #expect(abs(try #require(result.losses["l1"]) - expectedL1) < 1e-6)
        #expect(abs(result.total - (10 * expectedMSE + expectedL1)) < 1e-5)
        #expect(result.scalars["level"] == 3)
    }

    /// Two iterations, a stop at the stage boundary, and two more after resume equal four
    /// straight, bit for bit: the stage and its fresh optimizer follow from the iteration.
    @Test func resumingAcrossAStageBoundaryMatchesAStraightRun() throws {
        let folder = try temporaryFolder("pynet-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try rawDataset(in: folder)
        let straight = RunFolder(folder.appendingPathComponent("straight"))
        try Trainer.evaluating(recipe: recipe(data), run: straight).train()
        let stopped = RunFolder(folder.appendingPathComponent("stopped"))
        try Trainer.evaluating(recipe: recipe(data, iterations: 2), run: stopped).train()
        let resumed = try Trainer.evaluating(recipe: recipe(data), run: stopped, resume: true)
        #expect(resumed.iteration == 2)
        try resumed.train()
        let a = try Checkpoint.load(straight.latest).tensors, b = try Checkpoint.load(stopped.latest).tensors
        #expect(a.map(\.0) == b.map(\.0))
        for ((name, p), (_, q)) in zip(a, b) where name != "rng.cpu" {
            #expect(try p.equal(q), "\(name) differs after resume")
        }
        let levels = try straight.readMetrics().filter { $0.kind == "train" }.map(\.level)
        #expect(levels == [5, 5, 3, 3])
    }

    /// The held-out evaluation runs level 0 on crops that are not multiples of 16 (padded,
    /// then cropped back) and scores the conventional pipeline with each mosaic's true camera
    /// as the classic baseline.
    @Test func heldOutEvaluationPadsAndScoresTheTrueCameraPipeline() throws {
        let folder = try temporaryFolder("pynet-eval")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try rawDataset(in: folder)
        let run = RunFolder(folder.appendingPathComponent("run"))
        let recipe = try recipe(data, iterations: 2).with { $0.eval = EvalSpec(every: 2, maxImages: 1, crop: 24) }
        try Trainer.evaluating(recipe: recipe, run: run).train()
        let record = try #require(run.readMetrics().last { $0.kind == .eval })
        #expect(record.metrics?["psnr"]?.isFinite == true)
        let classic = try #require(record.classic?["psnr"])
        // The camera pipeline on these smooth, mildly noisy mosaics is far better than an
        // untrained network.
        #expect(classic > 25 && classic > (record.metrics?["psnr"] ?? .infinity), "\(classic)")
    }

    @Test func mosaicsAreFoundInUnprocessJSONWhateverTheRootsSpelling() {
        let cwd = FileManager.default.currentDirectoryPath
        #expect(datasetRelativePath(cwd + "/data/raw/test/huawei_raw/a.png", root: "data/raw") == "test/huawei_raw/a.png")
        #expect(datasetRelativePath("data/raw/./test/huawei_raw/a.png", root: cwd + "/data/raw/") == "test/huawei_raw/a.png")
    }

    @Test func recipesThatCannotTrainLevelByLevelAreRefused() throws {
        let folder = try temporaryFolder("pynet-refuse")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try rawDataset(in: folder)
        func refused(_ text: String, _ make: () throws -> Recipe) {
            #expect {
                try Trainer.evaluating(recipe: make(), run: RunFolder(folder.appendingPathComponent("run")))
            } throws: { error in "\(error)".contains(text) }
        }
        refused("the level stages add up to 4") { try recipe(data, iterations: 5) }
        refused("levels section is only for algorithm: pynet-levels") { try recipe(data).with { $0.algorithm = "supervised" } }
        refused("has no pyramid levels") { try recipe(data).with { $0.generator = NetworkSpec(architecture: "dslrkit-compact") } }
        refused("levels must go from coarse to fine") { try recipe(data).with { $0.levels?.stages.reverse() } }
    }
}
