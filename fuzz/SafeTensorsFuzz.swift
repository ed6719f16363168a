import Foundation

// libFuzzer entry point for the safetensors reader (scripts/fuzz.sh compiles it with
// Sources/SafeTensors/*.swift as one module): header length, JSON, entries, offsets.
@_cdecl("LLVMFuzzerTestOneInput")
public func safeTensorsFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = try? SafeTensorsFile(bytes: Data(bytes: data, count: size), source: "fuzz.safetensors")
    return 0
}
