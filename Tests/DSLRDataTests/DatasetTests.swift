@testable import DSLRData
import DSLRTensor
import Foundation
import Testing

@Suite struct DatasetTests {
    /// A DPED phone folder with 4 good training pairs, one input without partner, one target
    /// without partner, one pair of mismatched sizes, one unreadable input, and 2 test pairs.
    func makeDPED() throws -> (URL, PhotoReader) {
        let root = try temporaryFolder()
        let train = (0..<8).map { "iphone/training_data/iphone/\($0).jpg" } + (0..<7).map { "iphone/training_data/canon/\($0).jpg" }
            + ["iphone/training_data/canon/9.jpg"]
        let test = (0..<2).flatMap { ["iphone/test_data/patches/iphone/\($0).jpg", "iphone/test_data/patches/canon/\($0).jpg"] }
        try touch(root, train + test + ["iphone/test_data/full_size_test_images/0.jpg"])
        var sizes: [String: (Int, Int)] = [:]
        for path in train + test { sizes[path] = (100, 100) }
        sizes["iphone/training_data/canon/5.jpg"] = (100, 90)
        return (root, fakeReader(sizes: sizes, failing: ["iphone/training_data/iphone/6.jpg"]))
    }

    @Test func dpedPairsValidFilesAndReportsEachProblemOnce() throws {
        let (root, reader) = try makeDPED()
        defer { try? FileManager.default.removeItem(at: root) }
        var reported: [String] = []
        let dataset = try makeDataset(
            DatasetSpec(name: "dped", root: root.path, options: ["phone": "iphone"]), reader: reader) { reported.append($0) }
        #expect(dataset.train.inputs.map { ($0 as NSString).lastPathComponent } == ["0.jpg", "1.jpg", "2.jpg", "3.jpg", "4.jpg"])
        #expect(dataset.train.targets.allSatisfy { $0.contains("/training_data/canon/") })
        #expect(dataset.test.inputs.count == 2)
        #expect(dataset.fullSizeTest.count == 1)
        #expect(reported == dataset.problems)
        #expect(reported.count == 4)
        #expect(reported.contains { $0.hasSuffix("training_data/iphone/7.jpg: missing partner in \(root.path)/iphone/training_data/canon") })
        #expect(reported.contains { $0.contains("canon/9.jpg: missing partner") })
        #expect(reported.contains { $0.contains("iphone/5.jpg: size 100×100 does not match") })
        #expect(reported.contains { $0.contains("iphone/6.jpg: unreadable") })
    }

    @Test func thePhoneFolderItselfCanBeTheRoot() throws {
        let (root, reader) = try makeDPED()
        defer { try? FileManager.default.removeItem(at: root) }
        let dataset = try makeDataset(DatasetSpec(name: "dped", root: root.appendingPathComponent("iphone").path), reader: reader)
        #expect(dataset.train.inputs.count == 5)
    }

    @Test func noValidPairIsAnError() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try touch(root, ["input/a.jpg", "target/b.jpg"])
        #expect(throws: DataError.self) {
            try makeDataset(DatasetSpec(name: "paired-folders", root: root.path), reader: fakeReader(sizes: [:]))
        }
        #expect(throws: DataError.self) { try makeDataset(DatasetSpec(name: "no-such-layout", root: root.path)) }
        #expect(throws: DataError.self) { try makeDataset(DatasetSpec(name: "dped", root: root.path + "/missing")) }
    }

    @Test func pairedFoldersHoldOutAFixedShareByName() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let names = (0..<200).map { "photo\($0).png" }
        try touch(root, names.flatMap { ["input/\($0)", "target/\($0)"] })
        let spec = DatasetSpec(name: "paired-folders", root: root.path, options: ["validate": "none", "test-percent": "20"])
        let a = try makeDataset(spec), b = try makeDataset(spec)
        #expect(a.train == b.train && a.test == b.test)
        #expect(Set(a.train.inputs).isDisjoint(with: a.test.inputs))
        #expect(a.train.inputs.count + a.test.inputs.count == 200)
        // A hash split of 200 names at 20 %: 40 expected, binomial σ ≈ 5.7.
        #expect((20...60).contains(a.test.inputs.count))
        #expect(zip(a.test.inputs, a.test.targets).allSatisfy {
            ($0 as NSString).lastPathComponent == ($1 as NSString).lastPathComponent
        })
        // Adding files never moves an existing file between the splits.
        try touch(root, ["input/extra.png", "target/extra.png"])
        let c = try makeDataset(spec)
        #expect(Set(a.test.inputs).isSubset(of: c.test.inputs))
    }

    @Test func zurichPairsRawPNGsWithJPEGTargetsAndPacksInputs() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let files = (0..<3).flatMap { ["train/huawei_raw/\($0).png", "train/canon/\($0).jpg"] } + ["test/huawei_raw/0.png", "test/canon/0.jpg"]
        try touch(root, files)
        var sizes: [String: (Int, Int)] = [:]
        for f in files { sizes[f] = (8, 6) }
        let dataset = try makeDataset(DatasetSpec(name: "zurich-raw-to-rgb", root: root.path), reader: fakeReader(sizes: sizes, bitDepth: 16))
        #expect(dataset.input == .pynetBayer && dataset.targetScale == 2)
        #expect(dataset.train.inputs.count == 3 && dataset.test.inputs.count == 1)
        #expect(dataset.train.targets[2].hasSuffix("train/canon/2.jpg"))
        let x = try dataset.loadInput(dataset.train.inputs[0])
        #expect(x.shape == [4, 3, 4])
        // Counts are the 16-bit values: x · 1020 = round(pixel · 65535).
        let pixels = try dataset.reader.pixels(dataset.train.inputs[0]).pixels
        let counts = try (pixels.select(0, 0) * 65535).round()
        #expect(try maxAbsDiff(PyNETBayer.unpack(x).squeeze(0), counts) < 0.01)
    }

    @Test func unpairedFoldersListBothSidesIndependently() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try touch(root, (0..<30).map { "low/l\($0).jpg" } + (0..<12).map { "high/h\($0).jpg" })
        let dataset = try makeDataset(
            DatasetSpec(name: "unpaired-folders", root: root.path, options: ["validate": "none"]))
        #expect(dataset.kind == .unpaired)
        #expect(dataset.train.inputs.count + dataset.test.inputs.count == 30)
        #expect(dataset.train.targets.count + dataset.test.targets.count == 12)
        #expect(dataset.train.inputs.allSatisfy { $0.contains("/low/") })
    }

    @Test func naturalOrderSortsNumbersNumerically() {
        #expect(["10.jpg", "2.jpg", "b.jpg", "1.jpg", "a.jpg"].sorted(by: naturalOrder) == ["1.jpg", "2.jpg", "10.jpg", "a.jpg", "b.jpg"])
    }
}
