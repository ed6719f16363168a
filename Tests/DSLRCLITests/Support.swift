import DSLRPhoto
import DSLRTensor
import Foundation

/// The built dslr executable beside the test bundle (swift build --build-tests builds both).
let dslr: URL? = {
    let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [folder, folder.deletingLastPathComponent()].map { $0.appendingPathComponent("dslr") }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// What a run of `dslr` left behind.
struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Non-empty lines of standard error.
    var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// A fresh folder, removed by the caller.
func scratchFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dslr-cli-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs `dslr arguments` with an empty user model folder (so only built-in models are
/// known) and its output in files, which cannot fill up like a pipe. A run still going after
/// `timeout` seconds is killed and reported as status 137 with "(killed: ...)" in stderr,
/// so that a hang fails its test instead of the suite.
func runDSLR(_ arguments: [String], in folder: String, timeout: TimeInterval = 600) throws -> Outcome {
    guard let dslr else { throw TorchError("dslr is not built beside the tests") }
    let models = folder + "/models", out = folder + "/stdout.txt", err = folder + "/stderr.txt"
    try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    let process = Process()
    (process.executableURL, process.arguments) = (dslr, arguments)
    process.environment = ProcessInfo.processInfo.environment.merging(["DSLRKIT_MODELS": models]) { $1 }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    let hung = process.isRunning
    if hung { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return Outcome(status: hung ? 137 : process.terminationStatus,
                   stdout: try String(contentsOfFile: out, encoding: .utf8),
                   stderr: try String(contentsOfFile: err, encoding: .utf8) + (hung ? "(killed: still running after \(timeout) s)\n" : ""))
}

/// A small photo with some texture, so that enhancing it does real work.
func writeSmallPhoto(_ path: String, width: Int = 24, height: Int = 16) throws {
    Torch.manualSeed(UInt64(path.utf8.count))
    try writePhoto(Photo(pixels: try Tensor.rand([3, height, width])), to: path)
}

/// A checkpoint prefix among DSLRModelsTests' fixtures (scripts/fixtures/make_ppcn_fixture.py).
func modelsFixture(_ path: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DSLRModelsTests/Fixtures/\(path)").path
}
