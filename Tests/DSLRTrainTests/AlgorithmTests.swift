import DSLRLosses
import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRTrain

@Suite(.serialized) struct AlgorithmTests {
    let folder: URL
    let data: URL
    init() throws {
        folder = try temporaryFolder("algorithms")
        data = try tinyDataset(in: folder, train: 4, test: 1)
    }

    /// A loss whose inputs the recipe's algorithm cannot provide is refused when the recipe
    /// loads, naming the loss, what it needs and the algorithm.
    @Test func lossesTheAlgorithmCannotFeedAreRefusedAtLoad() throws {
        #expect(throws: RecipeError("tiny.yaml: loss 'kd' needs a teacher's feature maps, which the training algorithm 'supervised' does not provide (algorithms that do: distill)")) {
            try tinyRecipe(dataset: data).adding(loss: "kd")
        }
        #expect(throws: RecipeError("tiny.yaml: loss 'gram' needs a style reference photo, which the training algorithm 'supervised' does not provide (algorithms that do: none yet)")) {
            try tinyRecipe(dataset: data).adding(loss: "gram")
        }
        #expect(throws: RecipeError("tiny.yaml: loss 'cycle_l1' needs a reconstruction (a cycle through the generator), which the training algorithm 'supervised' does not provide (algorithms that do: stargan)")) {
            try tinyRecipe(dataset: data).adding(loss: "cycle_l1")
        }
        // The same losses the algorithms can feed load.
        _ = try tinyRecipe(dataset: data).adding(loss: "mse")
        _ = try tinyRecipe(dataset: data, gan: true).adding(loss: "content")
    }

    @Test func algorithmsAreChosenByNameAndCheckTheirSections() throws {
        #expect(try tinyRecipe(dataset: data).algorithmName == "supervised")
        #expect(try tinyRecipe(dataset: data, gan: true).algorithmName == "dped-gan")
        #expect(throws: RecipeError("tiny.yaml: algorithm: unknown training algorithm 'cyclegan' (known: supervised, dped-gan, distill, pynet-levels, intrinsic, stargan)")) {
            try tinyRecipe(dataset: data, extra: "algorithm: cyclegan")
        }
        #expect(throws: RecipeError("tiny.yaml: loss 'l1' needs a target photo, which the training algorithm 'stargan' does not provide (algorithms that do: supervised, dped-gan, distill, pynet-levels, intrinsic)")) {
            try tinyRecipe(dataset: data, extra: "algorithm: stargan")
        }
        #expect(throws: RecipeError("tiny.yaml: loss 'texture' needs a discriminator, which the training algorithm 'supervised' does not provide (algorithms that do: dped-gan, distill)")) {
            try tinyRecipe(dataset: data, gan: true, extra: "algorithm: supervised")
        }
        #expect(throws: RecipeError("tiny.yaml: the 'supervised' algorithm trains no discriminator; remove the discriminator section or use algorithm: dped-gan")) {
            try tinyRecipe(dataset: data, extra: "algorithm: supervised\ndiscriminator: {architecture: patch, loss: dped}")
        }
        let trainer = try Trainer(recipe: tinyRecipe(dataset: data, iterations: 1), run: RunFolder(folder.appendingPathComponent("sup")))
        #expect(trainer.algorithm.networks.map(\.name) == ["generator"])
        #expect(trainer.discriminator == nil)
        let gan = try Trainer(recipe: tinyRecipe(dataset: data, gan: true, iterations: 1), run: RunFolder(folder.appendingPathComponent("gan")))
        #expect(gan.algorithm.networks.map(\.name) == ["generator", "discriminator"])
    }

    /// Two losses of one name are logged under distinct names.
    @Test func repeatedLossesKeepUniqueNames() throws {
        let recipe = try tinyRecipe(dataset: data, iterations: 1).adding(loss: "l1", weight: 0.5)
        let run = RunFolder(folder.appendingPathComponent("unique"))
        try Trainer(recipe: recipe, run: run).train()
        let train = try #require(run.readMetrics().first { $0.kind == .train })
        #expect(Set(train.losses?.keys.map { $0 } ?? []) == ["l1", "tv", "l1_2"])
        #expect(uniquelyNamed([Loss(name: "a") { $0.output }, Loss(name: "a") { $0.output }, Loss(name: "a") { $0.output }]).map(\.name) == ["a", "a_2", "a_3"])
    }

    /// A checkpoint names every network with its architecture and options; one written by the
    /// first trainer (a generator and a discriminator under fixed keys) resumes bit for bit.
    @Test func checkpointsOfTheFirstFormatResume() throws {
        let straight = RunFolder(folder.appendingPathComponent("straight"))
        try Trainer(recipe: tinyRecipe(dataset: data, gan: true, iterations: 4, checkpointEvery: 2), run: straight).train()
        let stopped = RunFolder(folder.appendingPathComponent("first-format"))
        try Trainer(recipe: tinyRecipe(dataset: data, gan: true, iterations: 2, checkpointEvery: 2), run: stopped).train()

        let (tensors, metadata) = try Checkpoint.load(stopped.latest)
        let state = try TrainState.decode(try #require(metadata[TrainState.metadataKey]), source: "test")
        #expect(state.algorithm == "dped-gan" && state.networks.map(\.name) == ["generator", "discriminator"])
        #expect(state.networks[0].options == ["width": .number(4), "dilations": .text("1,2")])
        // Rewrite the metadata as the first trainer wrote it.
        let g = state.networks[0], d = state.networks[1]
        struct First: Encodable {
            var iteration: Int; var loader: LoaderPositionCopy
            var generatorOptimizer: [String: String]; var discriminatorOptimizer: [String: String]
            var generatorArchitecture: String; var discriminatorArchitecture: String
        }
        struct LoaderPositionCopy: Encodable { var epoch: Int; var batch: Int }
        let first = First(iteration: state.iteration, loader: LoaderPositionCopy(epoch: state.loader.epoch, batch: state.loader.batch),
                          generatorOptimizer: g.optimizer, discriminatorOptimizer: d.optimizer,
                          generatorArchitecture: g.architecture, discriminatorArchitecture: d.architecture)
        let json = String(decoding: try JSONEncoder().encode(first), as: UTF8.self)
        #expect(!json.contains("networks"))
        try Checkpoint.save(tensors, metadata: [TrainState.metadataKey: json], to: stopped.latest)

        let resumed = try Trainer(recipe: tinyRecipe(dataset: data, gan: true, iterations: 4, checkpointEvery: 2), run: stopped, resume: true)
        #expect(resumed.iteration == 2)
        try resumed.train()
        let a = try Checkpoint.load(straight.latest).tensors, b = try Checkpoint.load(stopped.latest).tensors
        #expect(a.map(\.0) == b.map(\.0))
        for ((name, x), (_, y)) in zip(a, b) where name != "rng.cpu" {
            #expect(try x.equal(y), "\(name) differs after resuming a first-format checkpoint")
        }
        // A checkpoint of another algorithm or architecture is refused by name.
        #expect(throws: RecipeError.self) {
            try Trainer(recipe: tinyRecipe(dataset: data, iterations: 4), run: stopped, resume: true)
        }
    }

    @Test func nonFiniteValuesAreWrittenAsNull() throws {
        let url = folder.appendingPathComponent("nulls.jsonl")
        var record = MetricsRecord(kind: .eval, iteration: 3, time: .nan)
        record.metrics = ["psnr": .infinity, "ssim": 0.5]
        try MetricsLog(url).append(record)
        let line = try String(contentsOf: url, encoding: .utf8)
        #expect(line == "{\"iteration\":3,\"kind\":\"eval\",\"metrics\":{\"psnr\":null,\"ssim\":0.5},\"time\":null}\n")
        let back = try #require(readMetricsFile(url).records.first)
        #expect(back.metrics == ["ssim": 0.5] && back.time == 0)
    }
}

extension Recipe {
    /// The recipe re-parsed with one more loss, so that load-time validation runs.
    func adding(loss name: String, weight: Double = 1) throws -> Recipe {
        var yaml = try self.yaml()
        yaml = yaml.replacingOccurrences(of: "losses:\n", with: "losses:\n- name: \(name)\n  weight: \(weight)\n  options: {}\n")
        return try Recipe.parse(yaml, source: "tiny.yaml")
    }
}
