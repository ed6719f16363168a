import DSLRNN
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

/// A file of DSLRImportTests' PyTorch fixtures (scripts/fixtures/make_torch_fixture.py).
private func torchFixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DSLRImportTests/Fixtures/torch/\(name)").path
}

@Suite(.serialized, .enabled(if: dslr != nil, "dslr is not built beside the tests"))
struct ImportTorchCommandTests {
    static let twin = ["--arch", "dslrkit-compact", "--option", "width=4", "--option", "dilations=1,2"]

    @Test func aStateDictImportsExactlyAndEnhances() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let weights = folder + "/twin.safetensors"
        let imported = try runDSLR(["import", "torch", torchFixture("compact.pth"), "-o", weights] + Self.twin, in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("dslrkit-compact, 13 tensors (670 parameters)")
                && imported.stdout.contains("(state dict under 'state_dict')"), "\(imported.stdout)")
        let (written, metadata) = try Checkpoint.load(URL(fileURLWithPath: weights))
        let expected = Dictionary(uniqueKeysWithValues: try Checkpoint.load(URL(fileURLWithPath: torchFixture("compact_expected.safetensors"))).tensors)
        #expect(written.count == 13)
        for (name, tensor) in written {
            #expect(try tensor.bytes() == expected[name]?.bytes(), "\(name)")
        }
        #expect(metadata["dslrkit.architecture"] == "dslrkit-compact")
        #expect(metadata["dslrkit.options"] == #"{"dilations":"1,2","width":4}"#)
        try writeSmallPhoto(folder + "/a.png")
        let enhanced = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/out.png", "--model", weights], in: folder)
        #expect(enhanced.status == 0, "\(enhanced.stderr)")
        #expect(try readPhoto(folder + "/out.png").pixels.shape == [3, 16, 24])
    }

    @Test func aMismatchIsReportedByNameAndNothingIsWritten() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = torchFixture("compact_wrong.pth")
        let outcome = try runDSLR(["import", "torch", file, "-o", folder + "/x.safetensors"] + Self.twin, in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.errorLines == [
            #"Error: \#(file) does not fit dslrkit-compact {"dilations":"1,2","width":4}: 1 missing, 1 unexpected, 1 mis-shaped"#,
            "  missing (1): conv_out.bias [6]",
            "  unexpected (1): head.weight [2, 2]",
            "  mis-shaped (1): conv_in.weight (network [4, 3, 3, 3], file [4, 3, 5, 5])",
        ], "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.safetensors"))
    }

    @Test func dataParallelsPrefixIsSuggestedThenStripped() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let arguments = ["import", "torch", torchFixture("compact_dataparallel.pth"), "-o", folder + "/x.safetensors"] + Self.twin
        let refused = try runDSLR(arguments, in: folder)
        #expect(refused.status == 1)
        #expect(refused.errorLines.last == "  every name in the file starts with 'module.': strip it (--strip-prefix module.)", "\(refused.stderr)")
        let imported = try runDSLR(arguments + ["--strip-prefix", "module."], in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder + "/x.safetensors"))
    }

    @Test func aMaliciousPickleIsRefusedInOneLineAndNeverRuns() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pwned = "/tmp/dslrkit-torch-fixture-pwned"
        try? FileManager.default.removeItem(atPath: pwned)
        let file = torchFixture("malicious.pth")
        let outcome = try runDSLR(["import", "torch", file, "-o", folder + "/x.safetensors", "--arch", "dslrkit-compact"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.errorLines.count == 1, "\(outcome.stderr)")
        #expect(outcome.errorLines.first?.hasPrefix("Error: \(file): malicious/data.pkl at byte 180: refuses the global posix.system;") == true,
                "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: pwned))
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.safetensors"))
    }

    @Test func theInputIsNeverTheOutput() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let copy = folder + "/compact.pth"
        try FileManager.default.copyItem(atPath: torchFixture("compact.pth"), toPath: copy)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        let outcome = try runDSLR(["import", "torch", copy, "-o", folder + "/./compact.pth"] + Self.twin, in: folder)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("is the checkpoint being read"), "\(outcome.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
    }
}

/// Issue 19: `import dped-tf CK -o CK.index` and `import vgg f.mat -o f.mat` wrote the result
/// over the file being read.
@Suite struct ImportOutputIsNeverAnInputTests {
    @Test func aTensorFlowCheckpointsFilesAreNeverTheOutput() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        var before: [String: Data] = [:]
        for suffix in [".index", ".data-00000-of-00001"] {
            let copy = folder + "/CK" + suffix
            try FileManager.default.copyItem(atPath: modelsFixture("dped_tf/dped_generator") + suffix, toPath: copy)
            before[copy] = try Data(contentsOf: URL(fileURLWithPath: copy))
        }
        let attempts = [
            ("dped-tf", folder + "/CK", folder + "/CK.index", folder + "/CK.index"),
            ("dped-tf", folder + "/CK.index", folder + "/sub/../CK.data-00000-of-00001", folder + "/CK.data-00000-of-00001"),
            ("ppcn-tf", folder + "/CK", folder + "/./CK.index", folder + "/CK.index"),
        ]
        for (command, prefix, output, input) in attempts {
            let outcome = try runDSLR(["import", command, prefix, "-o", output], in: folder)
            #expect(outcome.status == 2, "\(command) -o \(output): \(outcome.stderr)")
            #expect(outcome.errorLines.first == "Error: -o \(output) is a file of the checkpoint being read (\(input)); write elsewhere", "\(outcome.stderr)")
        }
        for (path, data) in before { #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == data, "\(path) changed") }
        // Elsewhere, the same import works.
        let fine = try runDSLR(["import", "dped-tf", folder + "/CK", "-o", folder + "/sub/CK.safetensors"], in: folder)
        #expect(fine.status == 0, "\(fine.stderr)")
    }

    @Test func theMATFileIsNeverTheOutput() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let copy = folder + "/f.mat"
        try FileManager.default.copyItem(atPath: modelsFixture("vgg19_tiny.mat"), toPath: copy)
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.mat", withDestinationPath: copy)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        for output in [copy, folder + "/link.mat"] {
            let outcome = try runDSLR(["import", "vgg", copy, "-o", output], in: folder)
            #expect(outcome.status == 2, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("-o \(output) is the weights being read (\(copy)); write elsewhere"), "\(outcome.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
    }
}
