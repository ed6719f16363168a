import CRaw
import DSLRPhoto
import Foundation
import Testing

@testable import DSLRRaw

/// The child process every RAW header is first read in (issue 19: Debian's LibRaw 0.20
/// aborts on some crafted headers): a crash or a hang there is reported for the file, and
/// the process that asked lives on.
@Suite struct LibRawProbeTests {
    @Test func aCrashOrHangInTheChildIsReportedAndTheParentLives() {
        #expect(cr_in_child({ _ in }, "x", 5_000) == 0)
        #expect(cr_in_child({ _ in abort() }, "x", 5_000) == SIGABRT)
        #expect(cr_in_child({ _ in raise(SIGSEGV) }, "x", 5_000) == SIGSEGV)
        let start = Date()
        #expect(cr_in_child({ _ in while true { sleep(1) } }, "x", 300) == -1)
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test func probeOutcomesBecomeOneLineErrors() throws {
        try LibRawFile.check(probe: 0, path: "a.dng")
        let crashed = #expect(throws: PhotoError.self) { try LibRawFile.check(probe: SIGABRT, path: "a.dng") }
        #expect(crashed?.description == "a.dng: LibRaw crashed reading its header (Aborted), a bug in LibRaw that this file triggers; refused")
        let hung = #expect(throws: PhotoError.self) { try LibRawFile.check(probe: -1, path: "a.dng") }
        #expect(hung?.description == "a.dng: LibRaw did not finish reading its header in 10 s; refused")
    }

    /// The `raw` fuzz target's find: a 575-byte file on which Debian's LibRaw 0.20.2 overflows
    /// a buffer while identifying it and glibc aborts. Without the probe this test process
    /// would die here; with it the file gets one line and decoding never starts.
    @Test func theFileThatAbortsLibRawIsRefused() throws {
        let file = try #require(Bundle.module.url(forResource: "Fixtures/fuzz-libraw-crash", withExtension: "dng"))
        let refused = #expect(throws: PhotoError.self) { try readRaw(file.path) }
        #expect(refused?.description == "\(file.path): LibRaw crashed reading its header (Aborted), a bug in LibRaw that this file triggers; refused")
    }

    /// A real file goes through the probe and opens as before.
    @Test func aGoodFilePassesTheProbe() throws {
        let dng = try #require(Bundle.module.url(forResource: "Fixtures/rggb", withExtension: "dng"))
        try LibRawFile.probe(dng.path)
        #expect(try LibRawFile(dng.path).info.width > 0)
    }
}
