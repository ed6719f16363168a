import DSLRTensor
import Foundation
import Testing

@testable import DSLRImport

/// A fixture file written by scripts/fixtures/make_vgg_fixture.py.
func fixture(_ name: String) throws -> URL {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
        throw TorchError("fixture \(name) is missing")
    }
    return url
}

/// A file in a fresh temporary folder holding `bytes`.
func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mat-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
}

@Suite struct MATReaderTests {
    static let cornerFiles = ["corner_cases.mat", "corner_cases_compressed.mat"]

    @Test(arguments: cornerFiles) func charArrays(file: String) throws {
        let mat = try MATFile(contentsOf: fixture(file))
        #expect(mat.headerText.hasPrefix("MATLAB 5.0 MAT-file"))
        #expect(mat["text"]?.string == "hello MAT")
        guard case .char(let rows) = mat["text_rows"] else { Issue.record("text_rows is not char"); return }
        #expect(rows.dims == [3, 2])
        #expect(rows.rows == ["ab", "cd", "ef"])
        #expect(mat["unicode"]?.string == "h\u{e9}llo \u{20ac}")
    }

    @Test(arguments: cornerFiles) func numericValuesAreExact(file: String) throws {
        let mat = try MATFile(contentsOf: fixture(file))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture("corner_cases_expected.json")))
        let expected = try #require(json as? [String: [String: Any]])
        #expect(expected.count == 8)
        for (name, reference) in expected {
            let array = try #require(mat[name]?.array, "\(name) is not numeric")
            let got = try array.tensor()
            #expect(got.shape == reference["shape"] as? [Int], "\(name)")
            let values = try #require(reference["values"] as? [Double])
            if array.numericClass == .single {
                // JSON text of a float32 value may parse one double ulp off; the float is exact.
                #expect(try got.toArray(Float.self) == values.map { Float($0) }, "\(name)")
            } else {
                #expect(try got.to(.float64).toArray(Double.self) == values, "\(name)")
            }
        }
        #expect(mat["int8s"]?.array?.numericClass == .int8)
        #expect(mat["uint16s"]?.array?.numericClass == .uint16)
        #expect(mat["int64s"]?.array?.numericClass == .int64)
        #expect(mat["flags"]?.array?.numericClass == .logical)
        #expect(try mat["flags"]?.array?.tensor().dtype == .bool)
        #expect(mat["cube"]?.array?.dims == [2, 3, 4])
        #expect(try mat["single"]?.array?.tensor().dtype == .float32)
        #expect(try mat["scalar"]?.array?.doubles() == [3.25])
        #expect(mat["empty"]?.array?.dims == [0, 3])
        if case .omitted(let why) = mat["complex"] { #expect(why.contains("complex")) } else { Issue.record("complex read") }
    }

    @Test(arguments: cornerFiles) func reversedDimsKeepsColumnMajorOrder(file: String) throws {
        let cube = try #require(try MATFile(contentsOf: fixture(file))["cube"]?.array)
        // MATLAB's A(i, j, k) is element [k, j, i] of the reversed-dims view.
        let reversed = try cube.reversedDimsTensor()
        let rowMajor = try cube.tensor()
        #expect(reversed.shape == [4, 3, 2])
        #expect(try reversed.permute([2, 1, 0]).contiguous().toArray(Double.self) == rowMajor.toArray(Double.self))
    }

    @Test(arguments: cornerFiles) func nestedCellsAndStructs(file: String) throws {
        let mat = try MATFile(contentsOf: fixture(file))
        let nested = try #require(mat["nested"])
        #expect(nested.structure?.fieldNames == ["name", "items", "count"])
        #expect(nested[field: "name"]?.string == "outer")
        #expect(try nested[field: "count"]?.array?.doubles() == [2])
        let items = try #require(nested[field: "items"]?.cell)
        #expect(items.dims == [1, 2])
        let inner = items[0]
        #expect(inner[field: "label"]?.string == "inner")
        let values = try #require(inner[field: "values"]?.cell)
        #expect(try values[0].array?.doubles() == [1, 2])
        #expect(values[1].string == "deep")
        let pair = try #require(items[1].cell)
        #expect(pair[0].array?.numericClass == .int16)
        #expect(try pair[0].array?.doubles() == [4])
        #expect(pair[1].string == "x")
        let people = try #require(mat["people"]?.structure)
        #expect(people.dims == [1, 2])
        #expect(try people.field("id", element: 1)?.array?.doubles() == [8])
        #expect(people.field("tag", element: 0)?.string == "first")
    }

    @Test func compressedAndUncompressedAgree() throws {
        let plain = try MATFile(contentsOf: fixture("corner_cases.mat"))
        let packed = try MATFile(contentsOf: fixture("corner_cases_compressed.mat"))
        #expect(plain.variables.map(\.name) == packed.variables.map(\.name))
        for (name, value) in plain.variables { #expect(packed[name] == value, "\(name)") }
    }

    @Test func includeSkipsChosenParts() throws {
        var asked: [[MATPathComponent]] = []
        let mat = try MATFile(contentsOf: fixture("corner_cases_compressed.mat")) { path in
            asked.append(path)
            return path != [.variable("cube")] && path.last != .cellElement(1)
        }
        #expect(mat["cube"] == .omitted("skipped"))
        #expect(mat["text"]?.string == "hello MAT")
        let items = try #require(mat["nested"]?[field: "items"]?.cell)
        #expect(items[1] == .omitted("skipped"))
        #expect(items[0][field: "label"]?.string == "inner")
        #expect(asked.contains([.variable("nested"), .field("items", element: 0), .cellElement(0), .field("label", element: 0)]))
    }
}

@Suite struct MATErrorTests {
    func message(_ url: URL) -> String {
        do {
            _ = try MATFile(contentsOf: url)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func refusesV73() throws {
        var bytes = [UInt8](repeating: 0x20, count: 600)
        let text = Array("MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Sat Nov 21 2026 HDF5 schema 1.00 .".utf8)
        bytes.replaceSubrange(0..<text.count, with: text)
        bytes[124] = 0x00; bytes[125] = 0x02; bytes[126] = UInt8(ascii: "I"); bytes[127] = UInt8(ascii: "M")
        bytes.replaceSubrange(512..<520, with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
        let url = try temporaryFile("v73.mat", bytes)
        let text73 = message(url)
        #expect(text73.hasPrefix(url.path + ": "))
        #expect(text73.contains("v7.3 (HDF5) is not supported"))
        #expect(text73.contains("-v7"))
    }

    @Test func refusesNonMATFiles() throws {
        let short = try temporaryFile("short.mat", Array("hello".utf8))
        #expect(message(short).contains("not a MAT-file"))
        let text = try temporaryFile("text.mat", Array(String(repeating: "just some text\n", count: 20).utf8))
        #expect(message(text).contains("not a MAT-file v5"))
        #expect(message(URL(fileURLWithPath: "/nonexistent/vgg.mat")).contains("cannot open"))
    }

    @Test(arguments: ["corner_cases.mat", "vgg19_tiny_meta.mat"]) func truncatedFiles(file: String) throws {
        let bytes = try [UInt8](Data(contentsOf: fixture(file)))
        for keep in [bytes.count - 1, bytes.count / 2, 140] {
            let url = try temporaryFile("cut.mat", Array(bytes[0..<keep]))
            let text = message(url)
            #expect(text.contains("truncated"), "kept \(keep) of \(bytes.count): \(text)")
        }
    }

    @Test func corruptCompressedData() throws {
        var bytes = try [UInt8](Data(contentsOf: fixture("corner_cases_compressed.mat")))
        for i in 140..<160 { bytes[i] ^= 0x5A }
        let text = message(try temporaryFile("bad.mat", bytes))
        #expect(text.contains("corrupt"), "\(text)")
    }
}
