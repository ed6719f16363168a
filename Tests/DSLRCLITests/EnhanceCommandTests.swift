import DSLRPhoto
import Foundation
import Testing

@Suite(.serialized, .enabled(if: dslr != nil, "dslr is not built beside the tests"))
struct EnhanceCommandTests {
    @Test func missingInputIsOneLineNamingItWithExitCode1() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let missing = folder + "/nope.jpg"
        let outcome = try runDSLR(["enhance", missing, "-o", folder + "/out"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.errorLines == ["Error: \(missing): no such file or folder"], "\(outcome.stderr)")
    }

    @Test func unknownModelListsTheKnownOnes() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeSmallPhoto(folder + "/a.png")
        let outcome = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/out", "--model", "no-such"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.errorLines.count == 1, "\(outcome.stderr)")
        let line = outcome.errorLines.first ?? ""
        #expect(line.contains("unknown model 'no-such'") && line.contains("known: classic, dslrkit-default"), "\(line)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
    }

    @Test func missingWeightsFileIsNamed() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeSmallPhoto(folder + "/a.png")
        let weights = folder + "/none.safetensors"
        let outcome = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/out", "--model", weights], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.errorLines == ["Error: \(weights): no such weights file"], "\(outcome.stderr)")
    }

    /// MPSE's phase 3 is reachable as a preset of the classic model, and only there.
    @Test func classicPresetRunsAndIsRefusedElsewhere() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeSmallPhoto(folder + "/a.png")
        var outputs: [[Double]] = []
        for preset in ["mpse", "default"] {
            let out = folder + "/\(preset).png"
            let outcome = try runDSLR(["enhance", folder + "/a.png", "-o", out, "--model", "classic", "--preset", preset], in: folder)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let photo = try readPhoto(out)
            #expect(photo.width == 24 && photo.height == 16)
            outputs.append(try photo.pixels.flatten().toArray(Float.self).map(Double.init))
        }
        #expect(outputs[0] != outputs[1], "the presets gave the same photo")
        let elsewhere = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/x.png", "--preset", "mpse"], in: folder)
        #expect(elsewhere.status == 2)
        #expect(elsewhere.errorLines.first == "Error: --preset applies to --model classic only", "\(elsewhere.stderr)")
        let unknown = try runDSLR(
            ["enhance", folder + "/a.png", "-o", folder + "/x.png", "--model", "classic", "--preset", "nope"], in: folder)
        #expect(unknown.status == 2)
        #expect(unknown.errorLines.first == "Error: --preset must be one of default, mpse, mpse-recursive, identity", "\(unknown.stderr)")
    }

    /// Two machines given 0/2 and 1/2 together write every photo once.
    @Test func shardsSplitAFolderWithoutOverlap() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
        for i in 0..<6 { try writeSmallPhoto(folder + "/in/p\(i).png") }
        var written: [String] = []
        for part in ["0/2", "1/2"] {
            let out = folder + "/out"
            let before = Set((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [])
            let outcome = try runDSLR(["enhance", folder + "/in", "-o", out, "--model", "classic", "--shard", part], in: folder)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("shard \(part): "), "\(outcome.stderr)")
            let after = Set((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [])
            written += after.subtracting(before)
        }
        #expect(written.sorted() == (0..<6).map { "p\($0).png" })
        let bad = try runDSLR(["enhance", folder + "/in", "-o", folder + "/x", "--shard", "2/2"], in: folder)
        #expect(bad.status == 2)
        #expect(bad.errorLines.first == "Error: --shard must be I/N with 0 <= I < N (for example 0/4), got '2/2'", "\(bad.stderr)")
    }

    @Test func zeroJobsIsAUsageError() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/out", "--jobs", "0"], in: folder)
        #expect(outcome.status == 2)
        #expect(outcome.errorLines.first == "Error: --jobs must be at least 1", "\(outcome.stderr)")
    }

    /// Limits that are not numbers a photo could have are usage errors, not traps.
    @Test func nonFiniteLimitsAndStrengthAreUsageErrors() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeSmallPhoto(folder + "/a.png")
        for value in ["nan", "inf", "1e308", "0"] {
            let outcome = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/out", "--max-megapixels", value], in: folder)
            #expect(outcome.status == 2, "--max-megapixels \(value): \(outcome.stderr)")
            #expect(outcome.errorLines.first == "Error: --max-megapixels must be a number above 0 and at most 10000", "\(outcome.stderr)")
        }
        let outcome = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/out", "--strength", "2"], in: folder)
        #expect(outcome.status == 2)
        #expect(outcome.errorLines.first == "Error: --strength must be between 0 and 1", "\(outcome.stderr)")
    }

    /// The corrupt photo costs one line and exit code 1; the good ones are still written.
    @Test func corruptPhotoIsReportedAndSkipped() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = folder + "/in"
        try FileManager.default.createDirectory(atPath: input + "/sub", withIntermediateDirectories: true)
        try writeSmallPhoto(input + "/a.png")
        try writeSmallPhoto(input + "/sub/b.jpg", width: 20, height: 30)
        let corrupt = input + "/c.jpg"
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1, 2, 3]).write(to: URL(fileURLWithPath: corrupt))
        let out = folder + "/out"
        let outcome = try runDSLR(["enhance", input, "-o", out, "--model", "classic", "--jobs", "2"], in: folder)
        #expect(outcome.status == 1)
        let errors = outcome.errorLines.filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 1 && errors.first?.hasPrefix("error: \(corrupt): ") == true, "\(outcome.stderr)")
        #expect(outcome.errorLines.last?.hasPrefix("enhanced 2 of 3 photos in ") == true)
        #expect(outcome.errorLines.last?.hasSuffix("; 1 failed") == true, "\(outcome.stderr)")
        #expect(try photoInfo(out + "/a.png").width == 24)
        #expect(try photoInfo(out + "/sub/b.jpg").height == 30)
        #expect(!FileManager.default.fileExists(atPath: out + "/c.jpg"))
    }

    @Test func goodPhotosExitWith0() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeSmallPhoto(folder + "/a.png")
        let outcome = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/b.png", "--model", "classic"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.errorLines.first == "enhancing 1 photo with classic on cpu (fp32)")
        #expect(outcome.errorLines.contains { $0.hasPrefix("\(folder)/a.png -> \(folder)/b.png (24x16, ") })
        #expect(try photoInfo(folder + "/b.png").width == 24)
    }
}

@Suite(.enabled(if: dslr != nil, "dslr is not built beside the tests"))
struct CommandLineTests {
    @Test func modelsListsTheBuiltInModels() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try runDSLR(["models"], in: folder)
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("classic  [classic, built-in]"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("dslrkit-default (default)"))
    }

    @Test func unknownSubcommandIsAUsageError() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try runDSLR(["frobnicate"], in: folder)
        #expect(outcome.status == 2)
        #expect(outcome.errorLines.first == "Error: Unexpected argument 'frobnicate'", "\(outcome.stderr)")
    }

    @Test func helpExitsWith0() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try runDSLR(["enhance", "--help"], in: folder)
        #expect(outcome.status == 0)
        #expect(outcome.stdout.hasPrefix("OVERVIEW: Enhance photos"))
    }
}
