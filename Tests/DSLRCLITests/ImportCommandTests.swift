import DSLRPhoto
import Foundation
import Testing

@Suite(.serialized, .enabled(if: dslr != nil, "dslr is not built beside the tests"))
struct ImportCommandTests {
    @Test func ppcnCheckpointImportsAndEnhances() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let weights = folder + "/student.safetensors"
        let imported = try runDSLR(["import", "ppcn-tf", modelsFixture("ppcn_tf/student_train"), "-o", weights], in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("ppcn-student, 2715 parameters") && imported.stdout.contains("scope generator_s"),
                "\(imported.stdout)")
        try writeSmallPhoto(folder + "/a.png")
        let enhanced = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/out.png", "--model", weights], in: folder)
        #expect(enhanced.status == 0, "\(enhanced.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder + "/out.png"))
    }

    @Test func otherCheckpointsAreRefusedInOneLine() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let prefix = modelsFixture("dped_tf/dped_generator")
        let outcome = try runDSLR(["import", "ppcn-tf", prefix, "-o", folder + "/x.safetensors"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.errorLines.count == 1, "\(outcome.stderr)")
        #expect(outcome.errorLines.first?.hasPrefix("Error: \(prefix): not a PPCN checkpoint") == true, "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.safetensors"))
    }
}

@Suite(.serialized, .enabled(if: dslr != nil, "dslr is not built beside the tests"))
struct UpscaleCommandTests {
    @Test func withoutAnX4ModelTheErrorSaysHowToGetOne() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeSmallPhoto(folder + "/a.png")
        let outcome = try runDSLR(["upscale", folder + "/a.png", "-o", folder + "/out.png"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.errorLines.count == 1, "\(outcome.stderr)")
        #expect(outcome.errorLines.first?.contains("no ×4 super-resolution model is installed") == true
                && outcome.errorLines.first?.contains("dslr import ppcn-tf") == true, "\(outcome.stderr)")
    }

    @Test func anImportedPPCNModelEnlargesFourTimesAndEnhancersAreRefused() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Imported into the user's model folder, it is the default upscaler.
        let imported = try runDSLR(["import", "ppcn-tf", modelsFixture("ppcn_tf/sr"), "-o", folder + "/models/ppcn-sr.safetensors"], in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        try writeSmallPhoto(folder + "/a.png", width: 22, height: 13)
        try writeSmallPhoto(folder + "/b.png")
        try Data("not a photo".utf8).write(to: URL(fileURLWithPath: folder + "/c.png"))
        let outcome = try runDSLR(["upscale", folder + "/a.png", folder + "/b.png", folder + "/c.png", "-o", folder + "/out"], in: folder)
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(try readPhoto(folder + "/out/a.png").pixels.shape == [3, 52, 88])
        #expect(try readPhoto(folder + "/out/b.png").pixels.shape == [3, 64, 96])
        #expect(outcome.stderr.contains("c.png") && outcome.stderr.contains("upscaled 2 of 3 photos"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/out/c.png"))
        let enhancer = try runDSLR(["upscale", folder + "/a.png", "-o", folder + "/x.png", "--model", "dslrkit-default"], in: folder)
        #expect(enhancer.status != 0)
        #expect(enhancer.stderr.contains("enlarges ×1, not ×4"), "\(enhancer.stderr)")
    }
}
