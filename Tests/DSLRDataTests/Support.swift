@testable import DSLRData
import DSLRPhoto
import DSLRTensor
import Foundation

/// The numbers of scripts/fixtures/make_data_fixtures.py, by name.
struct Reference {
    private struct Entry: Decodable { let shape: [Int]; let data: [Double] }
    private let entries: [String: Entry]

    init() throws {
        let url = try fixtureURL("data_reference.json")
        entries = try JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: url))
    }

    subscript(_ name: String) -> Tensor {
        get throws {
            guard let e = entries[name] else { throw TorchError("fixture has no tensor \(name)") }
            return try Tensor(e.data.map(Float.init), shape: e.shape)
        }
    }
}

func fixtureURL(_ name: String) throws -> URL {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
        throw TorchError("fixture \(name) is missing")
    }
    return url
}

/// Largest absolute elementwise difference.
func maxAbsDiff(_ a: Tensor, _ b: Tensor) throws -> Double {
    try (a - b).abs().max().item()
}

/// A fresh temporary folder, removed by the caller with `removeItem`.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dslrdata-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Creates empty files at `relativePaths` under `root` (listing only looks at names).
func touch(_ root: URL, _ relativePaths: [String]) throws {
    for path in relativePaths {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: url.path, contents: Data())
    }
}

/// An in-memory reader: each path's image is a smooth, position-coded pattern of the given
/// size, seeded by a hash of the file name's stem so partners get the same pixels;
/// `failing` paths throw.
func fakeReader(sizes: [String: (Int, Int)], failing: Set<String> = [], bitDepth: Int = 8) -> PhotoReader {
    let failingPaths = failing
    let table = sizes.mapValues { [$0.0, $0.1] }
    @Sendable func size(_ path: String) throws -> (Int, Int) {
        if failingPaths.contains(where: { path.hasSuffix($0) }) { throw PhotoError(path: path, problem: "broken") }
        guard let key = table.keys.first(where: { path.hasSuffix($0) }), let s = table[key] else {
            throw PhotoError(path: path, problem: "no such fake")
        }
        return (s[0], s[1])
    }
    return PhotoReader(
        header: { path in let (w, h) = try size(path); return (w, h) },
        pixels: { path in
            let (w, h) = try size(path)
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            let seed = Double(name.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) % 997 })
            let ramp = try Tensor.arange(0, Double(3 * h * w), dtype: .float32).reshape([3, h, w])
            let pixels = try ((ramp * 0.618 + seed) / 97).sin() * 0.5 + 0.5
            return Photo(pixels: pixels, bitDepth: bitDepth)
        })
}
