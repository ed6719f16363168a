import DSLRTensor
import Foundation
import Testing

@testable import DSLRImport
@testable import DSLRModels

/// Writes a checkpoint V2 index (one data block, LevelDB layout) holding `entries`, so that
/// a test can state any offset, size or dtype an attacker could.
enum TFIndexWriter {
    struct Entry {
        var name: String
        var dtype: Int
        var shape: [Int]
        var shard = 0
        var offset: UInt64
        var size: UInt64
        var maskedCRC32C: UInt32
    }

    static func varint(_ v: UInt64) -> [UInt8] {
        var v = v, out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        return out + [UInt8(v)]
    }

    static func field(_ n: Int, _ v: UInt64) -> [UInt8] { varint(UInt64(n << 3)) + varint(v) }
    static func field(_ n: Int, bytes: [UInt8]) -> [UInt8] { varint(UInt64(n << 3 | 2)) + varint(UInt64(bytes.count)) + bytes }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    static func proto(_ e: Entry) -> [UInt8] {
        let shape = e.shape.flatMap { field(2, bytes: field(1, UInt64($0))) }
        return field(1, UInt64(e.dtype)) + field(2, bytes: shape) + field(3, UInt64(e.shard)) + field(4, e.offset)
            + field(5, e.size) + [UInt8(6 << 3 | 5)] + le32(e.maskedCRC32C)
    }

    /// A block of `pairs` (keys already sorted) with its trailer; appended to `file`.
    static func block(_ pairs: [([UInt8], [UInt8])], to file: inout [UInt8]) -> (offset: Int, size: Int) {
        var body: [UInt8] = []
        for (key, value) in pairs { body += varint(0) + varint(UInt64(key.count)) + varint(UInt64(value.count)) + key + value }
        body += le32(0) + le32(1)
        let offset = file.count
        file += body + [0] + le32(CRC32C.mask(CRC32C.checksum(body + [0])))
        return (offset, body.count)
    }

    static func write(prefix: String, shards: Int, entries: [Entry]) throws {
        let header = field(1, UInt64(shards))
        var pairs: [([UInt8], [UInt8])] = [([], header)]
        pairs += entries.sorted { $0.name < $1.name }.map { (Array($0.name.utf8), proto($0)) }
        var file: [UInt8] = []
        let data = block(pairs, to: &file)
        let meta = block([], to: &file)
        let index = block([(pairs.last!.0 + [0xFF], varint(UInt64(data.offset)) + varint(UInt64(data.size)))], to: &file)
        var footer = varint(UInt64(meta.offset)) + varint(UInt64(meta.size)) + varint(UInt64(index.offset)) + varint(UInt64(index.size))
        footer += [UInt8](repeating: 0, count: 40 - footer.count)
        footer += (0..<8).map { UInt8(truncatingIfNeeded: SSTable.magic >> (8 * UInt64($0))) }
        try Data(file + footer).write(to: URL(fileURLWithPath: prefix + ".index"))
    }
}

private func temporaryPrefix() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tf-hostile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("model").path
}

/// Issue 19: an offset near Int.max trapped while the error message was built.
@Test func aTensorOffsetNearIntMaxIsRefusedNamingTheShard() throws {
    let prefix = try temporaryPrefix()
    try Data([0, 0, 128, 63]).write(to: URL(fileURLWithPath: prefix + ".data-00000-of-00001"))
    try TFIndexWriter.write(prefix: prefix, shards: 1, entries: [
        .init(name: "x", dtype: 1, shape: [1], offset: UInt64(Int64.max), size: 4, maskedCRC32C: 0),
    ])
    let checkpoint = try TFCheckpoint(prefix: prefix)
    let error = try #require(throws: TFCheckpointError.self) { try checkpoint.tensor(named: "x") }
    #expect(error.kind == .truncated)
    #expect(error.description == "\(prefix).data-00000-of-00001: tensor 'x' needs 4 bytes at offset \(Int64.max) but the file is 4 bytes")
}

/// Issue 19: a weight stored as int32 (a flipped dtype byte) was converted to floats near
/// 1e9 and imported with exit 0.
@Test func anIntegerVariableIsNotImportedAsWeights() throws {
    let fixture = try TFCheckpoint(prefix: DPEDFixture.prefix("dped_tf", "dped_generator"))
    let prefix = try temporaryPrefix()
    for shard in 0..<fixture.shardCount {
        try FileManager.default.copyItem(atPath: fixture.shardPath(shard), toPath: prefix + String(fixture.shardPath(shard).dropFirst(fixture.prefix.count)))
    }
    func entries(int32: String?) -> [TFIndexWriter.Entry] {
        fixture.entries.values.map { e in
            TFIndexWriter.Entry(name: e.name, dtype: e.name == int32 ? TFDataType.int32.rawValue : e.dtype.rawValue,
                                shape: e.shape, shard: e.shard, offset: UInt64(e.offset), size: UInt64(e.size), maskedCRC32C: e.maskedCRC32C)
        }
    }
    try TFIndexWriter.write(prefix: prefix, shards: fixture.shardCount, entries: entries(int32: "generator/W1"))
    let error = try #require(throws: TFCheckpointError.self) { try importDPEDGenerator(fromTFCheckpoint: prefix) }
    #expect(error.description == "\(prefix).index: tensor 'generator/W1' has dtype int32, but weights must be floating point")
    // The rewritten index alone is sound: with every dtype kept it imports.
    try TFIndexWriter.write(prefix: prefix, shards: fixture.shardCount, entries: entries(int32: nil))
    _ = try importDPEDGenerator(fromTFCheckpoint: prefix)
}
