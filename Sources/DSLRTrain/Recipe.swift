import DSLRData
import DSLRLosses

// A training recipe: everything `dslr train` needs, as a YAML file. Keys are snake_case;
// every section rejects keys it does not know (see `StrictDecoding.swift`), so a typo is an
// error rather than a silently ignored setting.

/// A network by architecture name with its constructor options (numbers or text).
public struct NetworkSpec: Sendable, Equatable, Codable {
    public var architecture: String
    public var options: [String: LossOption]

    enum CodingKeys: String, CodingKey, CaseIterable { case architecture, options }

    public init(architecture: String, options: [String: LossOption] = [:]) {
        self.architecture = architecture
        self.options = options
    }

    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        architecture = try c.decode(String.self, forKey: .architecture)
        options = try c.decodeIfPresent([String: LossOption].self, forKey: .options) ?? [:]
    }
}

/// How the discriminator is trained against the generator.
public enum DiscriminatorLossForm: String, Sendable, Codable, CaseIterable {
    /// DPED: softmax over (DSLR, enhanced), each sample randomly swapped, summed cross-entropy.
    case dped
    /// Standard GAN: BCE-with-logits on real and fake, each a batch mean.
    case nonsaturating
    /// Wasserstein critic with a gradient penalty (StarGAN's; the `stargan` algorithm).
    case wganGP = "wgan-gp"
}

/// The optional adversary.
public struct DiscriminatorSpec: Sendable, Equatable, Codable {
    public var architecture: String
    public var options: [String: LossOption]
    public var loss: DiscriminatorLossForm
    /// Its optimizer; the generator's settings when absent.
    public var optimizer: OptimizerSpec?

    enum CodingKeys: String, CodingKey, CaseIterable { case architecture, options, loss, optimizer }

    public init(architecture: String, options: [String: LossOption] = [:], loss: DiscriminatorLossForm = .dped,
                optimizer: OptimizerSpec? = nil) {
        self.architecture = architecture; self.options = options; self.loss = loss; self.optimizer = optimizer
    }

    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        architecture = try c.decode(String.self, forKey: .architecture)
        options = try c.decodeIfPresent([String: LossOption].self, forKey: .options) ?? [:]
        loss = try c.decodeIfPresent(DiscriminatorLossForm.self, forKey: .loss) ?? .dped
        optimizer = try c.decodeIfPresent(OptimizerSpec.self, forKey: .optimizer)
    }
}

/// The data: a DSLRData layout, its folder and layout options.
public struct DatasetSection: Sendable, Equatable, Codable {
    public var layout: String
    public var root: String
    public var options: [String: String]

    enum CodingKeys: String, CodingKey, CaseIterable { case layout, root, options }

    public init(layout: String, root: String, options: [String: String] = [:]) {
        self.layout = layout; self.root = root; self.options = options
    }

    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        layout = try c.decode(String.self, forKey: .layout)
        root = try c.decode(String.self, forKey: .root)
        options = try c.decodeIfPresent([String: String].self, forKey: .options) ?? [:]
        do { try DatasetLayout(rawValue: layout)?.checkOptions(options) } catch let error as DataError {
            throw invalid(c, .options, error.message)
        }
    }

    public var spec: DatasetSpec { DatasetSpec(name: layout, root: root, options: options) }
}

/// Adam or AdamW settings.
public struct OptimizerSpec: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case adam, adamw }
    public var kind: Kind
    public var lr: Double
    public var betas: [Double]
    public var weightDecay: Double
    public var eps: Double

    public init(kind: Kind = .adam, lr: Double = 1e-4, betas: [Double] = [0.9, 0.999], weightDecay: Double = 0, eps: Double = 1e-8) {
        self.kind = kind; self.lr = lr; self.betas = betas; self.weightDecay = weightDecay; self.eps = eps
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case kind, lr, betas, weightDecay = "weight_decay", eps }

    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        kind = try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .adam
        lr = try c.decode(Double.self, forKey: .lr)
        betas = try c.decodeIfPresent([Double].self, forKey: .betas) ?? [0.9, 0.999]
        weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? (kind == .adamw ? 0.01 : 0)
        eps = try c.decodeIfPresent(Double.self, forKey: .eps) ?? 1e-8
        guard betas.count == 2, betas.allSatisfy({ (0..<1).contains($0) }) else {
            throw invalid(c, .betas, "betas must be two numbers in [0, 1), got \(betas)")
        }
        guard lr > 0, lr.isFinite else { throw invalid(c, .lr, "lr must be positive, got \(lr)") }
    }
}

/// The learning-rate schedule (the same for both networks), by iteration.
public struct ScheduleSpec: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case constant, step, cosine }
    public var kind: Kind
    /// `step`: decay every this many iterations by `gamma`.
    public var stepSize: Int?
    public var gamma: Double?
    /// `cosine`: final rate and linear warm-up length.
    public var minimum: Double?
    public var warmup: Int?

    public init(kind: Kind = .constant, stepSize: Int? = nil, gamma: Double? = nil, minimum: Double? = nil, warmup: Int? = nil) {
        self.kind = kind; self.stepSize = stepSize; self.gamma = gamma; self.minimum = minimum; self.warmup = warmup
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case kind, stepSize = "step_size", gamma, minimum, warmup }

    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        kind = try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .constant
        stepSize = try c.decodeIfPresent(Int.self, forKey: .stepSize)
        gamma = try c.decodeIfPresent(Double.self, forKey: .gamma)
        minimum = try c.decodeIfPresent(Double.self, forKey: .minimum)
        warmup = try c.decodeIfPresent(Int.self, forKey: .warmup)
        if kind == .step, (stepSize ?? 0) <= 0 { throw invalid(c, .stepSize, "a step schedule needs a positive step_size") }
    }
}

/// Evaluation on the held-out split.
public struct EvalSpec: Sendable, Equatable, Codable {
    /// Every this many iterations (and at the end); 0 only at the end.
    public var every: Int
    /// At most this many held-out images.
    public var maxImages: Int
    /// Images larger than this are centre-cropped to it (side, pixels), to bound time.
    public var crop: Int
    /// The first this many held-out crops are written as input / output / target PNGs to the
    /// run's samples/ at each evaluation, for report.html.
    public var samples: Int

    public init(every: Int = 1000, maxImages: Int = 100, crop: Int = 256, samples: Int = 4) {
        self.every = every; self.maxImages = maxImages; self.crop = crop; self.samples = samples
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case every, maxImages = "max_images", crop, samples }

    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        every = try c.decodeIfPresent(Int.self, forKey: .every) ?? 1000
        maxImages = try c.decodeIfPresent(Int.self, forKey: .maxImages) ?? 100
        crop = try c.decodeIfPresent(Int.self, forKey: .crop) ?? 256
        samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? 4
        guard every >= 0, maxImages >= 0, crop > 0, samples >= 0 else {
            throw invalid(c, .every, "every, max_images, crop and samples must not be negative")
        }
    }
}

/// How often to log.
public struct CadenceSpec: Sendable, Equatable, Codable {
    public var every: Int
    enum CodingKeys: String, CodingKey, CaseIterable { case every }
    public init(every: Int) { self.every = every }
    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        every = try c.decode(Int.self, forKey: .every)
        guard every >= 0 else { throw invalid(c, .every, "every must not be negative, got \(every)") }
    }
}

/// How often to checkpoint, and how many numbered checkpoints to keep.
public struct CheckpointSpec: Sendable, Equatable, Codable {
    public var every: Int
    /// The newest this many `iter-*.safetensors` are kept (0: all); `latest` always is.
    public var keep: Int
    public init(every: Int, keep: Int = 0) { self.every = every; self.keep = keep }
    enum CodingKeys: String, CodingKey, CaseIterable { case every, keep }
    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        every = try c.decode(Int.self, forKey: .every)
        keep = try c.decodeIfPresent(Int.self, forKey: .keep) ?? 0
        guard every >= 0, keep >= 0 else { throw invalid(c, .every, "every and keep must not be negative") }
    }
}

/// The pretrained feature network for content-style losses.
public struct FeaturesSpec: Sendable, Equatable, Codable {
    /// What stands in when the network's ImageNet weights are not on this machine.
    public enum Missing: String, Sendable, Codable, CaseIterable {
        /// The same network with seeded random weights (`VGG.random`), announced when the run
        /// starts and written into the model card.
        case random
        /// Stop and say which file to import (for exact reproductions of a paper).
        case error
    }
    /// "vgg19" or "vgg16".
    public var network: String
    /// An explicit weights file; `VGGWeights.locate`'s conventional file when absent.
    public var weights: String?
    /// When the conventional weights file is absent (an explicit `weights` file must exist);
    /// nil means `random`.
    public var missing: Missing?
    enum CodingKeys: String, CodingKey, CaseIterable { case network, weights, missing }
    public init(network: String = "vgg19", weights: String? = nil, missing: Missing? = nil) {
        self.network = network; self.weights = weights; self.missing = missing
    }
    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        network = try c.decodeIfPresent(String.self, forKey: .network) ?? "vgg19"
        weights = try c.decodeIfPresent(String.self, forKey: .weights)
        missing = try c.decodeIfPresent(Missing.self, forKey: .missing)
    }
}

/// The frozen teacher of the `distill` algorithm.
public struct TeacherSpec: Sendable, Equatable, Codable {
    /// What the student's output is compared with.
    public enum Target: String, Sendable, Codable, CaseIterable {
        /// The pair's DSLR photo.
        case dslr
        /// The teacher's output (for photos without a DSLR side).
        case teacher
    }
    /// A DSLRKit weights file; its architecture and options are read from it (e.g. one
    /// written by `dslr import ppcn-tf` or by `dslr train`).
    public var weights: String
    public var target: Target

    public init(weights: String, target: Target = .dslr) { self.weights = weights; self.target = target }

    enum CodingKeys: String, CodingKey, CaseIterable { case weights, target }

    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        weights = try c.decode(String.self, forKey: .weights)
        target = try c.decodeIfPresent(Target.self, forKey: .target) ?? .dslr
    }
}

/// One stage of level-wise training (`pynet-levels`): which pyramid level's output is
/// trained, for how many iterations (before `LevelsSpec.scale`), with which losses (the
/// recipe's own when absent).
public struct LevelStage: Sendable, Equatable, Codable {
    public var level: Int
    public var iterations: Int
    public var losses: [LossSpec]?

    public init(level: Int, iterations: Int, losses: [LossSpec]? = nil) {
        self.level = level; self.iterations = iterations; self.losses = losses
    }
    enum CodingKeys: String, CodingKey, CaseIterable { case level, iterations, losses }
    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        level = try c.decode(Int.self, forKey: .level)
        iterations = try c.decode(Int.self, forKey: .iterations)
        losses = try c.decodeIfPresent([StrictLossSpec].self, forKey: .losses)?.map(\.spec)
        guard (0...5).contains(level) else { throw invalid(c, .level, "level must be 0 to 5, got \(level)") }
        guard iterations > 0 else { throw invalid(c, .iterations, "iterations must be positive, got \(iterations)") }
    }
}

/// The stages of level-wise training, coarsest first, with a factor on every stage's
/// iterations (the reference's counts take days on a GPU; `scale: 0.01` keeps their
/// proportions in a run that fits a CPU).
public struct LevelsSpec: Sendable, Equatable, Codable {
    public var scale: Double
    public var stages: [LevelStage]

    public init(scale: Double = 1, stages: [LevelStage]) { self.scale = scale; self.stages = stages }
    enum CodingKeys: String, CodingKey, CaseIterable { case scale, stages }
    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        scale = try c.decodeIfPresent(Double.self, forKey: .scale) ?? 1
        stages = try c.decode([LevelStage].self, forKey: .stages)
        guard scale > 0, scale.isFinite else { throw invalid(c, .scale, "scale must be positive, got \(scale)") }
        guard !stages.isEmpty else { throw invalid(c, .stages, "at least one stage is needed") }
    }

    /// Each stage's iterations after `scale` (at least one).
    public var scaledIterations: [Int] {
        stages.map { max(1, Int((Double($0.iterations) * scale).rounded())) }
    }
}

/// Numeric precision of the forward and backward passes; weights stay float32.
public enum TrainingPrecision: String, Sendable, Codable, CaseIterable {
    case fp32, bf16, fp16
}

/// A whole training recipe.
public struct Recipe: Sendable, Equatable, Codable {
    public var name: String
    /// The training algorithm (see `TrainingAlgorithms`); absent: `dped-gan` when the recipe
    /// has a discriminator, else `supervised`.
    public var algorithm: String?
    public var generator: NetworkSpec
    public var discriminator: DiscriminatorSpec?
    /// The frozen teacher (`distill` only).
    public var teacher: TeacherSpec?
    /// The stages of level-wise training (`pynet-levels` only).
    public var levels: LevelsSpec?
    /// MDIE's settings (`intrinsic` and `stargan` only).
    public var mdie: MDIESpec?
    /// The generator's losses; `texture` needs a discriminator.
    public var losses: [LossSpec]
    public var features: FeaturesSpec?
    public var dataset: DatasetSection
    public var patchSize: Int
    public var batchSize: Int
    public var workers: Int
    /// Random flips and quarter turns of training patches.
    public var augment: Bool
    public var optimizer: OptimizerSpec
    public var schedule: ScheduleSpec
    public var iterations: Int
    public var eval: EvalSpec
    public var checkpoint: CheckpointSpec
    /// Training metrics are logged every this many iterations.
    public var log: CadenceSpec
    public var seed: UInt64
    public var device: String
    public var precision: TrainingPrecision

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, algorithm, generator, discriminator, teacher, levels, mdie, losses, features, dataset, patchSize = "patch_size", batchSize = "batch_size"
        case workers, augment, optimizer, schedule, iterations, eval, checkpoint, log, seed, device, precision
    }

    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? "run"
        algorithm = try c.decodeIfPresent(String.self, forKey: .algorithm)
        generator = try c.decode(NetworkSpec.self, forKey: .generator)
        discriminator = try c.decodeIfPresent(DiscriminatorSpec.self, forKey: .discriminator)
        teacher = try c.decodeIfPresent(TeacherSpec.self, forKey: .teacher)
        levels = try c.decodeIfPresent(LevelsSpec.self, forKey: .levels)
        mdie = try c.decodeIfPresent(MDIESpec.self, forKey: .mdie)
        losses = try c.decode([StrictLossSpec].self, forKey: .losses).map(\.spec)
        features = try c.decodeIfPresent(FeaturesSpec.self, forKey: .features)
        dataset = try c.decode(DatasetSection.self, forKey: .dataset)
        patchSize = try c.decode(Int.self, forKey: .patchSize)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? 2
        augment = try c.decodeIfPresent(Bool.self, forKey: .augment) ?? true
        optimizer = try c.decode(OptimizerSpec.self, forKey: .optimizer)
        schedule = try c.decodeIfPresent(ScheduleSpec.self, forKey: .schedule) ?? ScheduleSpec()
        iterations = try c.decode(Int.self, forKey: .iterations)
        eval = try c.decodeIfPresent(EvalSpec.self, forKey: .eval) ?? EvalSpec()
        checkpoint = try c.decodeIfPresent(CheckpointSpec.self, forKey: .checkpoint) ?? CheckpointSpec(every: 1000)
        log = try c.decodeIfPresent(CadenceSpec.self, forKey: .log) ?? CadenceSpec(every: 10)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        device = try c.decodeIfPresent(String.self, forKey: .device) ?? "cpu"
        precision = try c.decodeIfPresent(TrainingPrecision.self, forKey: .precision) ?? .fp32
        guard patchSize > 0 else { throw invalid(c, .patchSize, "patch_size must be positive, got \(patchSize)") }
        guard batchSize > 0 else { throw invalid(c, .batchSize, "batch_size must be positive, got \(batchSize)") }
        guard iterations >= 0 else { throw invalid(c, .iterations, "iterations must not be negative, got \(iterations)") }
        guard workers >= 0 else { throw invalid(c, .workers, "workers must not be negative, got \(workers)") }
        guard !losses.isEmpty else { throw invalid(c, .losses, "at least one loss is needed") }
    }
}

extension Recipe {
    /// The algorithm this recipe trains with: as named, else `distill` with a teacher,
    /// `dped-gan` with a discriminator, `supervised` otherwise.
    public var algorithmName: String {
        algorithm ?? (teacher != nil ? "distill" : levels != nil ? "pynet-levels" : discriminator == nil ? "supervised" : "dped-gan")
    }

    /// Every loss the recipe names: its own and its level stages'.
    public var allLosses: [LossSpec] { losses + (levels?.stages.flatMap { $0.losses ?? [] } ?? []) }
}

/// A loss entry that rejects unknown keys, unlike `LossSpec`'s own decoding.
struct StrictLossSpec: Decodable {
    let spec: LossSpec
    enum CodingKeys: String, CodingKey, CaseIterable { case name, weight, options }
    init(from decoder: any Decoder) throws {
        _ = try strictContainer(decoder, CodingKeys.self)
        spec = try LossSpec(from: decoder)
    }
}
