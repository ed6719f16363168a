import Foundation
import SafeTensors
import Testing

/// A small valid file that every malformed case mutates. Data buffer: a = bytes 0..<8,
/// b = bytes 8..<16.
func validBase() throws -> Data {
    try SafeTensorsFile(
        tensors: [
            try SafeTensor(name: "a", dtype: .float32, shape: [2], data: patternBytes(count: 8, seed: 1)),
            try SafeTensor(name: "b", dtype: .int16, shape: [2, 2], data: patternBytes(count: 8, seed: 2)),
        ],
        metadata: ["k": "v"]
    ).serialized()
}

let source = "test.safetensors"

@Suite("Malformed files")
struct MalformedTests {
    @Test("the unmodified base parses")
    func baseIsValid() throws {
        let file = try SafeTensorsFile(bytes: try validBase(), source: source)
        #expect(file.names == ["a", "b"])
    }

    @Test("fewer than 8 bytes")
    func truncated() {
        #expect(readError(Data([1, 2, 3])) == .truncated(source: source, size: 3))
        #expect(readError(Data()) == .truncated(source: source, size: 0))
    }

    @Test("header length larger than the file")
    func headerTooLong() throws {
        var file = try validBase()
        let available = file.count - 8
        file.replaceSubrange(0..<8, with: lengthPrefix(UInt64(available + 1)))
        let error = readError(file)
        #expect(error == .headerLengthOutOfBounds(source: source, declared: UInt64(available + 1), available: available))
        #expect(error?.description == "\(source): header length \(available + 1) exceeds the \(available) bytes after the length prefix")
        file.replaceSubrange(0..<8, with: lengthPrefix(UInt64.max))
        #expect(readError(file) == .headerLengthOutOfBounds(source: source, declared: .max, available: available))
    }

    @Test("header length above the 100 MB cap")
    func headerOverCap() throws {
        var file = try validBase()
        file.replaceSubrange(0..<8, with: lengthPrefix(100_000_001))
        #expect(readError(file)?.caseName == "headerLengthOutOfBounds")
    }

    @Test("header length 0")
    func headerLengthZero() throws {
        var file = try validBase()
        file.replaceSubrange(0..<8, with: lengthPrefix(0))
        #expect(readError(file) == .headerLengthOutOfBounds(source: source, declared: 0, available: file.count - 8))
    }

    @Test("header is not JSON, or not UTF-8")
    func notJSON() {
        #expect(readError(assembleFile(header: "not json", buffer: Data()))?.caseName == "invalidHeader")
        #expect(readError(assembleFile(header: "{\"a\":", buffer: Data()))?.caseName == "invalidHeader")
        var bad = Data(lengthPrefix(6))
        bad.append(contentsOf: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x7D])  // {"\xFF":}
        #expect(readError(bad)?.caseName == "invalidHeader")
    }

    @Test("header is a JSON array")
    func notObject() {
        #expect(readError(assembleFile(header: "[1,2]", buffer: Data()))?.caseName == "invalidHeader")
    }

    @Test("duplicate tensor names")
    func duplicateNames() throws {
        let file = mutatingHeader(
            try validBase(), replacing: "\"b\":{\"dtype\":\"I16\"", with: "\"a\":{\"dtype\":\"I16\"")
        #expect(readError(file)?.caseName == "invalidHeader")
    }

    @Test("unknown dtype")
    func unknownDType() throws {
        let file = mutatingHeader(try validBase(), replacing: "\"F32\"", with: "\"F7\"")
        #expect(readError(file) == .unknownDType(source: source, name: "a", dtype: "F7"))
    }

    @Test("shape times dtype size differs from the byte range")
    func byteLengthMismatch() throws {
        let file = mutatingHeader(try validBase(), replacing: "\"shape\":[2],", with: "\"shape\":[3],")
        #expect(readError(file) == .byteLengthMismatch(source: source, name: "a", expected: 12, actual: 8))
    }

    @Test("a huge shape reports a mismatch instead of trapping")
    func hugeShape() throws {
        let huge = "\"shape\":[\(Int64.max / 2),4],"
        let file = mutatingHeader(try validBase(), replacing: "\"shape\":[2],", with: huge)
        #expect(readError(file) == .byteLengthMismatch(source: source, name: "a", expected: nil, actual: 8))
        let beyond64Bits = mutatingHeader(try validBase(), replacing: "\"shape\":[2],", with: "\"shape\":[99999999999999999999],")
        #expect(readError(beyond64Bits)?.caseName == "invalidEntry")
    }

    @Test("offsets beyond the data buffer")
    func offsetsBeyondFile() throws {
        let file = mutatingHeader(
            try validBase(), replacing: "\"shape\":[2,2],\"data_offsets\":[8,16]",
            with: "\"shape\":[2,4],\"data_offsets\":[8,24]")
        #expect(readError(file) == .offsetOutOfRange(source: source, name: "b", end: 24, bufferSize: 16))
    }

    @Test("two tensors overlap")
    func overlapping() throws {
        let file = mutatingHeader(try validBase(), replacing: "[8,16]", with: "[4,12]")
        #expect(readError(file) == .overlappingTensors(source: source, first: "a", second: "b"))
    }

    @Test("a gap between tensors")
    func gap() throws {
        let file = mutatingHeader(
            try validBase(), replacing: "\"shape\":[2],\"data_offsets\":[0,8]",
            with: "\"shape\":[1],\"data_offsets\":[0,4]")
        #expect(readError(file) == .incompleteCoverage(source: source, start: 4, end: 8, bufferSize: 16))
    }

    @Test("trailing bytes after the last tensor")
    func trailingBytes() throws {
        var file = try validBase()
        file.append(contentsOf: [0, 0, 0, 0])
        let error = readError(file)
        #expect(error == .incompleteCoverage(source: source, start: 16, end: 20, bufferSize: 20))
        #expect(error?.description.contains("trailing bytes") == true)
    }

    @Test("shape with a negative dimension")
    func negativeDim() throws {
        let file = mutatingHeader(try validBase(), replacing: "\"shape\":[2,2]", with: "\"shape\":[-2,-2]")
        #expect(readError(file)?.caseName == "invalidEntry")
    }

    @Test("non-integer dimensions are rejected", arguments: ["true", "1.5", "\"3\"", "2e0", "null", "[2]"])
    func nonIntegerDim(dim: String) throws {
        let file = mutatingHeader(try validBase(), replacing: "\"shape\":[2],", with: "\"shape\":[\(dim)],")
        let error = readError(file)
        #expect(error?.caseName == "invalidEntry")
        if case .invalidEntry(let errorSource, let name, _) = error {
            #expect(errorSource == source && name == "a")
        }
    }

    @Test("structurally wrong entries", arguments: [
        ("\"shape\":[2],", "\"shape\":[2],\"extra\":1,"),  // extra field
        ("\"shape\":[2],", ""),  // missing shape
        ("\"dtype\":\"F32\",", "\"dtype\":32,"),  // dtype not a string
        ("[0,8]", "[8,0]"),  // begin after end
        ("[0,8]", "[0,8,8]"),  // three offsets
        ("[0,8]", "[-1,8]"),  // negative offset
        ("\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "\"a\":[1]"),  // entry not an object
    ])
    func wrongEntries(old: String, new: String) throws {
        #expect(readError(mutatingHeader(try validBase(), replacing: old, with: new))?.caseName == "invalidEntry")
    }

    @Test("metadata value not a string")
    func metadataNotString() throws {
        let file = mutatingHeader(try validBase(), replacing: "\"k\":\"v\"", with: "\"k\":1")
        let error = readError(file)
        #expect(error?.caseName == "invalidEntry")
        if case .invalidEntry(_, let name, _) = error { #expect(name == "__metadata__") }
        let notObject = mutatingHeader(try validBase(), replacing: "{\"k\":\"v\"}", with: "[\"k\"]")
        #expect(readError(notObject)?.caseName == "invalidEntry")
    }

    @Test("trailing spaces, an empty header object and zero-element tensors are legal")
    func legalEdgeCases() throws {
        let (header, buffer) = splitFile(try validBase())
        let padded = assembleFile(header: header + "        ", buffer: buffer)
        #expect(try SafeTensorsFile(bytes: padded, source: source).names == ["a", "b"])
        #expect(try SafeTensorsFile(bytes: assembleFile(header: "{}", buffer: Data()), source: source).tensors.isEmpty)
        let zero = #"{"z":{"dtype":"F32","shape":[0,5],"data_offsets":[4,4]},"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"y":{"dtype":"I8","shape":[0],"data_offsets":[0,0]}}"#
        let parsed = try SafeTensorsFile(bytes: assembleFile(header: zero, buffer: Data([1, 2, 3, 4])), source: source)
        #expect(parsed.names == ["y", "a", "z"])
        #expect(parsed["z"]?.data.isEmpty == true)
    }

    @Test("description is one line naming the source and the problem")
    func descriptionNamesSource() throws {
        let file = mutatingHeader(try validBase(), replacing: "\"F32\"", with: "\"F7\"")
        let description = try #require(readError(file, source: "/models/m.safetensors")).description
        #expect(description == "/models/m.safetensors: tensor 'a' has unknown dtype 'F7'")
        let tricky = readError(assembleFile(header: "{\"x\\ny\":3}", buffer: Data()), source: "dir\n/m")
        #expect(tricky?.description.contains("\n") == false)
        #expect(tricky?.description.hasPrefix("dir\\u{a}/m: entry 'x\\u{a}y'") == true)
    }

    @Test("every truncation and single-byte corruption is rejected or parsed, never a crash")
    func corruptionSweep() throws {
        let base = try validBase()
        for length in 0..<base.count {
            #expect(readError(base.prefix(length)) != nil, "truncated to \(length) bytes")
        }
        var parsedCount = 0
        for position in 0..<base.count {
            for value: UInt8 in [0x00, 0x20, 0x22, 0x2C, 0x30, 0x39, 0x5B, 0x7B, 0x7D, 0xFF] {
                var corrupted = base
                corrupted[position] = value
                if readError(corrupted) == nil { parsedCount += 1 }
            }
        }
        // Only corruptions inside tensor bytes, or benign ones in the header, may still parse.
        #expect(parsedCount > 0 && parsedCount < base.count * 10)
    }

    @Test("reading a missing file throws io")
    func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/m.safetensors")
        #expect { try SafeTensorsFile(contentsOf: url) } throws: { ($0 as? SafeTensorsError)?.caseName == "io" }
    }
}
