// libFuzzer entry point for the PyTorch checkpoint reader (scripts/fuzz.sh compiles it with
// the reader's sources as module DSLRImport, against fuzz/stubs' DSLRTensor): the zip
// container, the unpickler, then every tensor's view checked against its storage and copied.
// The input is read from an exact-size heap copy so AddressSanitizer sees any overread. Any
// input must end in a state dict or a TorchCheckpointError.
@_cdecl("LLVMFuzzerTestOneInput")
public func torchCheckpointFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let mapping = MappedFile(copying: UnsafeRawBufferPointer(start: data, count: size))
    _ = try? TorchCheckpoint(mapping: mapping, file: "fuzz.pth")
    _ = try? TorchCheckpoint(mapping: mapping, file: "fuzz.pth", key: "model")
    return 0
}
