import DSLRData
import DSLREnhance
import DSLRMetrics
import DSLRModels
import DSLRPhoto
import DSLRTensor
import Foundation

// `dslr eval`: every model on the same held-out pairs, scored with qualityMetrics, timed on
// the model call alone, next to two baselines that frame the numbers: `identity` (the phone
// photo itself: what doing nothing scores) and `classic` (the untrained enhancer).

/// An input photo and its reference.
public struct EvalPair: Sendable, Equatable {
    public var name: String
    public var input: String
    public var target: String
    public init(name: String, input: String, target: String) { self.name = name; self.input = input; self.target = target }
}

/// The pairs of `source` to evaluate: the chosen split (every pair for a plain folder), at
/// most `maxImages` of them in the dataset's order. Problems listing the dataset (a file
/// without partner, sizes that differ, unreadable headers) go to `report`.
public func evalPairs(
    _ source: EvalDataSource, split: DatasetPart = .test, maxImages: Int? = nil, report: (String) -> Void = { _ in }
) throws -> [EvalPair] {
    let dataset: Dataset
    do { dataset = try makeDataset(source.spec, report: report) } catch let error as DataError {
        throw EvalError(error.message)
    }
    guard dataset.kind == .paired else {
        throw EvalError("\(source.spec.root): '\(source.spec.name)' is unpaired; evaluation needs targets for its inputs")
    }
    guard dataset.input == .rgb else {
        throw EvalError("\(source.spec.root): '\(source.spec.name)' has raw inputs; dslr eval compares RGB photo pairs")
    }
    let part = dataset.split(source.allPairs ? .train : split)
    var pairs = zip(part.inputs, part.targets).map { input, target in
        EvalPair(name: (input as NSString).lastPathComponent, input: input, target: target)
    }
    if let maxImages { pairs = Array(pairs.prefix(max(0, maxImages))) }
    guard !pairs.isEmpty else {
        let which = source.allPairs ? "pairs" : "\(split.rawValue) pairs"
        throw EvalError("\(source.spec.root): no \(which) to evaluate (try --split \(split == .test ? "train" : "test"))")
    }
    return pairs
}

/// The `identity` baseline: the input is the output.
public func identityModel() -> LoadedModel {
    let card = ModelCard(name: "identity", architecture: "identity", summary: "The input photo as the output (no enhancement).")
    // ModelEntry has no public initialiser: the classic entry, relabelled, is one without weights.
    var entry = ModelRegistry.standard().entries[0]
    entry.card = card
    return LoadedModel(entry: entry, function: { $0 })
}

/// `identity`, `classic`, then the named models (names or weight paths) in order, each once.
public func evalModels(
    _ names: [String], registry: ModelRegistry = .standard(), device: Device = .cpu, precision: Precision = .fp32
) throws -> [LoadedModel] {
    var models = [identityModel(), try LoadedModel.load(registry.resolve("classic"))]
    var seen: Set<String> = ["identity", "classic"]
    for name in names where seen.insert(name).inserted {
        models.append(try LoadedModel.load(registry.resolve(name), device: device, precision: precision))
    }
    return models
}

/// One image's scores for one model.
public struct ImageScore: Sendable, Equatable {
    public var pair: String
    /// qualityMetrics' keys: psnr, ssim, ssim_luma, ms_ssim (sides over 160 px), ms_ssim_dped;
    /// a metric that is NaN for this image is absent.
    public var metrics: [String: Double]
    /// Model time alone (decoding and metrics excluded).
    public var seconds: Double
    public var megapixels: Double
    public init(pair: String, metrics: [String: Double], seconds: Double, megapixels: Double) {
        self.pair = pair; self.metrics = metrics; self.seconds = seconds; self.megapixels = megapixels
    }
}

/// One model's scores over the pairs.
public struct ModelScore: Sendable, Equatable {
    public var model: String
    public var summary: String
    public var images: [ImageScore] = []
    /// Pairs the model failed on, with the error.
    public var failures: [String] = []

    public init(model: String, summary: String, images: [ImageScore] = [], failures: [String] = []) {
        self.model = model; self.summary = summary; self.images = images; self.failures = failures
    }

    /// Each metric averaged over the images that have it (PSNR: the mean of per-image dB).
    public var mean: [String: Double] {
        var result: [String: Double] = [:]
        for key in Set(images.flatMap(\.metrics.keys)) {
            let values = images.compactMap { $0.metrics[key] }
            result[key] = values.reduce(0, +) / Double(values.count)
        }
        return result
    }

    /// Model seconds per megapixel of input, over all images.
    public var secondsPerMegapixel: Double {
        let mp = images.map(\.megapixels).reduce(0, +)
        return mp > 0 ? images.map(\.seconds).reduce(0, +) / mp : .nan
    }
}

/// Crops of one pair saved for the before/after grid: file names relative to the crop
/// folder's parent, by "input", "target" and model name.
public struct EvalCrop: Sendable, Equatable {
    public var pair: String
    public var files: [String: String]
    public init(pair: String, files: [String: String]) { self.pair = pair; self.files = files }
}

/// What `dslr eval` reports.
public struct EvalResult: Sendable, Equatable {
    public var dataset: String
    public var split: String
    public var pairCount: Int
    public var models: [ModelScore]
    /// Pairs left out entirely (unreadable, or input and target of different sizes).
    public var skipped: [String]
    public var crops: [EvalCrop]
    public var device: String

    public init(
        dataset: String, split: String, pairCount: Int, models: [ModelScore], skipped: [String] = [], crops: [EvalCrop] = [],
        device: String = "cpu"
    ) {
        self.dataset = dataset; self.split = split; self.pairCount = pairCount; self.models = models
        self.skipped = skipped; self.crops = crops; self.device = device
    }

    /// The metric columns every table shows, in order; super-resolution pairs add `psnr_y`.
    public var metricColumns: [String] {
        ["psnr", "ssim", "ms_ssim", "ms_ssim_dped", "ssim_luma"]
            + (models.contains { $0.images.contains { $0.metrics["psnr_y"] != nil } } ? ["psnr_y"] : [])
    }
}

/// Settings of an evaluation.
public struct EvalOptions: Sendable {
    public var tiling: TilingOptions
    /// Where the before/after crops go (nil: none are saved).
    public var cropFolder: URL?
    /// How many pairs get crops, and their side in pixels.
    public var cropCount: Int
    public var cropSize: Int
    public init(tiling: TilingOptions = TilingOptions(), cropFolder: URL? = nil, cropCount: Int = 4, cropSize: Int = 256) {
        self.tiling = tiling; self.cropFolder = cropFolder; self.cropCount = cropCount; self.cropSize = cropSize
    }
}

/// Progress of an evaluation: a pair finished (`line` summarises it) or a step inside one.
public enum EvalProgress {
    case step(String)
    case pairDone(index: Int, line: String)
}

/// Runs every model on every pair and scores the outputs against the targets.
///
/// Each pair is decoded once and handed to every model. A pair that cannot be read, or whose
/// input and target differ in size, is reported and skipped; a model that fails on a pair
/// loses only that pair. Each model first runs once, untimed, on a small crop, so one-time
/// start-up work (allocations, CUDA kernels) does not land on the first photo's time.
///
/// - Parameter read: decodes a photo to [3, H, W] float pixels (tests substitute their own).
public func evaluate(
    models: [LoadedModel], pairs: [EvalPair], dataset: String, split: String, options: EvalOptions = EvalOptions(),
    read: (String) throws -> Tensor = { try readPhoto($0).pixels },
    progress: (EvalProgress) -> Void = { _ in }
) -> EvalResult {
    var result = EvalResult(
        dataset: dataset, split: split, pairCount: pairs.count,
        models: uniqueLabels(models.map(\.entry.card.name)).enumerated().map { i, label in
            ModelScore(model: label, summary: models[i].entry.card.summary)
        },
        skipped: [], crops: [], device: models.last.map { "\($0.device)" } ?? "cpu")
    var warmedUp = Set<Int>()
    for (index, pair) in pairs.enumerated() {
        progress(.step("\(pair.name): reading"))
        let input: Tensor, target: Tensor, scale: Int
        do {
            input = try read(pair.input).unsqueeze(0)
            target = try read(pair.target).unsqueeze(0)
            scale = target.shape[3] / max(input.shape[3], 1)
            guard scale >= 1, target.shape[2] == input.shape[2] * scale, target.shape[3] == input.shape[3] * scale else {
                throw EvalError("\(pair.input): input \(input.shape[3])×\(input.shape[2]) but target \(pair.target) is \(target.shape[3])×\(target.shape[2])")
            }
        } catch {
            let message = oneLine(error, naming: pair.input)
            result.skipped.append(message)
            progress(.pairDone(index: index, line: "skipped: \(message)"))
            continue
        }
        let megapixels = Double(input.shape[2] * input.shape[3]) / 1e6
        var crop = EvalCrop(pair: pair.name, files: [:])
        let keepCrop = options.cropFolder != nil && result.crops.count < options.cropCount
        if keepCrop {
            crop.files["input"] = saveCrop(input, pair: result.crops.count, role: "input", options)
            crop.files["target"] = saveCrop(target, pair: result.crops.count, role: "target", options)
        }
        var summary: [String] = []
        for (m, model) in models.enumerated() {
            let name = result.models[m].model
            do {
                if warmedUp.insert(m).inserted {
                    progress(.step("\(pair.name): warming up \(name)"))
                    _ = try model.enhance(try centerCrop(input, size: 64).contiguous(), tiling: options.tiling)
                }
                guard model.scale == scale || model.scale == 1 else {
                    throw EvalError("\(pair.input): \(name) enlarges ×\(model.scale) but the target is ×\(scale) the input")
                }
                let start = DispatchTime.now().uptimeNanoseconds
                var output = try model.enhance(input, tiling: options.tiling) { done, total in
                    progress(.step("\(pair.name): \(name) \(min(done + 1, total))/\(total)"))
                }
                // On super-resolution pairs a model that keeps the size is followed by bicubic
                // enlargement (so identity is the bicubic baseline).
                if output.shape != target.shape {
                    output = try bicubicEnlargement(output, like: target)
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                // A metric undefined for this image (NaN: DPED's MS-SSIM on tiny images) is left
                // out rather than poisoning the mean; +inf PSNR (identical images) is kept.
                let metrics = try qualityMetrics(output: output, target: target, shave: scale > 1 ? scale : nil)
                    .filter { !$0.value.isNaN }
                result.models[m].images.append(ImageScore(pair: pair.name, metrics: metrics, seconds: seconds, megapixels: megapixels))
                summary.append(String(format: "%@ %.2f dB", name, metrics["psnr"] ?? .nan))
                // The identity output is the input, already saved.
                if keepCrop && name != "identity" {
                    crop.files[name] = saveCrop(output, pair: result.crops.count, role: name, options)
                }
            } catch {
                result.models[m].failures.append(oneLine(error, naming: pair.input))
                summary.append("\(name) failed")
            }
        }
        if keepCrop { result.crops.append(crop) }
        progress(.pairDone(index: index, line: "\(pair.name): " + summary.joined(separator: ", ")))
    }
    return result
}

/// Saves a centre crop as PNG; returns its path relative to the crop folder's parent, or nil
/// when saving failed (crops are illustrations, never worth failing an evaluation for).
func saveCrop(_ image: Tensor, pair: Int, role: String, _ options: EvalOptions) -> String? {
    guard let folder = options.cropFolder else { return nil }
    let file = "\(pair)_\(safeFileName(role)).png"
    do {
        try createFolder(folder.path)
        let pixels = try viewable(try centerCrop(image, size: options.cropSize))
        try writePhoto(Photo(pixels: pixels), to: folder.appendingPathComponent(file).path,
                       options: EncodeOptions(pngCompression: 3, keepMetadata: false))
        return folder.lastPathComponent + "/" + file
    } catch {
        return nil
    }
}

/// Names made distinct ("dped", "dped (2)") so that two weight files with the same card
/// name get separate rows.
func uniqueLabels(_ names: [String]) -> [String] {
    var count: [String: Int] = [:]
    return names.map { name in
        count[name, default: 0] += 1
        return count[name]! == 1 ? name : "\(name) (\(count[name]!))"
    }
}

/// Letters, digits, '-', '_' and '.' kept; anything else becomes '_'.
func safeFileName(_ s: String) -> String {
    String(s.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
}

/// An error as one line that names `file` exactly once.
func oneLine(_ error: any Error, naming file: String) -> String {
    let text = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    return text.contains(file) ? text : "\(file): \(text)"
}
