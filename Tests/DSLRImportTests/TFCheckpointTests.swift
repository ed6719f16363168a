import DSLRTensor
import Foundation
import Testing
@testable import DSLRImport

/// The prefix of a checkpoint written by scripts/fixtures/make_dped_fixture.py.
func fixturePrefix(_ name: String) throws -> String {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)/\(name).index", withExtension: nil) else {
        throw TFCheckpointError(.missingFile, file: name, "fixture is missing")
    }
    return String(url.path.dropLast(".index".count))
}

/// tf_dtypes holds one variable per dtype, on two devices, so saved in two shards; the values
/// are the literals of the fixture script.
@Test func readsEveryNumericDTypeAcrossTwoShards() throws {
    let checkpoint = try TFCheckpoint(prefix: fixturePrefix("tf_dtypes"))
    #expect(checkpoint.shardCount == 2)
    #expect(checkpoint.names == [
        "counters/bytes", "counters/label", "counters/mask", "counters/steps", "counters/total",
        "layer/half", "layer/kernel", "layer/scale",
    ])
    #expect(Set(checkpoint.entries.values.map(\.shard)) == [0, 1])
    #expect(checkpoint.entries["layer/kernel"]?.shard != checkpoint.entries["counters/steps"]?.shard)

    let kernel = try checkpoint.tensor(named: "layer/kernel")
    #expect(kernel.dtype == .float32 && kernel.shape == [3, 3, 2, 4])
    #expect(try kernel.toArray(Float.self) == (0..<72).map { (Float($0) - 30) * 0.25 })
    let scale = try checkpoint.tensor(named: "layer/scale")
    #expect(scale.dtype == .float64)
    #expect(try scale.toArray(Double.self) == [0.1, -1e300])
    let half = try checkpoint.tensor(named: "layer/half")
    #expect(half.dtype == .float16)
    #expect(try half.toArray(Float.self) == [1.5, -2, 65504])
    let steps = try checkpoint.tensor(named: "counters/steps")
    #expect(steps.dtype == .int32)
    #expect(try steps.toArray(Int32.self) == [-1, 0, .max])
    let total = try checkpoint.tensor(named: "counters/total")
    #expect(total.dtype == .int64 && total.shape == [])
    #expect(try total.toArray(Int64.self) == [1 << 40 + 7])
    #expect(try checkpoint.tensor(named: "counters/mask").toArray(Bool.self) == [true, false, false, true])
    #expect(try checkpoint.tensor(named: "counters/bytes").toArray(UInt8.self) == [0, 255, 7])
}

@Test func stringsAndUnknownNamesAreRefusedByName() throws {
    let prefix = try fixturePrefix("tf_dtypes")
    let checkpoint = try TFCheckpoint(prefix: prefix)
    #expect(checkpoint.entries["counters/label"]?.dtype == .string)
    let error = try #require(throws: TFCheckpointError.self) { try checkpoint.tensor(named: "counters/label") }
    #expect(error.kind == .unsupported)
    #expect(error.description == "\(prefix).index: tensor 'counters/label' has dtype string (DataType 7), which cannot be read as a numeric tensor")
    let unknown = try #require(throws: TFCheckpointError.self) { try checkpoint.tensor(named: "layer/bias") }
    #expect(unknown.kind == .unknownTensor && unknown.description.contains("'layer/bias'"))
}

@Test func acceptsThePathOfTheIndexFile() throws {
    let prefix = try fixturePrefix("tf_dtypes")
    let checkpoint = try TFCheckpoint(prefix: prefix + ".index")
    #expect(checkpoint.prefix == prefix)
    #expect(checkpoint.shardPath(1) == prefix + ".data-00001-of-00002")
}

/// The standard check value of CRC-32C and LevelDB's masking.
@Test func crc32cMatchesTheCastagnoliCheckValue() {
    #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    #expect(CRC32C.checksum([]) == 0)
    let crc = CRC32C.checksum(Array("123456789".utf8))
    #expect(CRC32C.mask(crc) != crc && CRC32C.unmask(CRC32C.mask(crc)) == crc)
    // Extending equals checksumming the concatenation.
    #expect(CRC32C.checksum(Array("6789".utf8), extending: CRC32C.checksum(Array("12345".utf8))) == crc)
    // The 8-byte fast path agrees with byte-at-a-time at every length and alignment.
    let data = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    for length in [0, 1, 7, 8, 9, 16, 63, 100] {
        let bytewise = data.prefix(length).reduce(UInt32(0)) { CRC32C.checksum([$1], extending: $0) }
        #expect(CRC32C.checksum(Array(data.prefix(length))) == bytewise, "length \(length)")
    }
}
