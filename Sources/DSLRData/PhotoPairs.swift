import DSLRPhoto
import DSLRTensor
import Foundation

/// Which photos a pair maker uses and how: shared by `dslr data sr` and `dslr data unprocess`.
public struct PhotoPairSources: Sendable, Equatable {
    /// Sources are first shrunk so their longer side is at most this (nil: as is).
    public var maxSide: Int?
    /// Share of photos held out (the test split), by a hash of the file name.
    public var testPercent: Double
    /// Source photos held out by name instead (a `PhotoSource`'s `heldOutPaths`).
    public var heldOut: [String]?

    public init(maxSide: Int?, testPercent: Double = 10, heldOut: [String]? = nil) {
        self.maxSide = maxSide; self.testPercent = testPercent; self.heldOut = heldOut
    }
}

/// What a pair maker wrote.
public struct PhotoPairsSummary: Sendable, Equatable {
    public var training = 0
    public var test = 0
    /// One line per source photo that could not be used.
    public var skipped: [String] = []
    /// The input file of each source photo used, relative to the output folder, by its index.
    public var inputs: [Int: String] = [:]
}

/// Writes one pair per source photo into `<output>/{train,test}/{inputFolder,targetFolder}/
/// NAME.png`: the photo, shrunk, cropped at the bottom and right to a multiple of `multiple`
/// and rounded to 8 bits, is the target; `makeInput(index, target)` makes the input from it.
/// A photo that cannot be read or made into a pair is reported and skipped; the held-out
/// photos go to `test`, at least one when there are two or more.
func writePhotoPairs(
    sources: [String], output: String, using: PhotoPairSources, folders: (input: String, target: String), multiple: Int,
    progress: (Int, Int) -> Void, report: (String) -> Void, makeInput: (Int, Tensor) throws -> Photo
) throws -> PhotoPairsSummary {
    guard !sources.isEmpty else { throw DataError("\(output): no source photos to make pairs from") }
    let root = URL(fileURLWithPath: output)
    let fixed = using.heldOut.map(Set.init)
    var heldOut = sources.map { fixed?.contains($0) ?? isHeldOut($0, fraction: using.testPercent / 100) }
    if sources.count >= 2, using.testPercent > 0, !heldOut.contains(true) { heldOut[sources.count - 1] = true }
    for part in ["train", "test"] {
        for folder in [folders.input, folders.target] {
            try createFolder(root.appendingPathComponent("\(part)/\(folder)").path)
        }
    }
    var summary = PhotoPairsSummary()
    var used = Set<String>()
    let png = EncodeOptions(pngCompression: 6, keepMetadata: false)
    for (index, path) in sources.enumerated() {
        defer { progress(index + 1, sources.count) }
        do {
            let pixels = try readPhoto(path).pixels
            let shrunk = try using.maxSide.map { try shrink(pixels, maxSide: $0) } ?? pixels
            let (h, w) = (shrunk.shape[1] / multiple * multiple, shrunk.shape[2] / multiple * multiple)
            guard h >= max(4 * multiple, 32), w >= max(4 * multiple, 32) else {
                throw DataError("\(shrunk.shape[2])×\(shrunk.shape[1]) is too small")
            }
            let target = try (shrunk.narrow(1, start: 0, length: h).narrow(2, start: 0, length: w) * 255).round() / 255
            let input = try makeInput(index, target)
            let name = uniqueStem(of: path, used: &used), part = heldOut[index] ? "test" : "train"
            let inputFile = "\(part)/\(folders.input)/\(name).png"
            try writePhoto(input, to: root.appendingPathComponent(inputFile).path, options: png)
            try writePhoto(Photo(pixels: target.contiguous()),
                           to: root.appendingPathComponent("\(part)/\(folders.target)/\(name).png").path, options: png)
            summary.inputs[index] = inputFile
            if heldOut[index] { summary.test += 1 } else { summary.training += 1 }
        } catch {
            summary.skipped.append("\(path): \(error)")
            report(summary.skipped.last!)
        }
    }
    guard summary.training + summary.test > 0 else {
        throw DataError("\(output): none of the \(sources.count) source photos could be used")
    }
    return summary
}

/// The file stem of `path`, made unique among `used` (photos of several packages may share a name).
func uniqueStem(of path: String, used: inout Set<String>) -> String {
    let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    var name = stem, n = 2
    while !used.insert(name).inserted { name = "\(stem)-\(n)"; n += 1 }
    return name
}
