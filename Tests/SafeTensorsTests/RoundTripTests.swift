import Foundation
import SafeTensors
import Testing

/// Deterministic bytes so every comparison is against known content.
func patternBytes(count: Int, seed: Int) -> Data {
    Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7 &+ 1) })
}

/// One tensor per dtype with distinct shapes, plus a zero-element tensor and a scalar, with
/// names that exercise JSON escaping.
func sampleFile() throws -> SafeTensorsFile {
    var tensors: [SafeTensor] = []
    let shapes: [[Int]] = [[2, 3], [4], [2, 2, 2], [3, 1], [5]]
    for (index, dtype) in SafeTensorsDType.allCases.enumerated() {
        let shape = shapes[index % shapes.count]
        let count = shape.reduce(1, *) * dtype.byteSize
        tensors.append(
            try SafeTensor(
                name: "layer.\(index).\(dtype.rawValue)", dtype: dtype, shape: shape,
                data: patternBytes(count: count, seed: index)))
    }
    tensors.append(try SafeTensor(name: "empty", dtype: .float32, shape: [0, 3], data: Data()))
    tensors.append(try SafeTensor(name: "scalar", dtype: .float64, shape: [], data: patternBytes(count: 8, seed: 99)))
    tensors.append(
        try SafeTensor(name: "quote\"back\\slash\nnewline é ✓", dtype: .int8, shape: [1], data: Data([0xFE])))
    let metadata = ["format": "pt", "note": "line1\nline2 \"quoted\" \\ é", "": "empty key"]
    return SafeTensorsFile(tensors: tensors, metadata: metadata)
}

@Suite("Round trip")
struct RoundTripTests {
    @Test("dtype byte sizes match the format")
    func byteSizes() {
        let sizes = Dictionary(uniqueKeysWithValues: SafeTensorsDType.allCases.map { ($0.rawValue, $0.byteSize) })
        #expect(sizes == [
            "BOOL": 1, "U8": 1, "I8": 1, "U16": 2, "I16": 2, "U32": 4, "I32": 4, "U64": 8, "I64": 8,
            "F16": 2, "BF16": 2, "F32": 4, "F64": 8, "F8_E4M3": 1, "F8_E5M2": 1,
        ])
    }

    @Test("every dtype, an empty tensor and a scalar survive serialise + parse exactly")
    func everyDTypeInMemory() throws {
        let original = try sampleFile()
        let parsed = try SafeTensorsFile(bytes: try original.serialized(), source: "memory")
        #expect(parsed.names == original.names)
        #expect(parsed.metadata == original.metadata)
        for tensor in original.tensors {
            let back = try #require(parsed[tensor.name])
            #expect(back.dtype == tensor.dtype)
            #expect(back.shape == tensor.shape)
            #expect(back.data == tensor.data)
            #expect(back.data.startIndex == 0)
            #expect(back.elementCount == tensor.elementCount)
        }
        #expect(parsed["empty"]?.elementCount == 0)
        #expect(parsed["scalar"]?.elementCount == 1)
        #expect(parsed["scalar"]?.shape == [])
        #expect(parsed == original)
        #expect(parsed["missing"] == nil)
    }

    @Test("write(to:) then init(contentsOf:) gives the same file")
    func throughDisk() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        let original = try sampleFile()
        try original.write(to: url)
        let fromDisk = try SafeTensorsFile(contentsOf: url)
        #expect(fromDisk == original)
        #expect(try Data(contentsOf: url) == original.serialized())
    }

    @Test("a file above the mapping threshold reads back and its data can be mutated safely")
    func mappedFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("big.safetensors")
        let big = try SafeTensor(
            name: "big", dtype: .float32, shape: [3, 131_072], data: patternBytes(count: 3 * 131_072 * 4, seed: 5))
        let small = try SafeTensor(name: "small", dtype: .uint8, shape: [3], data: Data([1, 2, 3]))
        let original = SafeTensorsFile(tensors: [big, small], metadata: ["k": "v"])
        try original.write(to: url)

        var copy = try #require(try SafeTensorsFile(contentsOf: url)["big"]).data
        #expect(copy == big.data)
        #expect(copy.startIndex == 0)
        copy[0] ^= 0xFF  // may mutate the mapped buffer in place: must neither fault nor reach the file
        #expect(copy[0] == big.data[0] ^ 0xFF)
        #expect(try SafeTensorsFile(contentsOf: url) == original)
    }

    @Test("SafeTensor rejects bytes that do not match the shape, negative dims and overflow")
    func tensorValidation() throws {
        #expect(throws: SafeTensorsError.byteLengthMismatch(source: "<memory>", name: "x", expected: 8, actual: 7)) {
            try SafeTensor(name: "x", dtype: .float32, shape: [2], data: Data(count: 7))
        }
        #expect(throws: SafeTensorsError.byteLengthMismatch(source: "<memory>", name: "x", expected: nil, actual: 0)) {
            try SafeTensor(name: "x", dtype: .float64, shape: [Int.max / 2, 4], data: Data())
        }
        #expect {
            try SafeTensor(name: "x", dtype: .float32, shape: [-1], data: Data())
        } throws: { ($0 as? SafeTensorsError)?.caseName == "invalidEntry" }
        // Slices are rebased so callers can index from 0.
        let slice = Data([9, 9, 1, 2])[2...]
        let tensor = try SafeTensor(name: "s", dtype: .uint16, shape: [1], data: slice)
        #expect(tensor.data.startIndex == 0)
        #expect(tensor.data == Data([1, 2]))
    }

    @Test("serialising rejects duplicate and reserved names")
    func serialiseRejectsBadNames() throws {
        let a = try SafeTensor(name: "a", dtype: .uint8, shape: [1], data: Data([1]))
        let reserved = try SafeTensor(name: "__metadata__", dtype: .uint8, shape: [1], data: Data([1]))
        #expect { try SafeTensorsFile(tensors: [a, a]).serialized() } throws: {
            ($0 as? SafeTensorsError)?.caseName == "invalidHeader"
        }
        #expect { try SafeTensorsFile(tensors: [reserved]).serialized() } throws: {
            ($0 as? SafeTensorsError)?.caseName == "invalidEntry"
        }
    }
}

@Suite("Determinism")
struct DeterminismTests {
    @Test("serialising twice gives identical bytes, header padded to 8")
    func identicalOutput() throws {
        let file = try sampleFile()
        let first = try file.serialized()
        let second = try file.serialized()
        #expect(first == second)
        // A separately built but equal file (metadata dictionary rebuilt) serialises the same.
        let rebuilt = SafeTensorsFile(tensors: file.tensors, metadata: Dictionary(uniqueKeysWithValues: file.metadata.map { $0 }))
        #expect(try rebuilt.serialized() == first)

        let headerLength = Int(littleEndian(first, index: 0, width: 8))
        #expect(headerLength % 8 == 0)
        let (header, buffer) = splitFile(first)
        #expect(header.hasPrefix("{\"__metadata__\":{\"\":\"empty key\",\"format\":\"pt\",\"note\":"))
        #expect(buffer.count == file.tensors.reduce(0) { $0 + $1.data.count })
        #expect(first.count == 8 + headerLength + buffer.count)
    }

    @Test("the header text is exactly what we specify")
    func exactHeader() throws {
        let file = SafeTensorsFile(tensors: [
            try SafeTensor(name: "w", dtype: .float32, shape: [2], data: Data(count: 8)),
            try SafeTensor(name: "b", dtype: .bfloat16, shape: [], data: Data(count: 2)),
        ])
        let (header, _) = splitFile(try file.serialized())
        let json = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[],"data_offsets":[8,10]}}"#
        #expect(header == json + String(repeating: " ", count: (8 - json.utf8.count % 8) % 8))
    }
}
