import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRTrain

/// The built dslr executable beside the test bundle (swift build --build-tests builds both).
private let dslr: URL? = {
    let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [folder, folder.deletingLastPathComponent()].map { $0.appendingPathComponent("dslr") }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// Runs `dslr` with `arguments`; returns its exit status and everything it printed.
private func run(_ executable: URL, _ arguments: [String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["WORLD_SIZE"] = nil
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

/// Largest |a - b| over the networks' weights (not the optimizer state or RNG), relative to
/// the largest |a|.
private func relativeWeightDifference(_ a: RunFolder, _ b: RunFolder) throws -> Double {
    let x = try Checkpoint.load(a.latest).tensors.filter { $0.0.hasPrefix("generator.") || $0.0.hasPrefix("discriminator.") }
    let y = try Checkpoint.load(b.latest).tensors.filter { $0.0.hasPrefix("generator.") || $0.0.hasPrefix("discriminator.") }
    precondition(x.map(\.0) == y.map(\.0) && !x.isEmpty)
    var difference = 0.0, scale = 0.0
    for ((_, p), (_, q)) in zip(x, y) where p.dtype.isFloatingPoint {
        difference = max(difference, try (p - q).abs().max().item())
        scale = max(scale, try p.abs().max().item())
    }
    return difference / scale
}

@Suite(.serialized) struct DataParallelTrainTests {
    /// `dslr train --nproc 2` (two real processes over Gloo, 2 samples each) ends a GAN run
    /// with the generator and discriminator one process reaches with batch 4; one process
    /// with batch 2 (what a rank alone sees) lands far away, so the tolerance means something.
    @Test(.enabled(if: dslr != nil, "dslr is not built beside the tests"))
    func twoProcessesTrainLikeOneWithTheGlobalBatch() throws {
        let folder = try temporaryFolder("ddp-train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, targetOffset: 0.2)
        let recipe = try tinyRecipe(dataset: data, gan: true, iterations: 8, checkpointEvery: 8)
        let recipeFile = folder.appendingPathComponent("tiny.yaml")
        try Data(recipe.yaml().utf8).write(to: recipeFile)

        let parallel = RunFolder(folder.appendingPathComponent("parallel"))
        let (status, output) = try run(dslr!, ["train", recipeFile.path, "-o", parallel.url.path, "--nproc", "2"])
        #expect(status == 0, "dslr train --nproc 2 failed:\n\(output)")
        // Rank 0 reports; the other ranks stay quiet.
        #expect(output.contains("[rank 0]") && !output.contains("[rank 1]"))

        let single = RunFolder(folder.appendingPathComponent("single"))
        try Trainer.evaluating(recipe: recipe, run: single).train()
        let difference = try relativeWeightDifference(parallel, single)
        print("dslr train --nproc 2 against one process, batch 4: relative weight difference \(difference)")
        #expect(difference < 1e-5, "2 ranks vs 1 process, batch 4: relative weight difference \(difference)")

        var halfRecipe = recipe
        halfRecipe.batchSize = 2
        let half = RunFolder(folder.appendingPathComponent("half"))
        try Trainer.evaluating(recipe: halfRecipe, run: half).train()
        let halfDifference = try relativeWeightDifference(half, single)
        print("one process with batch 2 against batch 4: relative weight difference \(halfDifference)")
        #expect(halfDifference > 1e-3)

        // Only rank 0 wrote the run folder's log: one line per iteration, no duplicates.
        let lines = try parallel.readMetrics().filter { $0.kind == "train" }
        #expect(lines.map(\.iteration) == Array(1...8))
    }
}
