import Foundation

/// What a model is and where it came from: stored as JSON in its weights file's metadata
/// (`dslrkit.card`), so the card travels with the weights.
public struct ModelCard: Codable, Sendable, Equatable {
    public var name: String
    /// Architecture name (see `Architectures`), or "classic" for the untrained enhancer.
    public var architecture: String
    public var summary: String
    /// The data it was trained on.
    public var trainedOn: String?
    /// The recipe file it was trained with.
    public var recipe: String?
    /// The exact command that produced it.
    public var command: String?
    /// Held-out metrics (e.g. "psnr", "ssim", "ms_ssim").
    public var metrics: [String: Double]?
    /// The same metrics of the baselines on the same images, by baseline ("identity",
    /// "classic"), so the card shows what the model adds.
    public var baselines: [String: [String: Double]]?
    /// Where `metrics` were measured (dataset, split, number of images).
    public var evaluatedOn: String?
    public var license: String?

    public init(
        name: String, architecture: String, summary: String, trainedOn: String? = nil, recipe: String? = nil,
        command: String? = nil, metrics: [String: Double]? = nil, baselines: [String: [String: Double]]? = nil,
        evaluatedOn: String? = nil, license: String? = nil
    ) {
        self.name = name; self.architecture = architecture; self.summary = summary
        self.trainedOn = trainedOn; self.recipe = recipe; self.command = command
        self.metrics = metrics; self.baselines = baselines; self.evaluatedOn = evaluatedOn; self.license = license
    }

    /// The metadata key holding the card.
    public static let metadataKey = "dslrkit.card"
}
