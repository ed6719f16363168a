import DSLRPhoto
import DSLRTensor
import Foundation

/// Settings of `synthesizeDPED`.
public struct SynthConfig: Sendable, Codable, Equatable {
    /// The phone folder name of the DPED layout.
    public var phone: String
    /// Side of the square training and test patches (DPED: 100).
    public var patchSize: Int
    /// Patches cut from each degraded copy of a photo.
    public var patchesPerPhoto: Int
    /// Independently degraded copies of each photo. A handful of photos gives few distinct
    /// degradations at one copy each, and a model then learns those few corrections rather
    /// than the camera model's range.
    public var variants: Int
    /// Source photos are first shrunk so their longer side is at most this (nil: as is),
    /// which brings the patches' field of view nearer a phone's.
    public var maxSide: Int?
    /// Share of source photos held out for test patches and full-size test images, by a
    /// hash of the file name (at least one photo when there are two or more).
    public var testPercent: Double
    /// JPEG quality of the written patches and images.
    public var quality: Int
    public var degradation: DegradationConfig
    /// When set, inputs come from random degradation chains (`degrade(_:chain:)`) instead of
    /// the phone-camera model; patches are still placed with `degradation.seed`.
    public var chain: DegradationChainConfig?
    /// Source photos held out by name instead of by `testPercent` (a `PhotoSource`'s
    /// `heldOutPaths`, so that no training set ever sees them).
    public var heldOut: [String]?

    public init(phone: String = "synthetic", patchSize: Int = 100, patchesPerPhoto: Int = 30, variants: Int = 1,
                maxSide: Int? = 1280, testPercent: Double = 10, quality: Int = 95,
                degradation: DegradationConfig = DegradationConfig(), chain: DegradationChainConfig? = nil,
                heldOut: [String]? = nil) {
        self.phone = phone; self.patchSize = patchSize; self.patchesPerPhoto = patchesPerPhoto
        self.variants = variants; self.maxSide = maxSide
        self.testPercent = testPercent; self.quality = quality; self.degradation = degradation; self.chain = chain
        self.heldOut = heldOut
    }
}

/// What `synthesizeDPED` wrote.
public struct SynthSummary: Sendable, Equatable {
    public var photos = 0
    public var trainingPatches = 0
    public var testPatches = 0
    public var fullSizeTestImages = 0
    /// One line per source photo that could not be used.
    public var skipped: [String] = []
}

/// Writes a DPED-layout dataset under `output` (`<output>/<phone>/training_data/...`) whose
/// inputs are `sources` degraded by the phone-camera model and whose targets are the
/// sources themselves. Copy v of photo i is degraded with
/// `config.degradation.parameters(index: sources.count · v + i)` (copy 0 as with one variant)
/// and its patches are placed by a generator keyed on (seed, i, v). The output depends only on the sources, their order and
/// the config.
///
/// - Parameter progress: called after each photo with (photos done, photos in all).
public func synthesizeDPED(
    sources: [String], output: String, config: SynthConfig,
    progress: (Int, Int) -> Void = { _, _ in }, report: (String) -> Void = { _ in }
) throws -> SynthSummary {
    guard !sources.isEmpty else { throw DataError("\(output): no source photos to synthesize from") }
    guard config.patchSize > 0, config.patchesPerPhoto >= 0, config.variants > 0 else {
        throw DataError("synth: patch size and variants must be positive and patches per photo not negative")
    }
    let layout = DPEDWriter(root: URL(fileURLWithPath: output).appendingPathComponent(config.phone), phone: config.phone)
    // Patches are numbered from 0, so a second run would overwrite some of the first one's
    // and leave the rest: a dataset mixed from two runs that nobody asked for.
    let existing = layout.folders.reduce(0) { $0 + ((try? FileManager.default.contentsOfDirectory(atPath: $1.path))?.count ?? 0) }
    guard existing == 0 else {
        throw DataError("\(layout.root.path): already holds a dataset (\(existing) files); a second run would mix with it: choose another -o or remove it")
    }
    try layout.createFolders()
    let fixed = config.heldOut.map(Set.init)
    var heldOut = sources.map { fixed?.contains($0) ?? isHeldOut($0, fraction: config.testPercent / 100) }
    if sources.count >= 2, config.testPercent > 0, !heldOut.contains(true) { heldOut[sources.count - 1] = true }
    var summary = SynthSummary()
    let options = EncodeOptions(quality: config.quality, keepMetadata: false)
    for (index, path) in sources.enumerated() {
        defer { progress(index + 1, sources.count) }
        let target: Tensor
        do {
            let pixels = try readPhoto(path).pixels
            target = try config.maxSide.map { try shrink(pixels, maxSide: $0) } ?? pixels
        } catch {
            summary.skipped.append("\(path): unreadable (\(error))"); report(summary.skipped.last!)
            continue
        }
        let (h, w) = (target.shape[1], target.shape[2])
        guard h >= config.patchSize, w >= config.patchSize else {
            summary.skipped.append("\(path): \(w)×\(h) is smaller than a \(config.patchSize)-pixel patch")
            report(summary.skipped.last!)
            continue
        }
        summary.photos += 1
        for variant in 0..<config.variants {
            let degradationIndex = sources.count * variant + index
            // Held-out photos are always degraded: an untouched test pair says nothing of the gain.
            var chain = config.chain
            if heldOut[index] { chain?.identityShare = 0 }
            let input = try chain.map { try degrade(target, chain: $0.chain(index: degradationIndex)) }
                ?? degrade(target, parameters: config.degradation.parameters(index: degradationIndex))
            if heldOut[index] {
                try writePhoto(Photo(pixels: input), to: layout.fullSizePath(summary.fullSizeTestImages), options: options)
                summary.fullSizeTestImages += 1
            }
            var rng = SplitMix64(key: config.degradation.seed, UInt64(index), 0x9A7C &+ UInt64(variant))
            for _ in 0..<config.patchesPerPhoto {
                let top = Int.random(in: 0...(h - config.patchSize), using: &rng)
                let left = Int.random(in: 0...(w - config.patchSize), using: &rng)
                func crop(_ x: Tensor) throws -> Photo {
                    Photo(pixels: try x.narrow(1, start: top, length: config.patchSize)
                        .narrow(2, start: left, length: config.patchSize).contiguous())
                }
                let number = heldOut[index] ? summary.testPatches : summary.trainingPatches
                let paths = layout.patchPaths(number, test: heldOut[index])
                try writePhoto(crop(input), to: paths.phone, options: options)
                try writePhoto(crop(target), to: paths.canon, options: options)
                if heldOut[index] { summary.testPatches += 1 } else { summary.trainingPatches += 1 }
            }
        }
    }
    guard summary.photos > 0 else { throw DataError("\(output): none of the \(sources.count) source photos could be used") }
    return summary
}

/// Paths of the DPED layout under `<dped>/<phone>`.
struct DPEDWriter {
    let root: URL
    let phone: String

    var folders: [URL] {
        [
            root.appendingPathComponent("training_data/\(phone)"), root.appendingPathComponent("training_data/canon"),
            root.appendingPathComponent("test_data/patches/\(phone)"), root.appendingPathComponent("test_data/patches/canon"),
            root.appendingPathComponent("test_data/full_size_test_images"),
        ]
    }

    func createFolders() throws {
        for folder in folders {
            try createFolder(folder.path)
        }
    }

    func patchPaths(_ number: Int, test: Bool) -> (phone: String, canon: String) {
        let base = test ? "test_data/patches" : "training_data"
        return (root.appendingPathComponent("\(base)/\(phone)/\(number).jpg").path,
                root.appendingPathComponent("\(base)/canon/\(number).jpg").path)
    }

    func fullSizePath(_ number: Int) -> String {
        root.appendingPathComponent("test_data/full_size_test_images/\(number).jpg").path
    }
}

/// Photo files in `folder` (not recursive) in natural order, for `synthesizeDPED`.
public func sourcePhotos(in folder: String) throws -> [String] {
    let url = URL(fileURLWithPath: folder)
    try requireDirectory(url)
    return photos(in: url)
}
