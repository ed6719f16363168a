import Foundation
import Testing

/// A checkpoint prefix among DSLRModelsTests' fixtures (scripts/fixtures/make_ppcn_fixture.py).
private func modelsFixture(_ path: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DSLRModelsTests/Fixtures/\(path)").path
}

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
