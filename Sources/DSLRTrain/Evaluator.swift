import DSLRTensor

/// What an evaluation found: the product network's metrics on held-out data and the same
/// metrics of baselines (e.g. `identity`, `classic`) on the same images.
public struct Evaluation: Sendable, Equatable {
    public var metrics: [String: Double]
    public var baselines: [String: [String: Double]]
    public var images: Int
    /// Why nothing was measured (e.g. no held-out images), when `images` is 0.
    public var note: String?
    public init(metrics: [String: Double], baselines: [String: [String: Double]] = [:], images: Int, note: String? = nil) {
        self.metrics = metrics; self.baselines = baselines; self.images = images; self.note = note
    }
}

/// Evaluates a network during training. Training is handed one (the CLI builds DSLREval's
/// held-out evaluator), so that it depends on neither evaluation nor enhancement code.
public protocol Evaluator: AnyObject {
    /// Runs `enhance` (the product network on CPU float32 [1, C, H, W] pixels in [0, 1], no
    /// gradient) over held-out data at `iteration`, writing any samples into `run`.
    func evaluate(_ enhance: (Tensor) throws -> Tensor, iteration: Int, run: RunFolder) throws -> Evaluation
    /// Where the metrics were measured, for the model card.
    var evaluatedOn: String { get }
    /// Called after each evaluation's record is written (e.g. to redraw a report).
    func recorded(_ run: RunFolder) throws
}
