// libFuzzer entry point for the MAT-file reader (scripts/fuzz.sh compiles it with
// Sources/DSLRImport/MAT*.swift as one module). Any input must end in a result or a
// MATError: a trap, an overflow or an AddressSanitizer report is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func matFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = try? MATFile.parse(bytes, path: "fuzz.mat", include: nil)
    // Skipping parts takes its own path through the parser.
    _ = try? MATFile.parse(bytes, path: "fuzz.mat") { $0.count < 2 }
    return 0
}
