import DSLRData
import DSLREnhance
import DSLREval
import DSLRMetrics
import DSLRModels
import DSLRNN
import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

/// A paired folder: `same.png` (input equal to target), `shifted.png` (input = target + 10
/// levels), `odd.png` (input and target of different sizes) and `broken.png` (not a PNG).
func makePairedFolder(height: Int = 40, width: Int = 48) throws -> URL {
    let root = try temporaryFolder("pairs")
    let a = try testImage(height: height, width: width, seed: 1)
    try writePNG(a, root.appendingPathComponent("input/same.png"))
    try writePNG(a, root.appendingPathComponent("target/same.png"))
    let b = try testImage(height: height, width: width, seed: 2)
    try writePNG(try b + 10.0 / 255, root.appendingPathComponent("input/shifted.png"))
    try writePNG(b, root.appendingPathComponent("target/shifted.png"))
    try writePNG(try testImage(height: height, width: width, seed: 3), root.appendingPathComponent("input/odd.png"))
    try writePNG(try testImage(height: height + 2, width: width, seed: 4), root.appendingPathComponent("target/odd.png"))
    try Data("not a png".utf8).write(to: root.appendingPathComponent("input/broken.png"))
    try Data("not a png".utf8).write(to: root.appendingPathComponent("target/broken.png"))
    return root
}

@Test func pairedFolderArgumentEvaluatesEveryGoodPairAndReportsTheBadOnes() throws {
    let root = try makePairedFolder()
    let source = try parseDataArgument(root.path)
    #expect(source.allPairs)
    var problems: [String] = []
    let pairs = try evalPairs(source) { problems.append($0) }
    #expect(pairs.map(\.name).sorted() == ["same.png", "shifted.png"])
    #expect(problems.count == 3)  // broken input, broken target, odd sizes
    #expect(problems.contains { $0.contains("odd.png") && $0.contains("does not match") })
    #expect(problems.filter { $0.contains("broken.png") }.count == 2)
}

@Test func evalTableEqualsDirectQualityMetrics() throws {
    let root = try makePairedFolder()
    let pairs = try evalPairs(try parseDataArgument(root.path)).sorted { $0.name < $1.name }
    let darken = functionModel("darken") { try $0 * 0.9 }
    let models = [identityModel(), darken]
    let result = evaluate(models: models, pairs: pairs, dataset: root.path, split: "all")
    #expect(result.skipped.isEmpty)
    #expect(result.models.map(\.model) == ["identity", "darken"])

    for (m, transform) in [(0, { (x: Tensor) in x }), (1, { (x: Tensor) in try x * 0.9 })] as [(Int, (Tensor) throws -> Tensor)] {
        var sums: [String: Double] = [:]
        for pair in pairs {
            let input = try readPhoto(pair.input).pixels.unsqueeze(0), target = try readPhoto(pair.target).pixels.unsqueeze(0)
            let expected = try qualityMetrics(output: try transform(input).clamp(min: 0, max: 1), target: target)
            let got = try #require(result.models[m].images.first { $0.pair == pair.name })
            #expect(got.metrics == expected, "\(result.models[m].model) on \(pair.name)")
            #expect(!expected.values.contains { $0.isNaN })  // else the comparison above proves nothing
            for (k, v) in expected { sums[k, default: 0] += v }
        }
        for (k, sum) in sums { #expect(result.models[m].mean[k] == sum / Double(pairs.count)) }
    }
    // Identity: infinite PSNR only where input equals target; 10 levels off gives 20·log10(255/10)
    // (to float32 rounding of the decoded pixels: measured 8.8e-8 dB).
    let identity = result.models[0]
    #expect(identity.images.first { $0.pair == "same.png" }!.metrics["psnr"] == .infinity)
    let shifted = identity.images.first { $0.pair == "shifted.png" }!.metrics["psnr"]!
    #expect(abs(shifted - 20 * log10(255.0 / 10)) < 1e-6)
    #expect(identity.mean["psnr"] == .infinity)
    #expect(darken.entry.card.name == "darken")
    #expect(result.models[1].mean["psnr"]!.isFinite)
    // 40×48 pixels are too few for pytorch-msssim's five scales: no ms_ssim, DPED's variant instead.
    #expect(identity.mean["ms_ssim"] == nil && identity.mean["ms_ssim_dped"] != nil)
    #expect(identity.images.allSatisfy { $0.megapixels == 40 * 48 / 1e6 && $0.seconds >= 0 })
}

/// A target 4× its input is a super-resolution pair: models that keep the size (identity,
/// here) are followed by bicubic enlargement, and psnr_y (border of 4 shaved) joins the table.
@Test func superResolutionPairsAreScoredAfterBicubicEnlargement() throws {
    let root = try temporaryFolder("sr-eval")
    let target = try testImage(height: 48, width: 64, seed: 5)
    let input = try resizeBicubic(target.unsqueeze(0), height: 12, width: 16).squeeze(0).clamp(min: 0, max: 1)
    try writePNG(target, root.appendingPathComponent("target/a.png"))
    try writePNG(input, root.appendingPathComponent("input/a.png"))
    let pairs = [EvalPair(name: "a.png", input: root.appendingPathComponent("input/a.png").path,
                          target: root.appendingPathComponent("target/a.png").path)]
    let result = evaluate(models: [identityModel()], pairs: pairs, dataset: "sr", split: "all")
    #expect(result.skipped.isEmpty)
    let decoded = try readPhoto(pairs[0].input).pixels.unsqueeze(0)
    let expected = try qualityMetrics(
        output: resizeBicubic(decoded, height: 48, width: 64).clamp(min: 0, max: 1),
        target: readPhoto(pairs[0].target).pixels.unsqueeze(0), shave: 4)
    #expect(result.models[0].images.first?.metrics == expected.filter { !$0.value.isNaN })
    #expect(expected["psnr_y"] != nil && result.metricColumns.last == "psnr_y")
    #expect(result.textTable().contains("psnr_y"))
}

@Test func evaluateSkipsPairsOfDifferentSizesAndSavesCrops() throws {
    let root = try makePairedFolder(height: 24, width: 20)
    let pairs = [
        EvalPair(name: "odd.png", input: root.appendingPathComponent("input/odd.png").path,
                 target: root.appendingPathComponent("target/odd.png").path),
        EvalPair(name: "same.png", input: root.appendingPathComponent("input/same.png").path,
                 target: root.appendingPathComponent("target/same.png").path),
    ]
    let out = try temporaryFolder("crops")
    let result = evaluate(
        models: [identityModel()], pairs: pairs, dataset: "test", split: "all",
        options: EvalOptions(cropFolder: out.appendingPathComponent("crops"), cropCount: 4, cropSize: 16))
    #expect(result.skipped.count == 1 && result.skipped[0].contains("odd.png"))
    #expect(result.models[0].images.map(\.pair) == ["same.png"])
    #expect(result.crops.count == 1)
    let files = try #require(result.crops.first?.files)
    #expect(Set(files.keys) == ["input", "target"])  // identity's output is the input
    let crop = try readPhoto(out.appendingPathComponent(files["input"]!).path)
    #expect(crop.width == 16 && crop.height == 16)
}

@Test func baselinesComeFirstAndNamesAreNotRepeated() throws {
    let models = try evalModels(["classic", "identity"])
    #expect(models.map(\.entry.card.name) == ["identity", "classic"])
    #expect(throws: (any Error).self) { try evalModels(["no-such-model"]) }
}

@Test func aWeightsFileByPathIsEvaluatedLikeItsNetwork() throws {
    Torch.manualSeed(7)
    let generator = try DPEDGenerator(channels: 4, weightInit: .truncatedNormal(std: 0.2))
    let folder = try temporaryFolder("weights")
    let weights = folder.appendingPathComponent("tiny-dped.safetensors")
    try Checkpoint.save(generator.stateDict(), metadata: [architectureMetadataKey: DPEDGenerator.architectureID], to: weights)
    let models = try evalModels([weights.path])
    #expect(models.map(\.entry.card.name) == ["identity", "classic", "tiny-dped"])

    let root = try makePairedFolder(height: 20, width: 24)
    let pairs = try evalPairs(try parseDataArgument(root.path)).sorted { $0.name < $1.name }
    let result = evaluate(models: [models[2]], pairs: pairs, dataset: "t", split: "all", options: EvalOptions(tiling: TilingOptions(tile: 0)))
    #expect(result.models[0].images.count == 2 && result.models[0].failures.isEmpty)
    for (pair, score) in zip(pairs, result.models[0].images) {
        let input = try readPhoto(pair.input).pixels.unsqueeze(0), target = try readPhoto(pair.target).pixels.unsqueeze(0)
        let output = try withNoGrad { try generator(input) }.clamp(min: 0, max: 1)
        let expected = try qualityMetrics(output: output, target: target)
        #expect(score.pair == pair.name)
        for (key, value) in expected where !value.isNaN { #expect(abs(score.metrics[key]! - value) < 1e-12, "\(key)") }
        // DPED's MS-SSIM is NaN on 20×24 pixels (its coarsest scale is about one pixel): left out.
        #expect(expected["ms_ssim_dped"]!.isNaN && score.metrics["ms_ssim_dped"] == nil)
    }
}
