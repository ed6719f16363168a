import DSLREnhance
import DSLRModels
import DSLRPhoto
import DSLRTensor
import Foundation

/// A fresh empty folder under the temporary directory.
func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dslreval-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A deterministic 8-bit RGB image [3, H, W] with values in [lo, hi] / 255 (so that adding a
/// few levels never clips).
func testImage(height: Int, width: Int, seed: Int, lo: Int = 40, hi: Int = 200) throws -> Tensor {
    var state = UInt64(seed) &* 6364136223846793005 &+ 1442695040888963407
    let values = (0..<(3 * height * width)).map { _ -> Float in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(lo + Int((state >> 33) % UInt64(hi - lo + 1))) / 255
    }
    return try Tensor(values, shape: [3, height, width])
}

/// Writes [3, H, W] pixels as an 8-bit PNG (exact for multiples of 1/255).
func writePNG(_ pixels: Tensor, _ url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try writePhoto(Photo(pixels: pixels), to: url.path, options: EncodeOptions(keepMetadata: false))
}

/// A model that runs `function` on [1, 3, H, W] pixels, named `name`.
func functionModel(_ name: String, _ function: @escaping @Sendable (Tensor) throws -> Tensor) -> LoadedModel {
    var entry = ModelRegistry.standard().entries[0]
    entry.card = ModelCard(name: name, architecture: "test", summary: "test function")
    return LoadedModel(entry: entry, function: function)
}
