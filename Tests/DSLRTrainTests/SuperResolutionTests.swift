import DSLRData
import DSLREval
import DSLRMetrics
import DSLRPhoto
import DSLRTensor
import Foundation
import Testing
@testable import DSLRTrain

/// Super-resolution from end to end: `makeSuperResolutionPairs` writes pairs whose inputs are
/// the bicubic reductions of their targets, the paired-folders layout reads them at their
/// scale, and training and held-out evaluation run PPCN's ×4 network on them with bicubic
/// enlargement as the baseline and the Y-channel PSNR.
@Suite(.serialized) struct SuperResolutionTests {
    /// Five smooth 66×50 photos (sides not multiples of 4) and one corrupt file.
    func sources(in folder: URL) throws -> [String] {
        Torch.manualSeed(21)
        var paths: [String] = []
        for i in 0..<5 {
            let low = try Tensor.rand([1, 3, 6, 8])
            let x = try interpolate(low, size: [50, 66], mode: .bilinear(alignCorners: false)).squeeze(0).clamp(min: 0, max: 1)
            let path = folder.appendingPathComponent("photo\(i).png").path
            try writePhoto(Photo(pixels: x.contiguous()), to: path)
            paths.append(path)
        }
        let bad = folder.appendingPathComponent("broken.jpg").path
        try Data("not a photo".utf8).write(to: URL(fileURLWithPath: bad))
        return paths + [bad]
    }

    @Test func pairsAreExactBicubicReductionsAndReadAtTheirScale() throws {
        let folder = try temporaryFolder("sr-pairs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = try sources(in: folder)
        let out = folder.appendingPathComponent("pairs")
        var reported: [String] = []
        let summary = try makeSuperResolutionPairs(
            sources: paths, output: out.path, scale: 4, using: PhotoPairSources(maxSide: nil, heldOut: [paths[4]]),
            report: { reported.append($0) })
        #expect(summary.training == 4 && summary.test == 1)
        #expect(reported.count == 1 && reported[0].hasPrefix(paths[5]))
        let target = try readPhoto(out.appendingPathComponent("test/target/photo4.png").path).pixels
        let input = try readPhoto(out.appendingPathComponent("test/input/photo4.png").path).pixels
        #expect(target.shape == [3, 48, 64] && input.shape == [3, 12, 16])
        let reduced = try resizeBicubic(target.unsqueeze(0), height: 12, width: 16).squeeze(0).clamp(min: 0, max: 1)
        let error = try (reduced - input).abs().max().item()
        #expect(error <= 0.5 / 255 + 1e-6, "\(error)")
        // The original photo's top-left 64×48, to 8 bits.
        let original = try readPhoto(paths[4]).pixels.narrow(1, start: 0, length: 48).narrow(2, start: 0, length: 64)
        #expect(try (original - target).abs().max().item() < 1e-6)

        let source = try parseDataArgument(out.path)
        #expect(source.spec.name == "paired-folders" && source.spec.options["scale"] == "4")
        let dataset = try makeDataset(source.spec)
        #expect(dataset.targetScale == 4 && dataset.train.inputs.count == 4 && dataset.test.inputs.count == 1)
        #expect(dataset.problems.isEmpty)
        // Without the scale every pair is refused for its sizes.
        #expect(throws: DataError.self) { try makeDataset(DatasetSpec(name: "paired-folders", root: out.path)) }
        #expect(throws: DataError.self) {
            try makeDataset(DatasetSpec(name: "paired-folders", root: out.path, options: ["scale": "0"]))
        }
    }

    func srRecipe(_ root: URL, architecture: String = "ppcn-sr") throws -> Recipe {
        try Recipe.parse("""
            name: sr
            generator: {architecture: \(architecture)}
            losses:
              - {name: l1, weight: 1}
              - {name: ssim, weight: 0.1}
            dataset: {layout: paired-folders, root: \(root.path), options: {scale: 4}}
            patch_size: 8
            batch_size: 2
            workers: 1
            optimizer: {kind: adam, lr: 0.0002}
            iterations: 2
            eval: {every: 2, max_images: 1, crop: 16}
            checkpoint: {every: 2}
            log: {every: 1}
            seed: 3
            """, source: "sr.yaml")
    }

    /// Training feeds the network its bicubic enlargement; the held-out evaluation scores the
    /// ×4 output and bicubic enlargement (the identity baseline) with `psnr_y`, and a network
    /// whose scale does not match the pairs is refused before a run folder is made.
    @Test func ppcnSRTrainsAndIsEvaluatedAgainstBicubic() throws {
        let folder = try temporaryFolder("sr-train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = try sources(in: folder)
        let out = folder.appendingPathComponent("pairs")
        _ = try makeSuperResolutionPairs(sources: Array(paths.prefix(5)), output: out.path,
                                         using: PhotoPairSources(maxSide: nil, heldOut: [paths[4]]))
        let run = RunFolder(folder.appendingPathComponent("run"))
        let trainer = try Trainer.evaluating(recipe: srRecipe(out), run: run)
        try trainer.train()
        let record = try #require(RunMetrics.read(run.metrics).eval.last)
        let modelY = try #require(record.metrics["psnr_y"]), bicubicY = try #require(record.identity["psnr_y"])
        // The bicubic baseline by hand on the same centre crop (inputs 16×12: the whole photo).
        let x = try readPhoto(out.appendingPathComponent("test/input/photo4.png").path).pixels.unsqueeze(0)
        let y = try readPhoto(out.appendingPathComponent("test/target/photo4.png").path).pixels.unsqueeze(0)
        let bicubic = try resizeBicubic(x, height: 48, width: 64).clamp(min: 0, max: 1)
        #expect(abs(bicubicY - (try psnrY(bicubic, y, shave: 4))) < 1e-6)
        #expect(record.classic.isEmpty)
        #expect(modelY.isFinite && modelY > 10, "\(modelY)")

        let wrong = RunFolder(folder.appendingPathComponent("wrong"))
        #expect {
            try Trainer.evaluating(recipe: srRecipe(out, architecture: "dslrkit-compact"), run: wrong)
        } throws: { error in
            "\(error)".contains("targets are 4× its inputs, but 'dslrkit-compact' makes results 1× larger")
        }
        #expect(!FileManager.default.fileExists(atPath: wrong.url.path))
    }
}
