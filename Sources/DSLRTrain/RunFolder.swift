import DSLRData
import DSLREnhance
import DSLRModels
import DSLRNN
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
        do { try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true) } catch {
            throw RecipeError("\(url.path): cannot create the run folder (\(error.localizedDescription))")
        }
    }
}

/// One line of `metrics.jsonl`. `kind` is "train" (every `log.every` iterations: `losses`
/// holds each generator loss unweighted, `total` the weighted sum, plus
/// `discriminator_loss`/`discriminator_accuracy` in GAN runs, `lr`, `its_per_second`,
/// `loss_scale` for fp16, `skipped` when fp16 skipped the step), "eval" (`metrics`:
/// psnr, ssim, ssim_luma, ms_ssim (images over 160 px), ms_ssim_dped, averaged over `images`
/// held-out images; `identity` and `classic` the same for the untouched input and for the
/// classic enhancer, the two baselines), "checkpoint" (`path`) or "stop" (`reason`).
/// `iteration` counts completed iterations; `time` is seconds since the (re)start.
public struct MetricsRecord: Sendable, Codable, Equatable {
    public var kind: String
    public var iteration: Int
    public var time: Double
    public var losses: [String: Double]?
    public var total: Double?
    public var discriminatorLoss: Double?
    public var discriminatorAccuracy: Double?
    public var lr: Double?
    public var itsPerSecond: Double?
    public var lossScale: Double?
    public var skipped: Bool?
    public var metrics: [String: Double]?
    public var identity: [String: Double]?
    public var classic: [String: Double]?
    public var images: Int?
    public var path: String?
    public var reason: String?

    public init(kind: String, iteration: Int, time: Double) {
        self.kind = kind; self.iteration = iteration; self.time = time
    }

    enum CodingKeys: String, CodingKey {
        case kind, iteration, time, losses, total, lr, skipped, metrics, identity, classic, images, path, reason
        case discriminatorLoss = "discriminator_loss", discriminatorAccuracy = "discriminator_accuracy"
        case itsPerSecond = "its_per_second", lossScale = "loss_scale"
    }
}

/// Appends metrics records to `metrics.jsonl`, one compact JSON object per line.
final class MetricsLog {
    let url: URL
    private let encoder: JSONEncoder

    init(_ url: URL) {
        self.url = url
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
    }

    func append(_ record: MetricsRecord) throws {
        var line = try encoder.encode(record)
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

    /// Drops records after `iteration`: on resume, what the stopped run logged after its
    /// last checkpoint is logged again by the resumed run.
    func truncate(after iteration: Int) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else { return }
        let decoder = JSONDecoder()
        let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in
            guard let r = try? decoder.decode(MetricsRecord.self, from: Data(line.utf8)) else { return false }
            return r.iteration <= iteration
        }
        try Data((kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).utf8).write(to: url, options: .atomic)
    }

    /// Every record in a metrics file.
    static func read(_ url: URL) throws -> [MetricsRecord] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(MetricsRecord.self, from: Data($0.utf8)) }
    }
}

extension RunFolder {
    /// The records of `metrics.jsonl`, in order.
    public func readMetrics() throws -> [MetricsRecord] { try MetricsLog.read(metrics) }
}

/// What a checkpoint's metadata (`dslrkit.train`) holds besides the tensors.
struct TrainState: Codable, Equatable {
    var iteration: Int
    var loader: LoaderPosition
    var generatorScaler: LossScaler?
    var discriminatorScaler: LossScaler?
    var generatorOptimizer: [String: String]
    var discriminatorOptimizer: [String: String]?
    var generatorArchitecture: String
    var discriminatorArchitecture: String?

    static let metadataKey = "dslrkit.train"
}

/// Writes the generator as a model file `dslr enhance --model` can run.
func writeModel(_ generator: TrainableNetwork, card: ModelCard, to url: URL) throws {
    let json = String(decoding: try JSONEncoder().encode(card), as: UTF8.self)
    try Checkpoint.save(generator.module.stateDict(),
                        metadata: generator.metadata.merging([ModelCard.metadataKey: json]) { a, _ in a }, to: url)
}
