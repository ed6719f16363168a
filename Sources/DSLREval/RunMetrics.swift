import DSLRTrain
import Foundation

// The report's view of a run folder's metrics.jsonl. The format has one owner, DSLRTrain's
// `MetricsRecord` (one writer, `MetricsLog`; one reader, `parseMetricsFile`, which also reads
// the spellings of older run folders); this file only sorts its records into what the
// charts and tables plot.

/// One "train" record, as charted.
public struct TrainRecord: Sendable, Equatable {
    public var iteration: Int
    /// Each loss term by name.
    public var losses: [String: Double]
    public var total: Double
    public var lr: Double
    /// Iterations per second over the logging interval.
    public var itPerS: Double?
    /// Share of real and fake patches the discriminator classified correctly (GAN recipes).
    public var dAccuracy: Double?
    /// The discriminator's own loss (GAN recipes).
    public var dLoss: Double?

    public init(
        iteration: Int, losses: [String: Double], total: Double, lr: Double, itPerS: Double? = nil,
        dAccuracy: Double? = nil, dLoss: Double? = nil
    ) {
        self.iteration = iteration; self.losses = losses; self.total = total; self.lr = lr
        self.itPerS = itPerS; self.dAccuracy = dAccuracy; self.dLoss = dLoss
    }
}

/// One "eval" record: held-out metrics at an iteration.
public struct EvalRecord: Sendable, Equatable {
    public var iteration: Int
    /// `psnr`, `ssim`, and optionally `ms_ssim`, `ms_ssim_dped`, ... by name.
    public var metrics: [String: Double]
    /// The same metrics for the untouched input (the identity baseline), when logged.
    public var identity: [String: Double]
    /// The same metrics for the classic enhancer's output, when logged.
    public var classic: [String: Double]

    public init(iteration: Int, metrics: [String: Double], identity: [String: Double] = [:], classic: [String: Double] = [:]) {
        self.iteration = iteration; self.metrics = metrics; self.identity = identity; self.classic = classic
    }
}

/// The charted content of a metrics.jsonl file.
public struct RunMetrics: Sendable, Equatable {
    public var train: [TrainRecord] = []
    public var eval: [EvalRecord] = []
    /// One line per line that could not be read (e.g. the half-written last line of a run
    /// that was killed); those lines are skipped.
    public var problems: [String] = []

    public init(train: [TrainRecord] = [], eval: [EvalRecord] = [], problems: [String] = []) {
        self.train = train; self.eval = eval; self.problems = problems
    }

    /// Reads `url`; a missing file is an empty log.
    public static func read(_ url: URL) throws -> RunMetrics {
        do { return view(try readMetricsFile(url)) } catch let error as RecipeError { throw EvalError(error.message) }
    }

    /// Parses metrics.jsonl text; `source` names the file in problems.
    public static func parse(_ text: String, source: String = "metrics.jsonl") -> RunMetrics {
        view(parseMetricsFile(text, source: source))
    }

    /// Train and eval records sorted out; checkpoints and stops are not charted.
    static func view(_ file: MetricsFile) -> RunMetrics {
        var log = RunMetrics(problems: file.problems)
        for record in file.records {
            switch record.kind {
            case .train:
                let losses = record.losses ?? [:]
                guard let total = record.total ?? (losses.isEmpty ? nil : losses.values.reduce(0, +)) else {
                    log.problems.append("iteration \(record.iteration): train record without 'total' or 'losses'")
                    continue
                }
                log.train.append(TrainRecord(
                    iteration: record.iteration, losses: losses, total: total, lr: record.lr ?? .nan,
                    itPerS: record.itsPerSecond, dAccuracy: record.discriminatorAccuracy, dLoss: record.discriminatorLoss))
            case .eval:
                guard let metrics = record.metrics else { continue }  // an evaluation that measured nothing
                log.eval.append(EvalRecord(iteration: record.iteration, metrics: metrics,
                                           identity: record.identity ?? [:], classic: record.classic ?? [:]))
            default:
                continue
            }
        }
        return log
    }
}

/// A number JSON can hold, or null.
func jsonNumber(_ value: Double) -> Any { value.isFinite ? value : NSNull() }
