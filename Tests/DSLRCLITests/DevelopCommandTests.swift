import DSLRPhoto
import Foundation
import Testing

/// A DNG among DSLRRawTests' fixtures (scripts/fixtures/make_dng_fixture.py).
func rawFixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DSLRRawTests/Fixtures/\(name)").path
}

@Suite(.serialized, .enabled(if: dslr != nil, "dslr is not built beside the tests"))
struct DevelopCommandTests {
    /// A folder of RAW files with a truncated DNG and a garbage NEF among the good ones.
    private func rawFolder(_ folder: String) throws -> String {
        let input = folder + "/raw"
        try FileManager.default.createDirectory(atPath: input + "/sub", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: rawFixture("rggb.dng"), toPath: input + "/rggb.dng")
        try FileManager.default.copyItem(atPath: rawFixture("gbrg.dng"), toPath: input + "/sub/gbrg.DNG")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: rawFixture("rggb.dng")))
        try bytes.prefix(4000).write(to: URL(fileURLWithPath: input + "/truncated.dng"))
        try Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).write(to: URL(fileURLWithPath: input + "/garbage.nef"))
        try Data("not a raw file".utf8).write(to: URL(fileURLWithPath: input + "/notes.txt"))
        return input
    }

    /// Without a model LibRaw develops each file; bad files cost one line each naming them,
    /// the others are written upright with their EXIF, and the exit code is 1.
    @Test func developsAFolderWithLibRawAndSkipsBadFiles() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = try rawFolder(folder)
        let out = folder + "/out"
        let outcome = try runDSLR(["develop", input, "-o", out, "--jobs", "2"], in: folder)
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.errorLines.first == "developing 4 RAW files with LibRaw", "\(outcome.stderr)")
        let errors = outcome.errorLines.filter { $0.hasPrefix("error: ") }.sorted()
        #expect(errors.count == 2, "\(outcome.stderr)")
        #expect(errors.first?.hasPrefix("error: \(input)/garbage.nef: not a RAW file") == true, "\(errors)")
        #expect(errors.last?.hasPrefix("error: \(input)/truncated.dng: damaged or truncated") == true, "\(errors)")
        #expect(outcome.errorLines.last?.hasPrefix("developed 2 of 4 RAW files in ") == true, "\(outcome.stderr)")
        #expect(outcome.errorLines.last?.hasSuffix("; 2 failed") == true)
        let rggb = try readPhoto(out + "/rggb.jpg")
        #expect((rggb.width, rggb.height) == (64, 48))
        #expect(rggb.metadata.exif.map { Array("Fixture RGGB".utf8).isSubsequence(of: $0) } == true)
        // Orientation 6: stored 63×46, developed upright.
        #expect(try photoInfo(out + "/sub/gbrg.jpg").width == 46)
        #expect(try photoInfo(out + "/sub/gbrg.jpg").height == 63)
        #expect(!FileManager.default.fileExists(atPath: out + "/truncated.jpg"))
        #expect(!FileManager.default.fileExists(atPath: out + "/notes.jpg"))
    }

    /// A tiny untrained PyNET (width 2) develops the mosaics at their own size; the linear
    /// DNG, which has no mosaic, is refused in one line.
    @Test func developsWithARawModel() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let weights = folder + "/pynet.safetensors"
        let made = try runDSLR(["models", "init", "pynet", "--option", "width=2", "-o", weights], in: folder)
        #expect(made.status == 0, "\(made.stderr)")
        let out = folder + "/out"
        let outcome = try runDSLR(
            ["develop", rawFixture("rggb.dng"), rawFixture("gbrg.dng"), rawFixture("linear.dng"), "-o", out, "--model", weights,
             "--format", "png"], in: folder)
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.errorLines.first == "developing 3 RAW files with pynet on cpu (fp32)", "\(outcome.stderr)")
        let errors = outcome.errorLines.filter { $0.hasPrefix("error: ") }
        #expect(errors == ["error: \(rawFixture("linear.dng")): has full-colour pixels (Foveon, linear DNG or sRAW), not a Bayer mosaic: RAW models take Bayer mosaics only (without a model, LibRaw develops it)"], "\(outcome.stderr)")
        #expect(try photoInfo(out + "/rggb.png") == PhotoInfo(width: 64, height: 48, bands: 3, bitDepth: 16, format: .png))
        #expect(try photoInfo(out + "/gbrg.png") == PhotoInfo(width: 46, height: 63, bands: 3, bitDepth: 16, format: .png))
    }

    /// The other way round: `enhance` refuses a RAW-to-RGB model before reading a photo.
    @Test func enhanceRefusesARawModel() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let weights = folder + "/pynet.safetensors"
        #expect(try runDSLR(["models", "init", "pynet", "--option", "width=2", "-o", weights], in: folder).status == 0)
        try writeSmallPhoto(folder + "/a.png")
        let outcome = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/out", "--model", weights], in: folder)
        #expect(outcome.status == 2)
        #expect(outcome.errorLines == ["Error: model 'pynet' turns RAW mosaics into photos; develop RAW files with it (`dslr develop --model`)"],
                "\(outcome.stderr)")
    }

    @Test func anRGBModelIsAUsageError() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try runDSLR(["develop", rawFixture("rggb.dng"), "-o", folder + "/out", "--model", "classic"], in: folder)
        #expect(outcome.status == 2)
        #expect(outcome.errorLines == ["Error: model 'classic' takes rgb photos; developing RAW files needs a RAW-to-RGB model (packed-bayer input, such as the pynet architecture)"], "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
    }

    @Test func thePixelLimitRefusesEachFileFromItsHeader() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try runDSLR(["develop", rawFixture("rggb.dng"), "-o", folder + "/one.tif", "--max-megapixels", "0.003"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.errorLines.contains { $0.hasPrefix("error: \(rawFixture("rggb.dng")): 64x48 pixels (0.0 MP) exceed the limit of 0.0 MP") },
                "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/one.tif"))
    }

    @Test func oneFileToANamedOutputAndNoOverwritingInputs() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try runDSLR(["develop", rawFixture("linear.dng"), "-o", folder + "/linear.tif"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try photoInfo(folder + "/linear.tif") == PhotoInfo(width: 32, height: 24, bands: 3, bitDepth: 16, format: .tiff))
        let input = folder + "/shot.tif"
        try FileManager.default.copyItem(atPath: rawFixture("rggb.dng"), toPath: input)
        let refused = try runDSLR(["develop", input, "-o", input], in: folder)
        #expect(refused.status == 2)
        #expect(refused.errorLines == ["Error: \(input) is an input; refusing to overwrite it with the result of \(input)"], "\(refused.stderr)")
    }
}

private extension Array where Element: Equatable {
    func isSubsequence(of other: [Element]) -> Bool {
        guard !isEmpty, count <= other.count else { return isEmpty }
        return (0...(other.count - count)).contains { Array(other[$0..<($0 + count)]) == self }
    }
}
