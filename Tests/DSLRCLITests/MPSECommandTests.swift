import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

/// `dslr enhance --pipeline mpse`, run as a user runs it.
@Suite(.enabled(if: dslr != nil, "dslr is not built beside the tests"))
struct MPSECommandTests {
    /// DSLRPhotoTests' photo with EXIF (camera "Fixture camera") and orientation 6.
    let photo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DSLRPhotoTests/Fixtures/orient6.jpg").path

    @Test func threePhasesWriteThePhotoAtItsSizeWithItsEXIF() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let references = folder + "/references"
        try FileManager.default.createDirectory(atPath: references, withIntermediateDirectories: true)
        try writeSmallPhoto(references + "/a.png", width: 40, height: 30)
        try writeSmallPhoto(references + "/b.jpg", width: 32, height: 32)
        let output = folder + "/out.jpg"
        let outcome = try runDSLR(
            ["enhance", photo, "-o", output, "--pipeline", "mpse", "--references", references,
             "--iterations", "4", "--working-size", "32"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.errorLines.contains { $0.hasPrefix("mpse: phase 2 features: VGG-19 ") }, "\(outcome.stderr)")
        #expect(outcome.errorLines.contains { $0.hasPrefix("enhancing 1 photo with MPSE phases 1,2,3 (phase 1: ") }, "\(outcome.stderr)")
        #expect(outcome.errorLines.contains { $0.hasPrefix("\(photo): reference \(references)/") }, "\(outcome.stderr)")
        #expect(outcome.errorLines.contains { $0.hasPrefix("\(photo): phase 2 step 4/4: ") }, "\(outcome.stderr)")
        let input = try readPhoto(photo), result = try readPhoto(output)
        #expect(result.width == input.width && result.height == input.height)
        let exif = try #require(result.metadata.exif)
        #expect(String(decoding: exif, as: UTF8.self).contains("Fixture camera"))
        #expect(try (result.pixels - input.pixels).abs().mean().item() > 0.01)
    }

    @Test func phaseTwoNeedsReferences() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try runDSLR(["enhance", photo, "-o", folder + "/out.jpg", "--pipeline", "mpse"], in: folder)
        #expect(outcome.status == 2)
        #expect(outcome.errorLines.first == "Error: --pipeline mpse with phase 2 needs --references DIR", "\(outcome.stderr)")
        // Phase 3 alone needs none.
        let alone = try runDSLR(["enhance", photo, "-o", folder + "/out.jpg", "--pipeline", "mpse", "--phases", "3"], in: folder)
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(alone.errorLines.first == "enhancing 1 photo with MPSE phases 3", "\(alone.stderr)")
    }

    @Test func anEmptyReferenceFolderIsOneLine() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try runDSLR(
            ["enhance", photo, "-o", folder + "/out.jpg", "--pipeline", "mpse", "--references", folder + "/none"], in: folder)
        #expect(outcome.status != 0)
        #expect(outcome.errorLines.last?.contains("\(folder)/none: no such folder of reference photos") == true, "\(outcome.stderr)")
    }
}
