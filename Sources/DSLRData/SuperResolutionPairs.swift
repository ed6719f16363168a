import DSLRPhoto
import DSLRTensor
import Foundation

/// Settings of `makeSuperResolutionPairs`.
public struct SuperResolutionPairsConfig: Sendable, Equatable {
    /// How many times smaller each side of an input is than its target (PPCN: 4).
    public var scale: Int
    /// Sources are first shrunk so their longer side is at most this (nil: as is). DIV2K,
    /// on which PPCN's network was trained, is about 2040 pixels wide.
    public var maxSide: Int?
    /// Share of photos held out (the test split), by a hash of the file name.
    public var testPercent: Double
    /// Source photos held out by name instead (a `PhotoSource`'s `heldOutPaths`).
    public var heldOut: [String]?

    public init(scale: Int = 4, maxSide: Int? = 2040, testPercent: Double = 10, heldOut: [String]? = nil) {
        self.scale = scale; self.maxSide = maxSide; self.testPercent = testPercent; self.heldOut = heldOut
    }
}

/// What `makeSuperResolutionPairs` wrote.
public struct SuperResolutionPairsSummary: Sendable, Equatable {
    public var training = 0
    public var test = 0
    /// One line per source photo that could not be used.
    public var skipped: [String] = []
}

/// Writes super-resolution pairs made from `sources` in the `paired-folders` layout:
/// `<output>/{train,test}/target/NAME.png` is the photo (shrunk to `maxSide`, then cropped at
/// the bottom and right to a multiple of `scale`) and `.../input/NAME.png` its reduction by
/// `scale` with PIL's antialiased bicubic filter (`resizeBicubic`), as bicubic ×4 training
/// data is made (PPCN's `downsample_fn`, scipy's imresize, is PIL's). Both are 8-bit PNG: the
/// reduction is taken from the 8-bit target, so the files on disk are exactly a pair.
/// `<output>/dataset.yaml` names the layout and its `scale`, so that `dslr eval --data
/// <output>` and a recipe's dataset section find them.
///
/// - Parameter progress: called after each photo with (photos done, photos in all).
public func makeSuperResolutionPairs(
    sources: [String], output: String, config: SuperResolutionPairsConfig,
    progress: (Int, Int) -> Void = { _, _ in }, report: (String) -> Void = { _ in }
) throws -> SuperResolutionPairsSummary {
    guard !sources.isEmpty else { throw DataError("\(output): no source photos to make pairs from") }
    guard (2...16).contains(config.scale) else { throw DataError("sr: scale \(config.scale) is not from 2 to 16") }
    let root = URL(fileURLWithPath: output)
    let fixed = config.heldOut.map(Set.init)
    var heldOut = sources.map { fixed?.contains($0) ?? isHeldOut($0, fraction: config.testPercent / 100) }
    if sources.count >= 2, config.testPercent > 0, !heldOut.contains(true) { heldOut[sources.count - 1] = true }
    for part in ["train", "test"] {
        for role in ["input", "target"] {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent("\(part)/\(role)"), withIntermediateDirectories: true)
        }
    }
    var summary = SuperResolutionPairsSummary()
    var used = Set<String>()
    let s = config.scale, png = EncodeOptions(pngCompression: 6, keepMetadata: false)
    for (index, path) in sources.enumerated() {
        defer { progress(index + 1, sources.count) }
        do {
            let pixels = try readPhoto(path).pixels
            let shrunk = try config.maxSide.map { try shrink(pixels, maxSide: $0) } ?? pixels
            let (h, w) = (shrunk.shape[1] / s * s, shrunk.shape[2] / s * s)
            guard h >= 4 * s, w >= 4 * s else {
                throw DataError("\(shrunk.shape[2])×\(shrunk.shape[1]) is too small for ×\(s) pairs")
            }
            let target = try (shrunk.narrow(1, start: 0, length: h).narrow(2, start: 0, length: w) * 255).round() / 255
            let input = try resizeBicubic(target.unsqueeze(0), height: h / s, width: w / s).squeeze(0).clamp(min: 0, max: 1)
            let name = uniqueName(for: path, used: &used)
            let part = heldOut[index] ? "test" : "train"
            try writePhoto(Photo(pixels: target.contiguous()), to: root.appendingPathComponent("\(part)/target/\(name).png").path, options: png)
            try writePhoto(Photo(pixels: input.contiguous()), to: root.appendingPathComponent("\(part)/input/\(name).png").path, options: png)
            if heldOut[index] { summary.test += 1 } else { summary.training += 1 }
        } catch {
            summary.skipped.append("\(path): \(error)")
            report(summary.skipped.last!)
        }
    }
    guard summary.training + summary.test > 0 else {
        throw DataError("\(output): none of the \(sources.count) source photos could be used")
    }
    let spec = "# Written by dslr data sr: low-resolution inputs, targets \(s)× larger.\nname: paired-folders\nroot: .\noptions:\n  scale: \(s)\n"
    try Data(spec.utf8).write(to: root.appendingPathComponent("dataset.yaml"), options: .atomic)
    return summary
}

/// The file stem of `path`, made unique among `used` (photos of several packages may share a name).
private func uniqueName(for path: String, used: inout Set<String>) -> String {
    let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    var name = stem, n = 2
    while !used.insert(name).inserted { name = "\(stem)-\(n)"; n += 1 }
    return name
}
