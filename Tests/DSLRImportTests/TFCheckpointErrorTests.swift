import DSLRTensor
import Foundation
import Testing
@testable import DSLRImport

/// Runs `body` on the prefix of a private copy of the tf_dtypes fixture that it may damage.
private func withDamageableCopy(_ body: (String) throws -> Void) throws {
    let source = try fixturePrefix("tf_dtypes")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tfckpt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let prefix = dir.appendingPathComponent("tf_dtypes").path
    for suffix in [".index", ".data-00000-of-00002", ".data-00001-of-00002"] {
        try FileManager.default.copyItem(atPath: source + suffix, toPath: prefix + suffix)
    }
    try body(prefix)
}

private func edit(_ path: String, _ change: (inout [UInt8]) -> Void) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    change(&bytes)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

private func openError(_ prefix: String) throws -> TFCheckpointError {
    try #require(throws: TFCheckpointError.self) { try TFCheckpoint(prefix: prefix) }
}

@Test func missingIndexIsNamed() throws {
    let error = try openError("/nonexistent/dir/model")
    #expect(error.kind == .missingFile)
    #expect(error.description.hasPrefix("/nonexistent/dir/model.index: "))
}

@Test func missingDataShardIsNamed() throws {
    try withDamageableCopy { prefix in
        try FileManager.default.removeItem(atPath: prefix + ".data-00001-of-00002")
        let error = try openError(prefix)
        #expect(error.kind == .missingFile)
        #expect(error.description == "\(prefix).data-00001-of-00002: data shard 1 of the checkpoint is missing")
    }
}

@Test func truncatedIndexIsRefused() throws {
    try withDamageableCopy { prefix in
        try edit(prefix + ".index") { $0 = Array($0.prefix(20)) }
        let error = try openError(prefix)
        #expect(error.kind == .truncated)
        #expect(error.description == "\(prefix).index: is 20 bytes, shorter than the 48-byte table footer")
    }
}

@Test func indexCutBeforeItsEndHasNoMagic() throws {
    try withDamageableCopy { prefix in
        try edit(prefix + ".index") { $0.removeLast(30) }
        let error = try openError(prefix)
        #expect(error.kind == .badMagic)
        #expect(error.description.hasPrefix("\(prefix).index: ") && error.description.contains("not a TensorFlow checkpoint V2 index"))
    }
}

@Test func flippedIndexByteFailsTheBlockChecksum() throws {
    try withDamageableCopy { prefix in
        try edit(prefix + ".index") { $0[12] ^= 0x40 }
        let error = try openError(prefix)
        #expect(error.kind == .checksumMismatch)
        #expect(error.description.hasPrefix("\(prefix).index: data block at offset 0 fails its CRC32C check"))
    }
}

@Test func flippedDataByteFailsTheTensorChecksum() throws {
    try withDamageableCopy { prefix in
        let clean = try TFCheckpoint(prefix: prefix)
        let kernel = try #require(clean.entries["layer/kernel"])
        let shard = clean.shardPath(kernel.shard)
        try edit(shard) { $0[kernel.offset + 5] ^= 0x01 }
        let checkpoint = try TFCheckpoint(prefix: prefix)
        let error = try #require(throws: TFCheckpointError.self) { try checkpoint.tensor(named: "layer/kernel") }
        #expect(error.kind == .checksumMismatch)
        #expect(error.description == "\(shard): tensor 'layer/kernel' fails its CRC32C check: the data is corrupt")
        // The other tensors of the shard are intact and still read.
        #expect(try checkpoint.tensor(named: "layer/scale").toArray(Double.self) == [0.1, -1e300])
    }
}

@Test func truncatedDataShardIsRefused() throws {
    try withDamageableCopy { prefix in
        let checkpoint = try TFCheckpoint(prefix: prefix)
        let kernel = try #require(checkpoint.entries["layer/kernel"])
        let shard = checkpoint.shardPath(kernel.shard)
        try edit(shard) { $0 = Array($0.prefix(kernel.offset + 10)) }
        let error = try #require(throws: TFCheckpointError.self) { try checkpoint.tensor(named: "layer/kernel") }
        #expect(error.kind == .truncated)
        #expect(error.description == "\(shard): tensor 'layer/kernel' needs 288 bytes at offset \(kernel.offset) but the file is \(kernel.offset + 10) bytes")
    }
}

/// TensorFlow writes bundles uncompressed; a Snappy block (type byte 1, with a valid checksum)
/// must be refused as unsupported rather than misread.
@Test func snappyCompressedBlockIsRefused() throws {
    try withDamageableCopy { prefix in
        try edit(prefix + ".index") { bytes in
            // The first data block starts at 0; its trailer is the first type byte 0 followed by a
            // masked CRC that matches the bytes before it.
            let end = (1..<bytes.count - 5).first { n in
                bytes[n] == 0 && CRC32C.unmask(UInt32(bytes[n + 1]) | UInt32(bytes[n + 2]) << 8 | UInt32(bytes[n + 3]) << 16 | UInt32(bytes[n + 4]) << 24)
                    == CRC32C.checksum(Array(bytes[0...n]))
            }!
            bytes[end] = 1
            let crc = CRC32C.mask(CRC32C.checksum(Array(bytes[0...end])))
            for i in 0..<4 { bytes[end + 1 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        }
        let error = try openError(prefix)
        #expect(error.kind == .unsupported)
        #expect(error.description == "\(prefix).index: data block at offset 0 is Snappy-compressed; only uncompressed tables (what TensorFlow writes for checkpoints) are supported")
    }
}
