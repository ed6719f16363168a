import DSLRPhoto
import Foundation
import Testing

/// `dslr data sr` then `dslr eval` on its folder, as a user would run them.
@Suite(.serialized, .enabled(if: dslr != nil, "dslr is not built beside the tests"))
struct DataSRCommandTests {
    @Test func pairsAreWrittenAndEvaluatedAgainstBicubic() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/photos", withIntermediateDirectories: true)
        for i in 0..<3 { try writeSmallPhoto(folder + "/photos/p\(i).png", width: 66, height: 42) }
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: folder + "/photos/broken.jpg"))
        let made = try runDSLR(["data", "sr", folder + "/photos", "-o", folder + "/sr", "--test-percent", "50"], in: folder)
        // The broken photo is named on one line and makes the exit code 1; the rest are written.
        #expect(made.status == 1)
        #expect(made.errorLines.filter { $0.contains("broken.jpg") }.count == 1, "\(made.stderr)")
        #expect(made.stdout.contains("training and") && made.stdout.contains("(×4)"), "\(made.stdout)")
        let test = try FileManager.default.contentsOfDirectory(atPath: folder + "/sr/test/input")
        #expect(!test.isEmpty)
        let input = try photoInfo(folder + "/sr/test/input/" + test[0]), target = try photoInfo(folder + "/sr/test/target/" + test[0])
        #expect((input.width, input.height, target.width, target.height) == (16, 10, 64, 40))

        let weights = folder + "/sr.safetensors"
        let imported = try runDSLR(["import", "ppcn-tf", modelsFixture("ppcn_tf/sr"), "-o", weights], in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        let evaluated = try runDSLR(["eval", "--models", weights, "--data", folder + "/sr", "--out", folder + "/eval"], in: folder)
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let table = evaluated.stdout
        #expect(table.contains("psnr_y") && table.contains("identity") && table.contains("sr "), "\(table)")
    }
}
