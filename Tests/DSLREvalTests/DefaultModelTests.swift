import DSLREnhance
import DSLRMetrics
import DSLRModels
import DSLRPhoto
import DSLRTensor
import Foundation
import Testing
@testable import DSLRData

/// The embedded default model: what its card promises, and that it holds on a photo it never
/// saw under degradations it never saw.
@Suite(.serialized) struct DefaultModelTests {
    @Test func defaultIsTheEmbeddedCompactModelWithAFullCard() throws {
        let entry = try ModelRegistry.standard().resolve(nil)
        let card = entry.card
        #expect(card.name == "dslrkit-default" && card.architecture == CompactNet.architectureID && entry.origin == .builtIn)
        let weights = try #require(entry.weights)
        let bytes = try FileManager.default.attributesOfItem(atPath: weights.path)[.size] as? Int ?? .max
        #expect(bytes <= 10_000_000)
        #expect(card.trainedOn?.contains("dslr data synth") == true)
        #expect(card.command?.contains("dslr train recipes/default.yaml") == true)
        #expect(card.recipe == "recipes/default.yaml" && card.license != nil)
        // The card's table: at least 2 dB PSNR and 0.05 SSIM over both baselines.
        let metrics = try #require(card.metrics), baselines = try #require(card.baselines)
        for baseline in ["identity", "classic"] {
            let other = try #require(baselines[baseline])
            #expect(metrics["psnr"]! >= other["psnr"]! + 2, "PSNR against \(baseline)")
            #expect(metrics["ssim"]! >= other["ssim"]! + 0.05, "SSIM against \(baseline)")
        }
        let model = try LoadedModel.load(entry)
        #expect(model.receptiveRadius == 67)
    }

    /// The one Debian photo the training data held out, degraded with parameters from a seed
    /// the training data did not use: the model's output is clearly nearer the photo than its
    /// degraded input and than the classic enhancer's output.
    @Test func restoresTheHeldOutPhotoUnderFreshDegradations() throws {
        let paths = try PhotoSource.debianMate.photoPaths()
        let heldOut = try #require(paths.first { isHeldOut($0, fraction: 0.1) })
        let target = try shrink(readPhoto(heldOut).pixels, maxSide: 1280)
        let model = try LoadedModel.load(ModelRegistry.standard().resolve(nil))
        let classic = try LoadedModel.load(ModelRegistry.standard().resolve("classic"))
        let config = DegradationConfig(seed: 20261121)
        var gains: (identity: Double, classic: Double) = (0, 0)
        let draws = 3
        for index in 0..<draws {
            let input = try degrade(target, parameters: config.parameters(index: index))
            func crop(_ x: Tensor) throws -> Tensor {
                try x.narrow(1, start: 300, length: 384).narrow(2, start: 400, length: 384).contiguous().unsqueeze(0)
            }
            let x = try crop(input), y = try crop(target)
            let ours = try psnr(model.enhance(x), y)
            let identity = try psnr(x, y), classicScore = try psnr(classic.enhance(x), y)
            gains.identity += (ours - identity) / Double(draws)
            gains.classic += (ours - classicScore) / Double(draws)
        }
        print("default model on the held-out photo, \(draws) fresh degradations: +\(gains.identity) dB over identity, +\(gains.classic) dB over classic")
        #expect(gains.identity >= 2)
        #expect(gains.classic >= 2)
    }
}
