import DSLREnhance
import DSLRPhoto
import DSLRTensor
import Foundation

// Held-out crops in a run folder's samples/: `iter_<N>_<k>_{input,output,target}.png` for
// the k-th held-out crop at iteration N. The trainer writes them at each evaluation
// (`writeSample`); the report shows them as an input / output / target grid.

/// The three images of one sample.
public enum SampleRole: String, Sendable, CaseIterable {
    case input, output, target
}

/// One held-out crop at one iteration; a role whose file is missing is nil.
public struct SampleTriple: Sendable, Equatable {
    public var iteration: Int
    public var index: Int
    public var files: [SampleRole: URL]
}

/// `iter_<N>_<k>_<role>.png`.
public func sampleFileName(iteration: Int, index: Int, role: SampleRole) -> String {
    "iter_\(iteration)_\(index)_\(role.rawValue).png"
}

/// The samples in `folder`, sorted by iteration then index; other files are ignored and a
/// missing folder has none.
public func listSamples(in folder: URL) -> [SampleTriple] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    var found: [String: SampleTriple] = [:]
    for name in names where name.hasPrefix("iter_") && name.hasSuffix(".png") {
        let parts = name.dropLast(4).split(separator: "_")
        guard parts.count == 4, let iteration = Int(parts[1]), let index = Int(parts[2]),
              let role = SampleRole(rawValue: String(parts[3])) else { continue }
        let key = "\(iteration)_\(index)"
        var triple = found[key] ?? SampleTriple(iteration: iteration, index: index, files: [:])
        triple.files[role] = folder.appendingPathComponent(name)
        found[key] = triple
    }
    return found.values.sorted { ($0.iteration, $0.index) < ($1.iteration, $1.index) }
}

/// Writes one sample's three PNGs into `folder` (created if needed).
///
/// - Parameters:
///   - input, output, target: [3, H, W] or [1, 3, H, W] pixels in [0, 1] on any device and
///     in any float dtype; `input` may differ in size from the other two.
public func writeSample(
    iteration: Int, index: Int, input: Tensor, output: Tensor, target: Tensor, to folder: URL
) throws {
    try createFolder(folder.path)
    for (role, image) in [(SampleRole.input, input), (.output, output), (.target, target)] {
        let path = folder.appendingPathComponent(sampleFileName(iteration: iteration, index: index, role: role)).path
        try writePhoto(Photo(pixels: try viewable(image)), to: path, options: EncodeOptions(pngCompression: 3, keepMetadata: false))
    }
}

/// [3, H, W] float32 CPU pixels clamped to [0, 1], from [3, H, W] or [1, 3, H, W].
func viewable(_ image: Tensor) throws -> Tensor {
    let chw = image.rank == 4 ? try image.select(0, 0) : image
    guard chw.rank == 3, chw.shape[0] == 3 else { throw EvalError("sample image: expected RGB [3, H, W], got shape \(image.shape)") }
    return try chw.to(.cpu, .float32).clamp(min: 0, max: 1).contiguous()
}

/// The central `size` × `size` crop of a [.., H, W] image (smaller sides kept whole).
public func centerCrop(_ image: Tensor, size: Int) throws -> Tensor {
    let h = image.shape[image.rank - 2], w = image.shape[image.rank - 1]
    let ch = min(size, h), cw = min(size, w)
    return try image.narrow(image.rank - 2, start: (h - ch) / 2, length: ch)
        .narrow(image.rank - 1, start: (w - cw) / 2, length: cw)
}

/// `image` enlarged with PIL's bicubic filter to the size of `target` (an NCHW super-resolution
/// target), clamped to [0, 1]: super-resolution's do-nothing baseline.
public func bicubicEnlargement(_ image: Tensor, like target: Tensor) throws -> Tensor {
    try withNoGrad { try resizeBicubic(image, height: target.shape[2], width: target.shape[3]).clamp(min: 0, max: 1) }
}

/// The centre crop of an input and the same region of a target `scale` times larger: the
/// target's crop starts at `scale` times the input's offsets, so the two stay aligned even
/// where halving an odd margin rounds.
public func centerCropPair(input: Tensor, target: Tensor, size: Int, scale: Int) throws -> (input: Tensor, target: Tensor) {
    let h = input.shape[input.rank - 2], w = input.shape[input.rank - 1]
    let ch = min(size, h), cw = min(size, w), top = (h - ch) / 2, left = (w - cw) / 2
    return (try input.narrow(input.rank - 2, start: top, length: ch).narrow(input.rank - 1, start: left, length: cw),
            try target.narrow(target.rank - 2, start: top * scale, length: ch * scale)
                .narrow(target.rank - 1, start: left * scale, length: cw * scale))
}

/// Runs `model` on centre crops of `pairs` and writes them as samples of `iteration`;
/// returns how many were written. Pairs that cannot be read are skipped.
@discardableResult
public func makeSamples(
    model: LoadedModel, pairs: [EvalPair], iteration: Int, cropSize: Int = 256, to folder: URL,
    tiling: TilingOptions = TilingOptions(), read: (String) throws -> Tensor = { try readPhoto($0).pixels }
) throws -> Int {
    var written = 0
    for pair in pairs {
        guard let input = try? centerCrop(read(pair.input), size: cropSize).contiguous(),
              let target = try? centerCrop(read(pair.target), size: cropSize).contiguous() else { continue }
        let output = try model.enhance(input.unsqueeze(0), tiling: tiling)
        try writeSample(iteration: iteration, index: written, input: input, output: output, target: target, to: folder)
        written += 1
    }
    return written
}
