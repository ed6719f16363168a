import DSLRPhoto
import Foundation
import Testing

@testable import DSLREnhance

@Suite struct EnhanceJobsTests {
    /// A scratch folder with a/1.jpg, a/sub/2.PNG, a/notes.txt, a/.hidden.jpg and b.jpg.
    func scratch() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dslr-jobs-\(UUID().uuidString)").path
        for file in ["a/1.jpg", "a/sub/2.PNG", "a/notes.txt", "a/.hidden.jpg", "b.jpg"] {
            let path = root + "/" + file
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: path, contents: Data([1]))
        }
        return root
    }

    @Test func folderKeepsStructureAndSkipsNonPhotos() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let jobs = try planEnhanceJobs(inputs: [root + "/a", root + "/b.jpg"], output: root + "/out")
        #expect(jobs.map(\.output) == [root + "/out/1.jpg", root + "/out/sub/2.PNG", root + "/out/b.jpg"])
        #expect(jobs[1].input.hasSuffix("/a/sub/2.PNG"))
    }

    @Test func singleFileToFileAndFormatChange() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try planEnhanceJobs(inputs: [root + "/b.jpg"], output: root + "/x.png")
            == [EnhanceJob(input: root + "/b.jpg", output: root + "/x.png")])
        #expect(try planEnhanceJobs(inputs: [root + "/b.jpg"], output: root + "/o", format: .tiff).map(\.output)
            == [root + "/o/b.tif"])
    }

    @Test func missingInputAndCollidingOutputsAreErrors() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: ModelError("\(root)/nope.jpg: no such file or folder", kind: .notFound)) {
            try planEnhanceJobs(inputs: [root + "/nope.jpg"], output: root + "/o")
        }
        let collision = #expect(throws: ModelError.self) {
            try planEnhanceJobs(inputs: [root + "/b.jpg", root + "/b.jpg"], output: root + "/o")
        }
        #expect(collision?.kind == .badArgument)
    }

    /// `develop` lists its own inputs in folders (RAW files) and always names an output format.
    @Test func otherInputExtensionsAndAFormatForEveryOutput() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = FileManager.default.createFile(atPath: root + "/a/sub/3.DNG", contents: Data([1]))
        let jobs = try planEnhanceJobs(inputs: [root + "/a"], output: root + "/out", format: .jpeg, inputExtensions: ["dng"])
        #expect(jobs == [EnhanceJob(input: root + "/a/sub/3.DNG", output: root + "/out/sub/3.jpg")])
    }

    /// An output that is an input, by its own name or through a symbolic link, is refused.
    @Test func overwritingAnInputIsRefused() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let refused = #expect(throws: ModelError.self) { try planEnhanceJobs(inputs: [root + "/b.jpg"], output: root + "/b.jpg") }
        #expect(refused == ModelError("\(root)/b.jpg is an input; refusing to overwrite it with the result of \(root)/b.jpg",
                                      kind: .badArgument))
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root)
        #expect(throws: ModelError.self) { try planEnhanceJobs(inputs: [root + "/a/1.jpg"], output: root + "/link/a") }
    }

    /// An output that is a hard link of an input is the same file under another name.
    @Test func overwritingAHardLinkOfAnInputIsRefused() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.linkItem(atPath: root + "/b.jpg", toPath: root + "/twin.jpg")
        let refused = #expect(throws: ModelError.self) { try planEnhanceJobs(inputs: [root + "/b.jpg"], output: root + "/twin.jpg") }
        #expect(refused == ModelError("\(root)/twin.jpg is the same file as the input \(root)/b.jpg (a hard link); refusing to overwrite it with the result of \(root)/b.jpg",
                                      kind: .badArgument))
        // In a folder run: out/b.jpg already exists as a hard link of the input b.jpg.
        try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
        try FileManager.default.linkItem(atPath: root + "/b.jpg", toPath: root + "/out/b.jpg")
        #expect(throws: ModelError.self) { try planEnhanceJobs(inputs: [root + "/b.jpg"], output: root + "/out") }
        // A separate copy with the same bytes is another file, and may be replaced.
        try FileManager.default.removeItem(atPath: root + "/out/b.jpg")
        try FileManager.default.copyItem(atPath: root + "/b.jpg", toPath: root + "/out/b.jpg")
        #expect(try planEnhanceJobs(inputs: [root + "/b.jpg"], output: root + "/out").map(\.output) == [root + "/out/b.jpg"])
    }

    /// An output folder inside an input folder is left out of the input's listing, so
    /// results from an earlier run are never read as photos (through links too); the input
    /// folder itself as the output is refused.
    @Test func anOutputInsideAnInputFolderIsNotReadAsInput() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // An earlier run's results in a/out.
        for file in ["a/out/1.jpg", "a/out/sub/2.PNG"] {
            try FileManager.default.createDirectory(atPath: (root + "/" + file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: root + "/" + file, contents: Data([1]))
        }
        let jobs = try planEnhanceJobs(inputs: [root + "/a"], output: root + "/a/out")
        #expect(jobs.map(\.input).map { String($0.dropFirst(root.count)) } == ["/a/1.jpg", "/a/sub/2.PNG"])
        #expect(jobs.map(\.output) == [root + "/a/out/1.jpg", root + "/a/out/sub/2.PNG"])
        try FileManager.default.createSymbolicLink(atPath: root + "/alias", withDestinationPath: root + "/a")
        #expect(try planEnhanceJobs(inputs: [root + "/alias"], output: root + "/a/out").count == 2)
        // A folder whose name only starts like the output's is still read.
        _ = FileManager.default.createFile(atPath: root + "/a/outtakes.jpg", contents: Data([1]))
        #expect(try planEnhanceJobs(inputs: [root + "/a"], output: root + "/a/out").count == 3)
        let same = #expect(throws: ModelError.self) { try planEnhanceJobs(inputs: [root + "/a"], output: root + "/./a/") }
        #expect(same == ModelError("-o \(root)/./a/ is the input folder \(root)/a; the results would replace its photos: write elsewhere",
                                   kind: .badArgument))
    }

    @Test func registryResolvesClassicAndRejectsUnknown() throws {
        let registry = ModelRegistry.standard()
        #expect(try registry.resolve(nil).card.name == ModelRegistry.defaultName)
        #expect(try registry.resolve("classic").weights == nil)
        let unknown = #expect(throws: ModelError.self) { try registry.resolve("no-such-model") }
        #expect(unknown?.kind == .notFound)
        #expect(unknown?.description.contains("known: classic, dslrkit-default") == true)
        #expect(throws: ModelError("/nonexistent/m.safetensors: no such weights file", kind: .notFound)) {
            try registry.resolve("/nonexistent/m.safetensors")
        }
    }
}

/// `--shard I/N`: every job in exactly one part, the parts about equal, and a job's part
/// fixed by its output path alone.
struct ShardTests {
    @Test func everyJobIsInExactlyOneShardAndThePartsAreBalanced() throws {
        let jobs = (0..<2000).map { EnhanceJob(input: "/in/album\($0 % 7)/IMG_\($0).jpg", output: "/out/album\($0 % 7)/IMG_\($0).jpg") }
        let parts = try (0..<4).map { try Shard("\($0)/4").select(jobs, output: "/out") }
        #expect(parts.map(\.count).reduce(0, +) == jobs.count)
        #expect(Set(parts.flatMap { $0.map(\.output) }).count == jobs.count)
        for part in parts { #expect((400...600).contains(part.count), "\(parts.map(\.count))") }
        // The same photo under another output root lands in the same part.
        let moved = jobs.map { EnhanceJob(input: $0.input, output: $0.output.replacingOccurrences(of: "/out/", with: "/mnt/x/y/")) }
        #expect(try Shard("2/4").select(moved, output: "/mnt/x/y").map(\.input) == parts[2].map(\.input))
        // FNV-1a 64 of "a.jpg" is 0x4c079bb53aa9b7c1 (Python, from the published offset basis and
        // prime): part 1 of 4 and 6 of 7, on every machine and in every release.
        #expect(try Shard("1/4").contains("a.jpg") && !Shard("0/4").contains("a.jpg"))
        #expect(try Shard("6/7").contains("a.jpg"))
    }

    @Test func badShardsAreRefused() {
        for text in ["4/4", "-1/4", "1", "a/b", "0/0", "1/2/3", ""] {
            #expect(throws: EngineError.self, "\(text)") { try Shard(text) }
        }
    }
}
