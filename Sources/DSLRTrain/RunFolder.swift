import DSLRData
import DSLRModels
import DSLRNN
import DSLRPhoto
import DSLRTensor
import Foundation

/// A run folder:
///
///     RUN/recipe.yaml                  the recipe as run (overrides applied)
///     RUN/metrics.jsonl                one JSON object per line (see `MetricsRecord`)
///     RUN/checkpoints/latest.safetensors, RUN/checkpoints/iter-00001000.safetensors
///     RUN/model.safetensors            the generator with its model card, for `dslr enhance`
public struct RunFolder: Sendable {
    public let url: URL
    public init(_ url: URL) { self.url = url }

    public var recipe: URL { url.appendingPathComponent("recipe.yaml") }
    public var metrics: URL { url.appendingPathComponent("metrics.jsonl") }
    public var checkpoints: URL { url.appendingPathComponent("checkpoints", isDirectory: true) }
    public var latest: URL { checkpoints.appendingPathComponent("latest.safetensors") }
    public var model: URL { url.appendingPathComponent("model.safetensors") }
    /// Held-out crops written at each evaluation (`iter_<N>_<k>_{input,output,target}.png`).
    public var samples: URL { url.appendingPathComponent("samples", isDirectory: true) }
    public func checkpoint(iteration: Int) -> URL {
        checkpoints.appendingPathComponent(String(format: "iter-%08d.safetensors", iteration))
    }

    func create() throws {
        do { try createFolder(checkpoints.path) } catch let error as PhotoError {
            throw RecipeError("\(url.path): cannot create the run folder (\(error))")
        }
    }
}

/// The kind of a metrics record.
public struct RecordKind: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
    /// Every `log.every` iterations: losses, total, learning rate, speed.
    public static let train: RecordKind = "train"
    /// Held-out metrics of the product network and its baselines.
    public static let eval: RecordKind = "eval"
    /// A checkpoint was written (`path`).
    public static let checkpoint: RecordKind = "checkpoint"
    /// The run stopped (`reason`).
    public static let stop: RecordKind = "stop"
}

/// One line of `metrics.jsonl`, the run folder's log, whose only writer is `MetricsLog` and
/// whose only reader is `readMetricsFile` (used by training, `dslr report` and `dslr eval`).
/// `kind` is "train" (`losses` holds each loss unweighted, `total` the weighted sum, plus
/// `discriminator_loss`/`discriminator_accuracy` in GAN runs, `lr`, `its_per_second`,
/// `loss_scale` for fp16, `skipped` when fp16 skipped the step), "eval" (`metrics`:
/// psnr, ssim, ssim_luma, ms_ssim (images over 160 px), ms_ssim_dped, averaged over `images`
/// held-out images; `identity` and `classic` the same for the untouched input and for the
/// classic enhancer, the two baselines), "checkpoint" (`path`) or "stop" (`reason`).
/// `iteration` counts completed iterations; `time` is seconds since the (re)start.
/// Numbers JSON cannot hold (NaN, infinities) are written as null and read back as missing.
public struct MetricsRecord: Sendable, Codable, Equatable {
    public var kind: RecordKind
    public var iteration: Int
    public var time: Double
    public var losses: [String: Double]?
    public var total: Double?
    public var discriminatorLoss: Double?
    public var discriminatorAccuracy: Double?
    public var lr: Double?
    public var itsPerSecond: Double?
    public var lossScale: Double?
    /// The pyramid level a `pynet-levels` step trained.
    public var level: Int?
    public var skipped: Bool?
    public var metrics: [String: Double]?
    public var identity: [String: Double]?
    public var classic: [String: Double]?
    public var images: Int?
    public var path: String?
    public var reason: String?

    public init(kind: RecordKind, iteration: Int, time: Double) {
        self.kind = kind; self.iteration = iteration; self.time = time
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, iteration, time, losses, total, lr, level, skipped, metrics, identity, classic, images, path, reason
        case discriminatorLoss = "discriminator_loss", discriminatorAccuracy = "discriminator_accuracy"
        case itsPerSecond = "its_per_second", lossScale = "loss_scale"
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    /// Spellings of the report's first writer, still read.
    private enum OldKeys: String, CodingKey { case itPerS = "it_per_s", dAccuracy = "d_accuracy", dLoss = "d_loss" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
        func put(_ x: Double?, _ key: CodingKeys) throws {
            guard let x else { return }
            try c.encode(finite(x), forKey: key)  // nil (non-finite) is written as null
        }
        func put(_ d: [String: Double]?, _ key: CodingKeys) throws {
            guard let d else { return }
            try c.encode(d.mapValues(finite), forKey: key)
        }
        try c.encode(kind, forKey: .kind)
        try c.encode(iteration, forKey: .iteration)
        try put(time, .time)
        try put(losses, .losses)
        try put(total, .total)
        try put(discriminatorLoss, .discriminatorLoss)
        try put(discriminatorAccuracy, .discriminatorAccuracy)
        try put(lr, .lr)
        try put(itsPerSecond, .itsPerSecond)
        try put(lossScale, .lossScale)
        try c.encodeIfPresent(level, forKey: .level)
        try c.encodeIfPresent(skipped, forKey: .skipped)
        try put(metrics, .metrics)
        try put(identity, .identity)
        try put(classic, .classic)
        try c.encodeIfPresent(images, forKey: .images)
        try c.encodeIfPresent(path, forKey: .path)
        try c.encodeIfPresent(reason, forKey: .reason)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let old = try decoder.container(keyedBy: OldKeys.self)
        func number(_ key: CodingKeys) -> Double? { (try? c.decodeIfPresent(Double.self, forKey: key)) ?? nil }
        func table(_ key: CodingKeys) -> [String: Double]? {
            ((try? c.decodeIfPresent([String: Double?].self, forKey: key)) ?? nil)?.compactMapValues { $0 }
        }
        kind = try c.decode(RecordKind.self, forKey: .kind)
        iteration = try c.decode(Int.self, forKey: .iteration)
        time = number(.time) ?? 0
        losses = table(.losses)
        total = number(.total)
        discriminatorLoss = number(.discriminatorLoss) ?? ((try? old.decodeIfPresent(Double.self, forKey: .dLoss)) ?? nil)
        discriminatorAccuracy = number(.discriminatorAccuracy) ?? ((try? old.decodeIfPresent(Double.self, forKey: .dAccuracy)) ?? nil)
        lr = number(.lr)
        itsPerSecond = number(.itsPerSecond) ?? ((try? old.decodeIfPresent(Double.self, forKey: .itPerS)) ?? nil)
        lossScale = number(.lossScale)
        level = try c.decodeIfPresent(Int.self, forKey: .level)
        skipped = try c.decodeIfPresent(Bool.self, forKey: .skipped)
        metrics = table(.metrics)
        identity = table(.identity)
        classic = table(.classic)
        images = try c.decodeIfPresent(Int.self, forKey: .images)
        path = try c.decodeIfPresent(String.self, forKey: .path)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        if kind == .eval, metrics == nil {
            // The report's first writer put eval metrics at the top level.
            let any = try decoder.container(keyedBy: AnyKey.self)
            let known = Set(CodingKeys.allCases.map(\.rawValue))
            var flat: [String: Double] = [:]
            for key in any.allKeys where !known.contains(key.stringValue) {
                if let value = (try? any.decodeIfPresent(Double.self, forKey: key)) ?? nil { flat[key.stringValue] = value }
            }
            metrics = flat
        }
    }
}

/// The records of a metrics.jsonl file and the lines that could not be read (e.g. the
/// half-written last line of a killed run), which are skipped.
public struct MetricsFile: Sendable, Equatable {
    public var records: [MetricsRecord]
    public var problems: [String]
}

/// Parses metrics.jsonl text; `source` names the file in problems.
public func parseMetricsFile(_ text: String, source: String = "metrics.jsonl") -> MetricsFile {
    var file = MetricsFile(records: [], problems: [])
    let decoder = JSONDecoder()
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { continue }
        do {
            file.records.append(try decoder.decode(MetricsRecord.self, from: Data(trimmed.utf8)))
        } catch DecodingError.keyNotFound(let key, _) {
            file.problems.append("\(source):\(index + 1): no '\(key.stringValue)'")
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.first?.stringValue == "iteration" {
            file.problems.append("\(source):\(index + 1): no integer 'iteration'")
        } catch {
            file.problems.append("\(source):\(index + 1): not a metrics record")
        }
    }
    return file
}

/// Reads a run folder's metrics.jsonl; a missing file is an empty log.
public func readMetricsFile(_ url: URL) throws -> MetricsFile {
    guard FileManager.default.fileExists(atPath: url.path) else { return MetricsFile(records: [], problems: []) }
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
        throw RecipeError("\(url.path): cannot read the metrics log (\(error.localizedDescription))")
    }
    return parseMetricsFile(text, source: url.path)
}

/// Appends metrics records to `metrics.jsonl`, one compact JSON object per line.
public final class MetricsLog {
    public let url: URL
    private let encoder: JSONEncoder

    public init(_ url: URL) {
        self.url = url
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// Appends `record` as one line, creating the file and its folder if needed.
    public func append(_ record: MetricsRecord) throws {
        var line = try encoder.encode(record)
        line.append(0x0A)
        let fm = FileManager.default
        if !fm.fileExists(atPath: url.path) {
            try createFolder(url.deletingLastPathComponent().path)
            _ = fm.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

    /// Drops records after `iteration`: on resume, what the stopped run logged after its
    /// last checkpoint is logged again by the resumed run.
    func truncate(after iteration: Int) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let kept = try readMetricsFile(url).records.filter { $0.iteration <= iteration }
        let text = try kept.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
        try writeAtomically(text, to: url.path)
    }
}

extension RunFolder {
    /// The records of `metrics.jsonl`, in order (unreadable lines skipped).
    public func readMetrics() throws -> [MetricsRecord] { try readMetricsFile(metrics).records }
}

/// Writes the generator as a model file `dslr enhance --model` can run.
func writeModel(_ generator: TrainableNetwork, card: ModelCard, to url: URL) throws {
    let json = String(decoding: try JSONEncoder().encode(card), as: UTF8.self)
    try Checkpoint.save(generator.module.stateDict(),
                        metadata: generator.metadata.merging([ModelCard.metadataKey: json]) { a, _ in a }, to: url)
}
