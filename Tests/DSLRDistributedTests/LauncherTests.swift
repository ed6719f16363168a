import DSLRDistributed
import Foundation
import Testing

/// The built dslr executable beside the test bundle (swift build --build-tests builds both).
let dslrExecutable: URL? = {
    let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [folder, folder.deletingLastPathComponent()].map { $0.appendingPathComponent("dslr") }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// Runs launchWorkers with output captured in a file; returns (error, output lines).
func launchCaptured(nproc: Int, _ arguments: [String], executable: URL, stopGrace: TimeInterval = 2) -> ((any Error)?, [String]) {
    let path = storePath("launch-output")
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: path) }
    guard let sink = FileHandle(forWritingAtPath: path) else { return (DistributedError("no output file"), []) }
    var failure: (any Error)?
    do {
        try launchWorkers(nproc: nproc, arguments: arguments, executable: executable, standardOutput: sink, standardError: sink,
            stopGrace: stopGrace)
    } catch {
        failure = error
    }
    try? sink.close()
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    return (failure, text.split(separator: "\n").map(String.init))
}

@Suite struct LauncherTests {
    @Test func workersGetRankWorldSizeAndAPortAndTheirLinesArePrefixed() throws {
        let (error, lines) = launchCaptured(
            nproc: 2, ["-c", "echo \"$RANK/$WORLD_SIZE $MASTER_ADDR $MASTER_PORT\"; printf partial"],
            executable: URL(fileURLWithPath: "/bin/sh"))
        #expect(error == nil)
        for rank in 0..<2 {
            let line = try #require(lines.first { $0.hasPrefix("[rank \(rank)] \(rank)/2 127.0.0.1 ") })
            #expect(Int(line.split(separator: " ").last ?? "") ?? 0 > 0)
            #expect(lines.contains("[rank \(rank)] partial"))
        }
    }

    @Test func aFailingWorkerFailsTheLaunchAndStopsTheOthers() throws {
        let (error, _) = launchCaptured(
            nproc: 2, ["-c", "if [ \"$RANK\" = 1 ]; then sleep 0.2; exit 3; fi; exec sleep 30"], executable: URL(fileURLWithPath: "/bin/sh"),
            stopGrace: 0.3)
        let failure = try #require(error as? DistributedError)
        #expect(failure.message == "worker rank 1 of 2 exited with status 3")
    }

    /// Two real processes over a TCP rendezvous: `dslr ddp-check` under the launcher.
    @Test(.enabled(if: dslrExecutable != nil, "dslr is not built beside the tests"))
    func twoDslrProcessesTrainLikeOne() throws {
        let (error, lines) = launchCaptured(nproc: 2, ["ddp-check", "--batch", "8", "--steps", "5"], executable: dslrExecutable!)
        #expect(error == nil, "\(lines)")
        let report = try #require(lines.first { $0.hasPrefix("[rank 0] ddp-check:") }, "\(lines)")
        let difference = try #require(Double(report.split(separator: " ").last ?? ""))
        print("2 processes: \(report)")
        #expect(difference < 1e-6)
    }
}
