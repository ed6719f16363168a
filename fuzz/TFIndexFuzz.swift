// libFuzzer entry point for the TensorFlow checkpoint index (scripts/fuzz.sh compiles it with
// the index reader's sources as one module): the LevelDB table, then the bundle header or
// entry protobuf of every key, as `TFCheckpoint` reads them. Any input must end in a result
// or a TFCheckpointError: a trap, an overflow or an AddressSanitizer report is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func tfIndexFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    guard let entries = try? SSTable.entries(of: bytes, file: "fuzz.index") else { return 0 }
    for (key, value) in entries {
        if key.isEmpty { _ = try? BundleHeader(parsing: value) } else { _ = try? BundleEntry(parsing: value) }
    }
    return 0
}
