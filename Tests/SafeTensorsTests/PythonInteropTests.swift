import Foundation
import SafeTensors
import Testing

/// Checks against Fixtures/python_reference.safetensors, written by
/// scripts/fixtures/make_safetensors_fixture.py with the Python `safetensors` package.
/// The formulas here mirror that script; change both together.
@Suite("Python interop")
struct PythonInteropTests {
    static func fixtureURL() throws -> URL {
        try #require(
            Bundle.module.url(forResource: "python_reference", withExtension: "safetensors", subdirectory: "Fixtures"))
    }

    /// (i - 5) * 0.25 as the script writes for every float tensor.
    static func floatValue(_ index: Int) -> Double { Double(index - 5) * 0.25 }

    /// i * 7 - 20, which the script wraps to each integer type's width.
    static func intValue(_ index: Int) -> Int64 { Int64(index * 7 - 20) }

    @Test("the reference file's layout, metadata and every value decode exactly")
    func decodesEveryValue() throws {
        let file = try SafeTensorsFile(contentsOf: try Self.fixtureURL())
        #expect(file.metadata == ["format": "pt", "creator": "dslrkit-fixture"])
        // The Python writer orders by alignment, then name; we report file (offset) order.
        #expect(file.names == ["i64", "f64", "f32", "scalar", "i32", "bf16", "f16", "i16", "i8", "u8", "bool"])

        let expected: [String: (SafeTensorsDType, [Int])] = [
            "f64": (.float64, [2, 3]), "f32": (.float32, [4]), "f16": (.float16, [2, 2, 2]),
            "bf16": (.bfloat16, [3, 2]), "u8": (.uint8, [2, 3]), "i8": (.int8, [5]), "i16": (.int16, [2, 2]),
            "i32": (.int32, [3, 2]), "i64": (.int64, [2, 2, 2]), "bool": (.bool, [7]), "scalar": (.float32, []),
        ]
        for (name, (dtype, shape)) in expected {
            let tensor = try #require(file[name])
            #expect(tensor.dtype == dtype, "\(name)")
            #expect(tensor.shape == shape, "\(name)")
            #expect(tensor.data.count == tensor.elementCount * dtype.byteSize, "\(name)")
        }

        for i in 0..<6 {
            let f64 = try #require(file["f64"]).data
            #expect(Double(bitPattern: littleEndian(f64, index: i, width: 8)) == Self.floatValue(i))
        }
        for i in 0..<4 {
            let bits = UInt32(littleEndian(try #require(file["f32"]).data, index: i, width: 4))
            #expect(Double(Float(bitPattern: bits)) == Self.floatValue(i))
        }
        let scalarBits = UInt32(littleEndian(try #require(file["scalar"]).data, index: 0, width: 4))
        #expect(Float(bitPattern: scalarBits) == -1.25)
        for i in 0..<8 {
            let bits = UInt16(littleEndian(try #require(file["f16"]).data, index: i, width: 2))
            #expect(Double(halfToFloat(bits)) == Self.floatValue(i), "f16[\(i)] bits \(bits)")
        }
        for i in 0..<6 {
            let bits = UInt16(littleEndian(try #require(file["bf16"]).data, index: i, width: 2))
            #expect(Double(bfloat16ToFloat(bits)) == Self.floatValue(i), "bf16[\(i)] bits \(bits)")
        }
        let u8 = [UInt8](try #require(file["u8"]).data)
        #expect(u8 == (0..<6).map { UInt8(truncatingIfNeeded: Self.intValue($0)) })
        let i8 = [UInt8](try #require(file["i8"]).data).map { Int8(bitPattern: $0) }
        #expect(i8 == (0..<5).map { Int8(truncatingIfNeeded: Self.intValue($0)) })
        let i16 = try #require(file["i16"]).data
        #expect((0..<4).map { Int16(bitPattern: UInt16(littleEndian(i16, index: $0, width: 2))) }
            == (0..<4).map { Int16(truncatingIfNeeded: Self.intValue($0)) })
        let i32 = try #require(file["i32"]).data
        #expect((0..<6).map { Int32(bitPattern: UInt32(littleEndian(i32, index: $0, width: 4))) }
            == (0..<6).map { Int32(truncatingIfNeeded: Self.intValue($0)) })
        let i64 = try #require(file["i64"]).data
        #expect((0..<8).map { Int64(bitPattern: littleEndian(i64, index: $0, width: 8)) }
            == (0..<8).map { Self.intValue($0) })
        #expect([UInt8](try #require(file["bool"]).data) == (0..<7).map { $0 % 3 == 0 ? 1 : 0 })
    }

    @Test("our serialisation of the same tensors matches the reference byte for byte where defined")
    func reserialisedMatches() throws {
        let pythonBytes = try Data(contentsOf: try Self.fixtureURL())
        let python = try SafeTensorsFile(bytes: pythonBytes, source: "python_reference.safetensors")
        let ours = try SafeTensorsFile(tensors: python.tensors, metadata: python.metadata).serialized()
        #expect(try SafeTensorsFile(bytes: ours, source: "ours") == python)
        let (pythonHeader, pythonBuffer) = splitFile(pythonBytes)
        let (ourHeader, ourBuffer) = splitFile(ours)
        // Same data buffer and same padded header length. The header text itself may differ only
        // in __metadata__ key order, which the Rust writer takes from a HashMap (random order).
        #expect(ourBuffer == pythonBuffer)
        #expect(ourHeader.utf8.count == pythonHeader.utf8.count)
        #expect(ourHeader.utf8.count % 8 == 0 && pythonHeader.utf8.count % 8 == 0)
        let tensorPart = { (header: String) in header.drop { $0 != "}" }.dropFirst() }
        #expect(tensorPart(ourHeader) == tensorPart(pythonHeader))
    }
}
