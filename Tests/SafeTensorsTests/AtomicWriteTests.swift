import Foundation
import SafeTensors
import Testing

@Suite("Atomic write")
struct AtomicWriteTests {
    func smallFile(_ value: UInt8, count: Int) throws -> SafeTensorsFile {
        SafeTensorsFile(
            tensors: [try SafeTensor(name: "t", dtype: .uint8, shape: [count], data: Data(repeating: value, count: count))],
            metadata: ["version": "\(value)"])
    }

    @Test("writing into a directory that does not exist throws io")
    func missingDirectory() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("missing-\(UUID().uuidString)/model.safetensors")
        #expect { try smallFile(1, count: 4).write(to: url) } throws: { error in
            guard case .io(let path, _) = error as? SafeTensorsError else { return false }
            return path == url.path
        }
    }

    @Test("writing over a good file replaces it completely and leaves no temp files")
    func replacesExisting() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try smallFile(1, count: 4096).write(to: url)
        let replacement = try smallFile(2, count: 3)
        try replacement.write(to: url)
        #expect(try Data(contentsOf: url) == replacement.serialized())
        #expect(try SafeTensorsFile(contentsOf: url) == replacement)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
    }

    @Test("a failed rename keeps the destination and removes the temp file")
    func failedWriteCleansUp() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The destination is a non-empty directory, so the final rename must fail.
        let blocked = directory.appendingPathComponent("model.safetensors")
        try FileManager.default.createDirectory(at: blocked, withIntermediateDirectories: false)
        try Data([1]).write(to: blocked.appendingPathComponent("keep"))
        #expect { try smallFile(3, count: 4).write(to: blocked) } throws: { ($0 as? SafeTensorsError)?.caseName == "io" }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: blocked.path) == ["keep"])
    }
}
