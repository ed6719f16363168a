import Foundation

// The run folder's metrics.jsonl: one JSON object per line, appended by the trainer and read
// by the report. Two kinds of line:
//
//   {"kind": "train", "iteration": 100, "losses": {"content": 0.8, "color": 0.1},
//    "total": 0.95, "lr": 0.0005, "it_per_s": 3.2, "d_accuracy": 0.61}
//   {"kind": "eval", "iteration": 1000, "psnr": 21.3, "ssim": 0.81, "ms_ssim": 0.90}
//
// `d_accuracy` and every eval metric but `psnr` and `ssim` are optional; other numeric keys
// of an eval line (e.g. `ms_ssim_dped`) are kept as further metrics. Non-finite numbers,
// which JSON cannot hold, are written as null and read back as missing.
//
// The reader also accepts the spelling of DSLRTrain's first run folders: `its_per_second`
// for `it_per_s`, `discriminator_accuracy` for `d_accuracy`, an optional
// `discriminator_loss`, eval metrics nested under `"metrics"` with the untouched input's
// under `"identity"`, and other kinds (`checkpoint`, `stop`), which it skips silently.

/// One "train" line of metrics.jsonl.
public struct TrainRecord: Sendable, Equatable {
    public var iteration: Int
    /// Each weighted loss term by name, as it entered the total.
    public var losses: [String: Double]
    public var total: Double
    public var lr: Double
    /// Iterations per second over the logging interval.
    public var itPerS: Double?
    /// Share of real and fake patches the discriminator classified correctly (GAN recipes).
    public var dAccuracy: Double?
    /// The discriminator's own loss (GAN recipes; optional).
    public var dLoss: Double?

    public init(
        iteration: Int, losses: [String: Double], total: Double, lr: Double, itPerS: Double? = nil,
        dAccuracy: Double? = nil, dLoss: Double? = nil
    ) {
        self.iteration = iteration; self.losses = losses; self.total = total; self.lr = lr
        self.itPerS = itPerS; self.dAccuracy = dAccuracy; self.dLoss = dLoss
    }

    /// The line as metrics.jsonl holds it (no trailing newline).
    public var jsonLine: String {
        var object: [String: Any] = [
            "kind": "train", "iteration": iteration, "losses": losses.mapValues(jsonNumber),
            "total": jsonNumber(total), "lr": jsonNumber(lr),
        ]
        if let itPerS { object["it_per_s"] = jsonNumber(itPerS) }
        if let dAccuracy { object["d_accuracy"] = jsonNumber(dAccuracy) }
        if let dLoss { object["d_loss"] = jsonNumber(dLoss) }
        return encodeLine(object)
    }
}

/// One "eval" line of metrics.jsonl: held-out metrics at an iteration.
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

    /// The line as metrics.jsonl holds it (no trailing newline).
    public var jsonLine: String {
        var object: [String: Any] = metrics.mapValues(jsonNumber)
        object["kind"] = "eval"
        object["iteration"] = iteration
        if !identity.isEmpty { object["identity"] = identity.mapValues(jsonNumber) }
        if !classic.isEmpty { object["classic"] = classic.mapValues(jsonNumber) }
        return encodeLine(object)
    }
}

/// The parsed content of a metrics.jsonl file.
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
        guard FileManager.default.fileExists(atPath: url.path) else { return RunMetrics() }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw EvalError("\(url.path): cannot read the metrics log (\(error.localizedDescription))")
        }
        return parse(text, source: url.path)
    }

    /// Parses metrics.jsonl text; `source` names the file in problems.
    public static func parse(_ text: String, source: String = "metrics.jsonl") -> RunMetrics {
        var log = RunMetrics()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let place = "\(source):\(index + 1)"
            guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                log.problems.append("\(place): not a JSON object")
                continue
            }
            guard let iteration = (object["iteration"] as? NSNumber)?.intValue else {
                log.problems.append("\(place): no integer 'iteration'")
                continue
            }
            switch object["kind"] as? String {
            case "train":
                let losses = (object["losses"] as? [String: Any] ?? [:]).compactMapValues(number)
                guard let total = number(object["total"]) ?? (losses.isEmpty ? nil : losses.values.reduce(0, +)) else {
                    log.problems.append("\(place): train line without 'total' or 'losses'")
                    continue
                }
                log.train.append(TrainRecord(
                    iteration: iteration, losses: losses, total: total, lr: number(object["lr"]) ?? .nan,
                    itPerS: number(object["it_per_s"]) ?? number(object["its_per_second"]),
                    dAccuracy: number(object["d_accuracy"]) ?? number(object["discriminator_accuracy"]),
                    dLoss: number(object["d_loss"]) ?? number(object["discriminator_loss"])))
            case "eval":
                var metrics = object.compactMapValues(number)
                for key in ["iteration", "time", "images"] { metrics[key] = nil }
                if let nested = object["metrics"] as? [String: Any] { metrics.merge(nested.compactMapValues(number)) { a, _ in a } }
                let identity = (object["identity"] as? [String: Any] ?? [:]).compactMapValues(number)
                let classic = (object["classic"] as? [String: Any] ?? [:]).compactMapValues(number)
                log.eval.append(EvalRecord(iteration: iteration, metrics: metrics, identity: identity, classic: classic))
            case .some(let other) where !other.isEmpty:
                continue  // checkpoint, stop, ...: not charted
            default:
                log.problems.append("\(place): no 'kind'")
            }
        }
        return log
    }
}

/// Appends one line to a metrics.jsonl file, creating it (and its folder) if needed.
public func appendMetricsLine(_ line: String, to url: URL) throws {
    let fm = FileManager.default
    try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    if !fm.fileExists(atPath: url.path) { _ = fm.createFile(atPath: url.path, contents: nil) }
    guard let handle = FileHandle(forWritingAtPath: url.path) else {
        throw EvalError("\(url.path): cannot open the metrics log for writing")
    }
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data((line + "\n").utf8))
}

/// A number JSON can hold, or null.
func jsonNumber(_ value: Double) -> Any { value.isFinite ? value : NSNull() }

/// A finite number from a JSON value; null and non-numbers are missing.
func number(_ value: Any?) -> Double? {
    guard let d = (value as? NSNumber)?.doubleValue, d.isFinite else { return nil }
    return d
}

func encodeLine(_ object: [String: Any]) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
}
