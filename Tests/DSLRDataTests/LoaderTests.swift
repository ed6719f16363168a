@testable import DSLRData
import DSLRTensor
import Foundation
import Testing

@Suite struct LoaderTests {
    /// A paired dataset of `count` 40×48 images whose targets equal their inputs.
    func dataset(count: Int = 10, failing: Set<String> = []) throws -> (Dataset, URL) {
        let root = try temporaryFolder()
        let names = (0..<count).map { "\($0).png" }
        try touch(root, names.flatMap { ["train/input/\($0)", "train/target/\($0)"] })
        var sizes: [String: (Int, Int)] = [:]
        for n in names { sizes["input/\(n)"] = (48, 40); sizes["target/\(n)"] = (48, 40) }
        let data = try makeDataset(
            DatasetSpec(name: "paired-folders", root: root.path, options: ["validate": "none"]),
            reader: fakeReader(sizes: sizes, failing: failing))
        return (data, root)
    }

    func batches(_ loader: DataLoader, _ n: Int) throws -> [Batch] { try (0..<n).map { _ in try loader.nextBatch() } }

    func same(_ a: [Batch], _ b: [Batch]) throws -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            guard x.position == y.position, x.inputPaths == y.inputPaths, try x.input.equal(y.input), try x.target.equal(y.target)
            else { return false }
        }
        return true
    }

    @Test func flipsRotationsAndCropsAreIdenticalOnBothSides() throws {
        let (data, root) = try dataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let loader = try DataLoader(dataset: data, config: LoaderConfig(batchSize: 4, patchSize: 16, seed: 3, workers: 0))
        for batch in try batches(loader, 6) {
            #expect(batch.input.shape == [4, 3, 16, 16])
            #expect(try batch.input.equal(batch.target))
        }
        // The augmentations do happen: some patch is not an unflipped crop of its image.
        var augmentations = Set<[Int]>()
        for slot in 0..<40 {
            var rng = SplitMix64(key: 3, 0, UInt64(slot), 3)
            _ = Int.random(in: 0...24, using: &rng); _ = Int.random(in: 0...32, using: &rng)
            let a = Augmentation.draw(config: loader.config, square: true, input: .rgb, rng: &rng)
            augmentations.insert([a.flipHorizontal ? 1 : 0, a.flipVertical ? 1 : 0, a.quarterTurns])
        }
        #expect(augmentations.count > 8)
    }

    @Test func augmentationAppliesTheSameTransformToEachTensor() throws {
        let x = try Tensor.arange(0, 2 * 4 * 4).reshape([2, 4, 4])
        let a = Augmentation(flipHorizontal: true, flipVertical: false, quarterTurns: 1)
        let y = try a.apply(x)
        // The first row of channel 0 is the first column of the original: flipped, then turned.
        let expected = try x.flip([2]).rot90(1, dims: [1, 2])
        #expect(try y.equal(expected))
        #expect(try y.select(0, 0).select(0, 0).toArray(Float.self) == [0, 4, 8, 12])
    }

    @Test func sameSeedSameBatchesOtherSeedOthers() throws {
        let (data, root) = try dataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let config = LoaderConfig(batchSize: 3, patchSize: 12, seed: 11, workers: 0)
        let a = try batches(DataLoader(dataset: data, config: config), 7)
        let b = try batches(DataLoader(dataset: data, config: config), 7)
        #expect(try same(a, b))
        var other = config
        other.seed = 12
        #expect(try !same(a, batches(DataLoader(dataset: data, config: other), 7)))
    }

    @Test func prefetchThreadsGiveTheSameBatchesAsBuildingInline() throws {
        let (data, root) = try dataset()
        defer { try? FileManager.default.removeItem(at: root) }
        var config = LoaderConfig(batchSize: 2, patchSize: 8, seed: 5, workers: 0)
        let inline = try batches(DataLoader(dataset: data, config: config), 12)
        config.workers = 3
        config.prefetch = 2
        #expect(try same(inline, batches(DataLoader(dataset: data, config: config), 12)))
    }

    @Test func restoringAPositionResumesExactly() throws {
        let (data, root) = try dataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let config = LoaderConfig(batchSize: 4, patchSize: 10, seed: 9, workers: 2)
        let full = try batches(DataLoader(dataset: data, config: config), 9)
        // Stop after batch k = 4 (the epoch has 2 batches, so this crosses epochs), save, restore.
        let first = try DataLoader(dataset: data, config: config)
        _ = try batches(first, 4)
        let saved = try JSONEncoder().encode(first.position)
        let position = try JSONDecoder().decode(LoaderPosition.self, from: saved)
        #expect(position == LoaderPosition(epoch: 2, batch: 0))
        let resumed = try DataLoader(dataset: data, config: config, position: position)
        #expect(try same(Array(full[4...]), batches(resumed, 5)))
    }

    @Test func everyEpochVisitsEachFileOnceInAShuffledOrder() throws {
        let (data, root) = try dataset(count: 6)
        defer { try? FileManager.default.removeItem(at: root) }
        let loader = try DataLoader(dataset: data, config: LoaderConfig(batchSize: 6, patchSize: nil, seed: 1, workers: 0))
        let epochs = try batches(loader, 3).map(\.inputPaths)
        for paths in epochs { #expect(Set(paths).count == 6) }
        #expect(Set(epochs.map { $0.joined() }).count == 3)
        var ordered = LoaderConfig(batchSize: 6, patchSize: nil, shuffle: false, workers: 0)
        ordered.seed = 1
        let plain = try DataLoader(dataset: data, config: ordered).nextBatch()
        #expect(plain.inputPaths == data.train.inputs)
    }

    @Test func anUnreadableFileIsReportedOnceAndReplaced() throws {
        let (data, root) = try dataset(count: 5, failing: ["input/2.png"])
        defer { try? FileManager.default.removeItem(at: root) }
        let reports = Reports()
        let loader = try DataLoader(
            dataset: data, config: LoaderConfig(batchSize: 5, patchSize: 8, workers: 2), report: { reports.add($0) })
        for batch in try batches(loader, 4) {
            #expect(batch.input.shape[0] == 5)
            #expect(!batch.inputPaths.contains { $0.hasSuffix("input/2.png") })
        }
        #expect(reports.lines.count == 1)
        #expect(reports.lines.first?.contains("input/2.png: unreadable") == true)
    }

    @Test func unpairedSidesAreDrawnIndependently() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let low = (0..<6).map { "low/l\($0).jpg" }, high = (0..<4).map { "high/h\($0).jpg" }
        try touch(root, low + high)
        var sizes: [String: (Int, Int)] = [:]
        for f in low { sizes[f] = (30, 20) }
        for f in high { sizes[f] = (50, 40) }
        let data = try makeDataset(
            DatasetSpec(name: "unpaired-folders", root: root.path, options: ["test-percent": "0"]),
            reader: fakeReader(sizes: sizes))
        let loader = try DataLoader(dataset: data, config: LoaderConfig(batchSize: 6, patchSize: 12, seed: 4, workers: 0))
        let batch = try loader.nextBatch()
        #expect(batch.input.shape == [6, 3, 12, 12] && batch.target.shape == [6, 3, 12, 12])
        #expect(Set(batch.inputPaths).count == 6)
        #expect(try !batch.input.equal(batch.target))
        #expect(throws: DataError.self) { try DataLoader(dataset: data, part: .test, config: LoaderConfig()) }
    }

    /// A Zurich-layout dataset of one 40×32 16-bit RAW/target pair under `root`.
    private func oneBayerPair(in root: URL) throws -> Dataset {
        try touch(root, ["train/huawei_raw/0.png", "train/canon/0.jpg"])
        return try makeDataset(
            DatasetSpec(name: "zurich-raw-to-rgb", root: root.path),
            reader: fakeReader(sizes: ["huawei_raw/0.png": (40, 32), "canon/0.jpg": (40, 32)], bitDepth: 16))
    }

    /// A batch that cannot fit in memory is refused before any photo is read (issue 19: a
    /// huge batch_size built its batch without end); small repeats of few pairs still work.
    @Test func impossibleBatchesAreRefusedUpFront() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try oneBayerPair(in: root)
        do {
            _ = try DataLoader(dataset: data, config: LoaderConfig(batchSize: 100_000, patchSize: 256, seed: 0, workers: 0))
            Issue.record("a 157 GB batch was accepted")
        } catch let error as DataError {
            #expect("\(error)".contains("batch_size 100000 of 256-pixel patches needs about 157 GB"), "\(error)")
        }
        #expect(throws: DataError.self) { try DataLoader(dataset: data, config: LoaderConfig(batchSize: Int.max, patchSize: 8, seed: 0, workers: 0)) }
        #expect(throws: DataError.self) { try DataLoader(dataset: data, config: LoaderConfig(batchSize: 2, patchSize: nil, seed: 0, workers: 0)) }
        _ = try DataLoader(dataset: data, config: LoaderConfig(batchSize: 3, patchSize: 8, seed: 0, workers: 0))
    }

    @Test func bayerInputsCropAtHalfTheTargetsCoordinates() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        // Raw and target have the same pixels, so each packed patch must unpack to its target crop.
        let data = try oneBayerPair(in: root)
        let loader = try DataLoader(dataset: data, config: LoaderConfig(batchSize: 3, patchSize: 6, seed: 2, workers: 0))
        for batch in try batches(loader, 3) {
            #expect(batch.input.shape == [3, 4, 6, 6] && batch.target.shape == [3, 3, 12, 12])
            let raw = try PyNETBayer.unpack(batch.input).squeeze(1)
            let counts = try (batch.target.select(1, 0) * 65535).round()
            #expect(try maxAbsDiff(raw, counts) < 0.02)
        }
    }
}

final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}
