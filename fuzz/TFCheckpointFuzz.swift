import Foundation

// libFuzzer entry point for a whole TensorFlow checkpoint, index and data shard (scripts/fuzz.sh
// compiles it with the checkpoint reader's sources as module DSLRImport, against fuzz/stubs'
// DSLRTensor). The input is split: a 2-byte little-endian length L, then L bytes of `.index`,
// then the data. The checkpoint is written as files, because the reader opens them itself:
// the data is shard 0 of 1 and both shards of 2. Every variable is then read as a tensor
// and as weights. Any input must end in tensors or a TFCheckpointError.
private let folder: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let path = "\(base)/dslrkit-fuzz-tf-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func tfCheckpointFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 2 else { return 0 }
    let length = min(Int(data[0]) | Int(data[1]) << 8, size - 2)
    let index = Data(bytes: data + 2, count: length)
    let shard = Data(bytes: data + 2 + length, count: size - 2 - length)
    let prefix = folder + "/ck"
    do {
        try index.write(to: URL(fileURLWithPath: prefix + ".index"))
        for name in ["00000-of-00001", "00000-of-00002", "00001-of-00002"] {
            try shard.write(to: URL(fileURLWithPath: "\(prefix).data-\(name)"))
        }
    } catch {
        fatalError("fuzz: cannot write the checkpoint to \(folder): \(error)")
    }
    guard let checkpoint = try? TFCheckpoint(prefix: prefix) else { return 0 }
    for name in checkpoint.names {
        _ = try? checkpoint.tensor(named: name)
        _ = try? checkpoint.floatTensor(named: name)
    }
    return 0
}
