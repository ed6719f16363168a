import Foundation
import Testing

/// Careless command lines from issue 19: each gets a one-line reason and the right exit code.
@Suite(.serialized, .enabled(if: dslr != nil, "dslr is not built beside the tests"))
struct CarelessInputTests {
    @Test func nonsenseNumbersAndPathsAreRefusedWithOneLine() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "name: x\n".write(toFile: folder + "/x.yaml", atomically: true, encoding: .utf8)
        try writeSmallPhoto(folder + "/a.png")
        let cases: [([String], Int32, String)] = [
            (["train", folder + "/x.yaml", "-o", folder + "/run", "--nproc", "0"], 2, "Error: --nproc must be 1...1024"),
            (["train", "--resume", folder + "/a.png"], 2,
             "Error: --resume \(folder)/a.png: is a file, not a run folder (the folder dslr train -o wrote)"),
            (["train", folder, "-o", folder + "/run"], 1, "error: \(folder): is a folder, not a recipe (a YAML file)"),
            (["train", folder + "/none.yaml", "-o", folder + "/run"], 1, "error: \(folder)/none.yaml: no such recipe file"),
            (["data", "align", folder, folder, "-o", folder + "/out", "--min-score", "nan"], 2, "Error: --min-score must be in -1...1"),
        ]
        for (arguments, status, line) in cases {
            let outcome = try runDSLR(arguments, in: folder)
            #expect(outcome.status == status, "\(arguments): \(outcome.stderr)")
            #expect(outcome.errorLines.first == line, "\(arguments): \(outcome.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/run"))
    }

    /// Outputs that cannot be written (a folder that cannot be made, a report beside no
    /// writable folder) get one line naming the path and the system's reason, not a
    /// Foundation error dump, and exit 1.
    @Test func unwritableOutputsGetOneLine() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeSmallPhoto(folder + "/a.png")
        let photo = try runDSLR(["enhance", folder + "/a.png", "-o", "/proc/self/dslr-x/b.png", "--model", "classic"], in: folder)
        #expect(photo.status == 1)
        #expect(photo.errorLines.contains("error: \(folder)/a.png: /proc/self/dslr-x: cannot create this folder: No such file or directory"),
                "\(photo.stderr)")
        let report = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/b.png", "--model", "classic",
                                  "--report", "/proc/self/r.html"], in: folder)
        #expect(report.status == 1)
        #expect(report.errorLines.last == "Error: /proc/self/r.html: cannot create a temporary file in /proc/self: No such file or directory",
                "\(report.stderr)")
        for outcome in [photo, report] { #expect(!outcome.stderr.contains("NSCocoaErrorDomain"), "\(outcome.stderr)") }
    }

    /// Every reader refuses a FIFO or a device by name at once: opening a FIFO used to wait for
    /// a writer forever (imports, `--model`), and a recipe on /dev/zero said "permission".
    @Test func fifosAndDevicesAreRefusedWithoutWaiting() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeSmallPhoto(folder + "/a.png")
        for name in ["pipe", "pipe.safetensors", "ck.index"] { #expect(mkfifo(folder + "/" + name, 0o600) == 0) }
        let cases: [([String], String)] = [
            (["train", folder + "/pipe", "-o", folder + "/run"], "error: \(folder)/pipe: is a FIFO (named pipe), not a regular file"),
            (["train", "/dev/zero", "-o", folder + "/run"], "error: /dev/zero: is a device, not a regular file"),
            (["import", "torch", folder + "/pipe", "--arch", "dslrkit-compact", "-o", folder + "/t.safetensors"],
             "Error: \(folder)/pipe: not a regular file"),
            (["import", "vgg", folder + "/pipe", "-o", folder + "/v.safetensors"],
             "Error: \(folder)/pipe: neither a MAT-file nor a readable safetensors file (\(folder)/pipe: not a regular file)"),
            (["import", "dped-tf", folder + "/ck", "-o", folder + "/d.safetensors"],
             "Error: \(folder)/ck.index: is a FIFO (named pipe), not a regular file"),
            (["enhance", folder + "/a.png", "-o", folder + "/b.png", "--model", folder + "/pipe.safetensors"],
             "Error: \(folder)/pipe.safetensors: not a readable safetensors weights file (\(folder)/pipe.safetensors: not a regular file)"),
        ]
        for (arguments, line) in cases {
            let outcome = try runDSLR(arguments, in: folder, timeout: 30)
            #expect(outcome.status == 1, "\(arguments): \(outcome.stderr)")
            #expect(outcome.errorLines.last == line, "\(arguments): \(outcome.stderr)")
        }
    }

    /// A name that fits the 255-byte limit is written, though the temporary name beside it is longer than the name.
    @Test func aLongButValidOutputNameIsWritten() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeSmallPhoto(folder + "/a.png")
        let name = String(repeating: "n", count: 250) + ".png"
        let outcome = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/" + name, "--model", "classic"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder + "/" + name))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }
}

/// Model files the registry does not offer say why, in `dslr models list` and when named.
@Suite(.serialized, .enabled(if: dslr != nil, "dslr is not built beside the tests"))
struct SkippedModelTests {
    @Test func unreadableAndHiddenModelFilesAreReported() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeSmallPhoto(folder + "/a.png")
        let models = folder + "/models"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        try "not weights".write(toFile: models + "/broken.safetensors", atomically: true, encoding: .utf8)
        // A copy of a built-in model keeps its card's name, so it is hidden behind the original.
        let embedded = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/DSLREnhance/Models/dslrkit-default.safetensors").path
        try FileManager.default.copyItem(atPath: embedded, toPath: models + "/mine.safetensors")
        let named = try runDSLR(["enhance", folder + "/a.png", "-o", folder + "/b.png", "--model", "broken"], in: folder)
        #expect(named.status == 1)
        #expect(named.errorLines.count == 1, "\(named.stderr)")
        #expect(named.errorLines.first?.contains("unknown model 'broken'") == true)
        #expect(named.errorLines.first?.contains("\(models)/broken.safetensors: not a readable safetensors weights file") == true,
                "\(named.stderr)")
        let plain = try runDSLR(["models", "list"], in: folder)
        #expect(plain.errorLines.contains { $0.hasPrefix("skipped: \(models)/broken.safetensors: not a readable") }, "\(plain.stderr)")
        #expect(plain.errorLines.contains { $0.hasPrefix("skipped: \(models)/mine.safetensors: hidden: its model name 'dslrkit-default' is taken by ") },
                "\(plain.stderr)")
    }
}
