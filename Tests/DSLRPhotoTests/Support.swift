import DSLRNN
import DSLRPhoto
import DSLRTensor
import Foundation

/// Pillow's decoding of the fixtures (scripts/fixtures/make_photo_fixtures.py), by name.
struct Reference {
    let tensors: [String: Tensor]

    init() throws {
        let (list, _) = try Checkpoint.load(URL(fileURLWithPath: fixture("photo_reference.safetensors")))
        tensors = Dictionary(uniqueKeysWithValues: list)
    }

    subscript(_ name: String) -> Tensor {
        get throws {
            guard let t = tensors[name] else { throw TorchError("fixture has no tensor \(name)") }
            return t
        }
    }

    /// An HWC integer reference as DSLRPhoto's layout: float32 [3, H, W], samples / maxValue.
    func planar(_ name: String, maxValue: Double = 255) throws -> Tensor {
        try (self[name].to(.float32) / maxValue).permute([2, 0, 1]).contiguous()
    }

    func bytes(_ name: String) throws -> [UInt8] { try self[name].toArray(UInt8.self) }
}

/// The path of a fixture file.
func fixture(_ name: String) -> String {
    Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)?.path ?? "/missing-fixture/\(name)"
}

/// Largest absolute elementwise difference.
func maxAbsDiff(_ a: Tensor, _ b: Tensor) throws -> Double {
    try (a.to(.float64) - b.to(.float64)).abs().max().item()
}

/// A fresh empty folder, removed when `body` returns.
func withTemporaryFolder<R>(_ body: (String) throws -> R) throws -> R {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dslrphoto-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder.path)
}

/// Names in a folder, hidden ones included.
func folderContents(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
}

/// Whether `haystack` contains `needle` as a run of bytes.
func contains(_ haystack: [UInt8]?, _ needle: String) -> Bool {
    guard let haystack else { return false }
    let bytes = Array(needle.utf8)
    guard bytes.count <= haystack.count else { return false }
    return (0...(haystack.count - bytes.count)).contains { haystack[$0..<($0 + bytes.count)].elementsEqual(bytes) }
}
