@testable import DSLRData
import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

/// Tests that read and write real files through DSLRPhoto.
@Suite struct PhotoIOTests {
    /// Three smooth 72×90 source photos written as PNG.
    func sources(in folder: URL) throws -> [String] {
        try (0..<3).map { i in
            let ramp = try Tensor.arange(0, Double(3 * 72 * 90)).reshape([3, 72, 90])
            let pixels = try ((ramp * (0.0011 * Double(i + 1))).sin() * 0.45 + 0.5).contiguous()
            let path = folder.appendingPathComponent("src\(i).png").path
            try writePhoto(Photo(pixels: pixels), to: path)
            return path
        }
    }

    @Test func synthWritesADeterministicDPEDDataset() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let photos = try sources(in: root)
        let config = SynthConfig(phone: "tiny", patchSize: 24, patchesPerPhoto: 2, maxSide: nil, testPercent: 30,
                                 degradation: DegradationConfig(seed: 5))
        var calls: [Int] = []
        let a = try synthesizeDPED(sources: photos, output: root.appendingPathComponent("a").path, config: config,
                                   progress: { done, _ in calls.append(done) })
        _ = try synthesizeDPED(sources: photos, output: root.appendingPathComponent("b").path, config: config)
        #expect(calls == [1, 2, 3])
        #expect(a.photos == 3 && a.trainingPatches + a.testPatches == 6 && a.testPatches >= 2)
        #expect(a.fullSizeTestImages == a.testPatches / 2)
        let dataset = try makeDataset(DatasetSpec(name: "dped", root: root.appendingPathComponent("a").path, options: ["phone": "tiny"]))
        #expect(dataset.problems.isEmpty)
        #expect(dataset.train.inputs.count == a.trainingPatches && dataset.test.inputs.count == a.testPatches)
        #expect(dataset.fullSizeTest.count == a.fullSizeTestImages)
        for (input, target) in zip(dataset.train.inputs, dataset.train.targets) {
            let x = try readPhoto(input).pixels, y = try readPhoto(target).pixels
            #expect(x.shape == [3, 24, 24] && y.shape == [3, 24, 24])
            // Degraded, not unrelated: the phone patch differs from its target but follows it.
            let difference = try (x - y).abs().mean().item()
            #expect(difference > 0.005 && difference < 0.3)
            let other = input.replacingOccurrences(of: "/a/", with: "/b/")
            #expect(FileManager.default.contentsEqual(atPath: input, andPath: other))
        }
    }

    @Test func synthHoldsOutAFixedListOfPhotosWhenGivenOne() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let photos = try sources(in: root)
        let config = SynthConfig(phone: "tiny", patchSize: 24, patchesPerPhoto: 2, maxSide: nil, testPercent: 90,
                                 degradation: DegradationConfig(seed: 5), heldOut: [photos[1], "/elsewhere/not-a-source.jpg"])
        let summary = try synthesizeDPED(sources: photos, output: root.appendingPathComponent("a").path, config: config)
        // Only photos[1] is held out, whatever testPercent says.
        #expect(summary.photos == 3 && summary.trainingPatches == 4 && summary.testPatches == 2 && summary.fullSizeTestImages == 1)
    }

    /// A second run into a folder that already holds this phone's dataset is refused before
    /// anything is written: its patches would overwrite some of the first run's and keep the rest.
    @Test func synthRefusesToMixWithAnExistingDataset() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let photos = try sources(in: root)
        let config = SynthConfig(phone: "tiny", patchSize: 24, patchesPerPhoto: 2, maxSide: nil, testPercent: 0,
                                 degradation: DegradationConfig(seed: 5))
        let output = root.appendingPathComponent("a").path
        let first = try synthesizeDPED(sources: photos, output: output, config: config)
        let before = try FileManager.default.contentsOfDirectory(atPath: output + "/tiny/training_data/tiny")
        let refused = #expect(throws: DataError.self) { try synthesizeDPED(sources: Array(photos.prefix(1)), output: output, config: config) }
        #expect(refused?.message == "\(output)/tiny: already holds a dataset (\(2 * first.trainingPatches) files); a second run would mix with it: choose another -o or remove it")
        #expect(try FileManager.default.contentsOfDirectory(atPath: output + "/tiny/training_data/tiny") == before)
        // Another phone name in the same folder is another dataset.
        var other = config
        other.phone = "other"
        #expect(try synthesizeDPED(sources: photos, output: output, config: other).trainingPatches == first.trainingPatches)
    }

    @Test func synthVariantsDegradeEachPhotoDifferentlyAndKeepTheFirstCopy() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let photos = Array(try sources(in: root).prefix(1))
        var config = SynthConfig(phone: "tiny", patchSize: 24, patchesPerPhoto: 2, maxSide: nil, testPercent: 0,
                                 degradation: DegradationConfig(seed: 5))
        _ = try synthesizeDPED(sources: photos, output: root.appendingPathComponent("one").path, config: config)
        config.variants = 3
        let three = try synthesizeDPED(sources: photos, output: root.appendingPathComponent("three").path, config: config)
        #expect(three.photos == 1 && three.trainingPatches == 6)
        func patch(_ set: String, _ n: Int, _ side: String) -> String {
            root.appendingPathComponent("\(set)/tiny/training_data/\(side)/\(n).jpg").path
        }
        // Copy 0 is the single-variant dataset, byte for byte.
        for n in 0..<2 { #expect(FileManager.default.contentsEqual(atPath: patch("one", n, "tiny"), andPath: patch("three", n, "tiny"))) }
        // The other copies are degraded with other parameters: the mean colour shift of phone
        // patch against target differs between copies.
        func meanShift(_ n: Int) throws -> [Double] {
            let x = try readPhoto(patch("three", n, "tiny")).pixels, y = try readPhoto(patch("three", n, "canon")).pixels
            return try (x - y).mean(dims: [1, 2]).toArray(Double.self)
        }
        let shifts = try [0, 2, 4].map(meanShift)
        #expect(zip(shifts[0], shifts[1]).map { abs($0 - $1) }.max()! > 0.01)
        #expect(zip(shifts[1], shifts[2]).map { abs($0 - $1) }.max()! > 0.01)
    }

    @Test func jpegRoundTripCompressesMoreAtLowerQuality() throws {
        let ramp = try Tensor.arange(0, Double(3 * 64 * 64)).reshape([3, 64, 64])
        let x = try ((ramp * 0.05).sin() * 0.3 + 0.5).contiguous()
        let high = try maxAbsDiff(jpegRoundTrip(x, quality: 95), x)
        let low = try maxAbsDiff(jpegRoundTrip(x, quality: 20), x)
        #expect(high < low)
        #expect(try (jpegRoundTrip(x, quality: 95) - x).abs().mean().item() < 0.02)
    }

    @Test func zurichRawPNGLoadsAsPyNETPacksIt() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("train/huawei_raw"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("train/canon"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixtureURL("bayer_raw.png"), to: root.appendingPathComponent("train/huawei_raw/0.png"))
        try writePhoto(Photo(pixels: Tensor.full([3, 6, 8], 0.5)), to: root.appendingPathComponent("train/canon/0.jpg").path)
        let dataset = try makeDataset(DatasetSpec(name: "zurich-raw-to-rgb", root: root.path))
        #expect(dataset.problems.isEmpty)
        let packed = try dataset.loadInput(dataset.train.inputs[0])
        #expect(try maxAbsDiff(packed, Reference()["packed"]) < 1e-6)
    }

    @Test func debianPhotosShrinkForTests() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let installed = try installPhotos(from: .debianMate, to: out.path, maxSide: 96, limit: 2)
        for photo in installed {
            let info = try photoInfo(out.appendingPathComponent(photo.file).path)
            #expect(max(info.width, info.height) == 96)
        }
        let small = try PhotoSource.debianMate.smallPhotos(count: 2, maxSide: 64)
        #expect(small.count == 2 && small.allSatisfy { $0.shape[0] == 3 && max($0.shape[1], $0.shape[2]) == 64 })
    }
}
