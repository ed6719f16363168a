import DSLRPhoto
import DSLRTensor
import Foundation

/// A dataset as a training config names it: a layout `name`, a `root` folder and
/// layout-specific `options` (strings, as they come from a config file).
public struct DatasetSpec: Sendable, Codable, Equatable {
    public var name: String
    public var root: String
    public var options: [String: String]
    public init(name: String, root: String, options: [String: String] = [:]) {
        self.name = name; self.root = root; self.options = options
    }
}

/// Whether inputs and targets come in matched pairs or as two independent sets (for the
/// weakly-supervised models, which only need "low" and "high" quality examples).
public enum DatasetKind: String, Sendable, Codable {
    case paired, unpaired
}

/// How an input file becomes a tensor.
public enum InputEncoding: String, Sendable, Codable {
    /// A photo: float [3, H, W] in [0, 1].
    case rgb
    /// A 16-bit single-channel Bayer PNG packed as PyNET does: [4, H/2, W/2] / 1020.
    case pynetBayer
}

/// The files of one split. For a paired dataset `inputs[i]` and `targets[i]` are partners;
/// for an unpaired one they are independent lists.
public struct DatasetSplit: Sendable, Equatable {
    public var inputs: [String]
    public var targets: [String]
    public init(inputs: [String] = [], targets: [String] = []) { self.inputs = inputs; self.targets = targets }
    public var isEmpty: Bool { inputs.isEmpty || targets.isEmpty }
}

/// Which part of a dataset.
public enum DatasetPart: String, Sendable, Codable {
    case train, test
}

/// How files are read: headers for validation, pixels for loading. Tests substitute
/// in-memory images; the default reads files with DSLRPhoto.
public struct PhotoReader: Sendable {
    public var header: @Sendable (String) throws -> (width: Int, height: Int)
    public var pixels: @Sendable (String) throws -> Photo
    public init(header: @escaping @Sendable (String) throws -> (width: Int, height: Int),
                pixels: @escaping @Sendable (String) throws -> Photo) {
        self.header = header; self.pixels = pixels
    }
    /// Files on disk, through DSLRPhoto.
    public static let files = PhotoReader(
        header: { path in let info = try photoInfo(path); return (info.width, info.height) },
        pixels: { path in try readPhoto(path) })
}

/// A listed, validated dataset: which files make the training and held-out splits and how
/// to turn them into tensors.
public struct Dataset: Sendable {
    public var spec: DatasetSpec
    public var kind: DatasetKind
    public var input: InputEncoding
    /// Target pixels per input pixel along each side (2 for packed Bayer inputs, whose
    /// 2×2 cells become one pixel).
    public var targetScale: Int
    public var train: DatasetSplit
    public var test: DatasetSplit
    /// Inputs without targets kept for visual checks (DPED's full_size_test_images,
    /// Zurich's huawei_full_resolution).
    public var fullSizeTest: [String]
    /// One line per skipped file (missing partner, unreadable, size mismatch).
    public var problems: [String]
    public var reader: PhotoReader

    public func split(_ part: DatasetPart) -> DatasetSplit { part == .train ? train : test }

    /// The input at `path` as [C, H, W] float32.
    public func loadInput(_ path: String) throws -> Tensor {
        let photo = try reader.pixels(path)
        switch input {
        case .rgb: return photo.pixels
        case .pynetBayer:
            let maxCount = Double((1 << photo.bitDepth) - 1)
            return try PyNETBayer.pack((photo.pixels.select(0, 0) * maxCount).round())
        }
    }

    /// The target at `path` as [3, H, W] float32 in [0, 1].
    public func loadTarget(_ path: String) throws -> Tensor { try reader.pixels(path).pixels }
}

/// The dataset layouts a config can name.
public enum DatasetLayout: String, Sendable, CaseIterable {
    case dped = "dped"
    case zurichRawToRGB = "zurich-raw-to-rgb"
    case pairedFolders = "paired-folders"
    case unpairedFolders = "unpaired-folders"
}

extension DatasetLayout {
    /// The options this layout reads (plus `validate`, which every layout reads).
    public var optionKeys: [String] {
        let own: [String]
        switch self {
        case .dped: own = ["phone"]
        case .zurichRawToRGB: own = ["raw", "target"]
        case .pairedFolders: own = ["input", "target", "scale", "test-percent"]
        case .unpairedFolders: own = ["low", "high", "test-percent"]
        }
        return (own + ["validate"]).sorted()
    }

    /// Refuses an option this layout does not read: a misspelt one would otherwise be
    /// ignored and the default used without a word.
    public func checkOptions(_ options: [String: String]) throws {
        if let unknown = options.keys.sorted().first(where: { !optionKeys.contains($0) }) {
            throw DataError("unknown option '\(unknown)' for dataset layout '\(rawValue)' (known: \(optionKeys.joined(separator: ", ")))")
        }
    }
}

/// Lists and validates the dataset `spec` names.
///
/// Files with a missing partner, an unreadable header or a size mismatch are reported once
/// each through `report` (and kept in `problems`) and skipped; a training split with no
/// valid pair is an error. Options common to all layouts: `validate` = `headers` (default,
/// reads every header) or `none`.
public func makeDataset(
    _ spec: DatasetSpec, reader: PhotoReader = .files, report: (String) -> Void = { _ in }
) throws -> Dataset {
    guard let layout = DatasetLayout(rawValue: spec.name) else {
        let known = DatasetLayout.allCases.map(\.rawValue).joined(separator: ", ")
        throw DataError("unknown dataset layout '\(spec.name)' (known: \(known))")
    }
    do { try layout.checkOptions(spec.options) } catch let error as DataError {
        throw DataError("\(spec.root): \(error.message)")
    }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: spec.root, isDirectory: &isDir), isDir.boolValue else {
        throw DataError("\(spec.root): dataset folder not found")
    }
    var listing = try listLayout(layout, spec)
    let validate = spec.options["validate"] ?? "headers"
    guard ["headers", "none"].contains(validate) else {
        throw DataError("dataset option validate=\(validate): expected 'headers' or 'none'")
    }
    if validate == "headers" {
        // A packed Bayer file is its target's size; its packing makes the dataset's scale.
        var checker = PairChecker(reader: reader, sizeRatio: listing.input == .rgb ? listing.targetScale : 1)
        listing.train = checker.check(listing.train, kind: listing.kind)
        listing.test = checker.check(listing.test, kind: listing.kind)
        listing.problems += checker.problems
    }
    listing.problems.forEach(report)
    guard !listing.train.isEmpty else {
        let first = listing.problems.first.map { " (first problem: \($0))" } ?? ""
        throw DataError("\(spec.root): dataset '\(spec.name)' has no valid training pair\(first)")
    }
    return Dataset(
        spec: spec, kind: listing.kind, input: listing.input, targetScale: listing.targetScale,
        train: listing.train, test: listing.test, fullSizeTest: listing.fullSizeTest,
        problems: listing.problems, reader: reader)
}

/// Validation by headers: every file must be readable, and partners the same size.
struct PairChecker {
    let reader: PhotoReader
    /// Target size / input file size (Zurich's raw PNGs are the size of their targets
    /// before packing; super-resolution pairs are `scale` apart).
    let sizeRatio: Int
    var problems: [String] = []

    mutating func size(_ path: String) -> (width: Int, height: Int)? {
        do { return try reader.header(path) } catch {
            problems.append("\(path): unreadable (\(error))")
            return nil
        }
    }

    mutating func check(_ split: DatasetSplit, kind: DatasetKind) -> DatasetSplit {
        switch kind {
        case .unpaired:
            return DatasetSplit(
                inputs: split.inputs.filter { size($0) != nil }, targets: split.targets.filter { size($0) != nil })
        case .paired:
            var kept = DatasetSplit()
            for (input, target) in zip(split.inputs, split.targets) {
                let a = size(input), b = size(target)
                guard let a, let b else { continue }
                guard a.width * sizeRatio == b.width, a.height * sizeRatio == b.height else {
                    problems.append("\(input): size \(a.width)×\(a.height) does not match \(target) (\(b.width)×\(b.height))")
                    continue
                }
                kept.inputs.append(input)
                kept.targets.append(target)
            }
            return kept
        }
    }
}
