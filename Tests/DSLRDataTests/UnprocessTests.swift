import DSLRMetrics
import DSLRPhoto
import DSLRTensor
import Foundation
import Testing
@testable import DSLRData

/// `dslr data unprocess`: the inverse camera pipeline, its forward twin, and the noise.
@Suite struct UnprocessTests {
    @Test func camerasAreDrawnWithinBrooksRangesAndRepeatably() throws {
        let a = try UnprocessParameters.draw(seed: 3, index: 7), b = try UnprocessParameters.draw(seed: 3, index: 7)
        #expect(try a == b && a != UnprocessParameters.draw(seed: 3, index: 8))
        for index in 0..<50 {
            let p = try UnprocessParameters.draw(seed: 1, index: index)
            for row in 0..<3 { #expect(abs(p.rgbToCamera[3 * row ..< 3 * row + 3].reduce(0, +) - 1) < 1e-12) }
            #expect((1.9...2.4).contains(p.redGain) && (1.5...1.9).contains(p.blueGain))
            #expect((0.0001...0.012).contains(p.shotNoise) && p.readNoise > 0)
            // rgbToCamera · cameraToRGB, by hand in row-major order, is the identity.
            let (m, inverse) = (p.rgbToCamera, try p.cameraToRGB())
            for k in 0..<9 {
                let product = (0..<3).map { m[k / 3 * 3 + $0] * inverse[$0 * 3 + k % 3] }.reduce(0, +)
                #expect(abs(product - (k % 4 == 0 ? 1 : 0)) < 1e-12)
            }
        }
    }

    /// Unprocessing then developing with the same camera gives the photo back: exactly for a
    /// flat colour (bilinear demosaicing restores flat fields), closely for a smooth photo.
    @Test func developingWithTheTrueCameraUndoesUnprocessing() throws {
        let p = try UnprocessParameters.draw(seed: 0, index: 2)
        let flat = try Tensor([0.3, 0.55, 0.2], shape: [3, 1, 1]).expand([3, 16, 16]).contiguous()
        let back = try developBilinear(unprocess(flat, p), p)
        #expect(try (back - flat).abs().max().item() < 1e-4)
        Torch.manualSeed(4)
        let low = try Tensor.rand([1, 3, 6, 6]) * 0.7 + 0.1
        let smooth = try interpolate(low, size: [96, 96], mode: .bilinear(alignCorners: false)).squeeze(0)
        let developed = try developBilinear(unprocess(smooth, p), p)
        let quality = try psnr(smooth.unsqueeze(0), developed.unsqueeze(0))
        #expect(quality > 35, "\(quality) dB")
        // Another camera's pipeline develops it wrongly.
        let wrong = try developBilinear(unprocess(smooth, p), UnprocessParameters.draw(seed: 0, index: 3))
        #expect(try psnr(smooth.unsqueeze(0), wrong.unsqueeze(0)) < quality - 5)
    }

    /// The written mosaic is the unprocessed photo plus noise of variance shot·x + read, in
    /// counts of 1020, and the dataset reads it as PyNET's packed input beside its target.
    @Test func pairsHoldTheNoisyMosaicAndThePhoto() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("unprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let grey = try Tensor.full([3, 128, 96], 128.0 / 255)
        for i in 0..<2 { try writePhoto(Photo(pixels: grey), to: folder.appendingPathComponent("g\(i).png").path) }
        let sources = ["g0.png", "g1.png"].map { folder.appendingPathComponent($0).path }
        let out = folder.appendingPathComponent("raw")
        let summary = try makeUnprocessedPairs(sources: sources, output: out.path, seed: 9, using: PhotoPairSources(maxSide: nil, heldOut: [sources[1]]))
        #expect(summary.training == 1 && summary.test == 1)
        let cameras = try readUnprocessCameras(out.path)
        let camera = try #require(cameras["train/huawei_raw/g0.png"])
        #expect(try camera == UnprocessParameters.draw(seed: 9, index: 0))
        let dataset = try makeDataset(DatasetSpec(name: "zurich-raw-to-rgb", root: out.path))
        #expect(dataset.problems.isEmpty && dataset.train.inputs.count == 1 && dataset.test.inputs.count == 1)
        let packed = try dataset.loadInput(dataset.train.inputs[0])
        #expect(packed.shape == [4, 64, 48])
        let mosaic = try PyNETBayer.unpack(packed) / unprocessWhiteLevel
        let clean = try unprocess(grey, camera)
        // The red sites (R at (0, 0) of each cell): the residual's variance against
        // shot·x + read (+ the rounding to counts, 1/12 count²).
        let redResidual = try (mosaic - clean).reshape([1, 64, 2, 48, 2]).select(2, 0).select(3, 0)
        let x = try clean.select(0, 0).select(0, 0).select(0, 0).item()
        let expected = camera.shotNoise * x + camera.readNoise + 1.0 / 12 / (unprocessWhiteLevel * unprocessWhiteLevel)
        let measured = try redResidual.square().mean().item()
        #expect(abs(measured / expected - 1) < 0.25, "variance \(measured), expected \(expected)")
        let target = try dataset.loadTarget(dataset.train.targets[0])
        #expect(try (target - grey).abs().max().item() < 1e-6)
    }
}
