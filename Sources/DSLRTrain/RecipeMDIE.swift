import DSLRData

/// One domain of MDIE's multi-domain training: a name from `MDIENetwork.attributeNames` and
/// a paired dataset whose inputs are low and whose targets are high quality in that
/// attribute only (`dslr data synth --domain`).
public struct DomainSpec: Sendable, Equatable, Codable {
    public var name: String
    public var dataset: DatasetSection

    enum CodingKeys: String, CodingKey, CaseIterable { case name, dataset }

    public init(name: String, dataset: DatasetSection) { self.name = name; self.dataset = dataset }

    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        dataset = try c.decode(DatasetSection.self, forKey: .dataset)
    }
}

/// The `mdie` section, read by the `intrinsic` and `stargan` algorithms.
public struct MDIESpec: Sendable, Equatable, Codable {
    /// A DSLRKit `mdie` weights file whose intrinsic networks F and F' the generator starts
    /// from (`stargan`: the `intrinsic` run's model; they are then kept fixed).
    public var initial: String?
    /// `intrinsic`: procedural scenes per step (`IntrinsicScene`), and the weight of their
    /// supervised albedo, shading and composition errors.
    public var scenes: Int
    public var sceneWeight: Double
    /// `intrinsic`: weights of the reconstruction loss on the dataset's inputs (the thesis'
    /// α, low quality) and targets (β, high quality); the recipe's losses measure it.
    public var lowWeight: Double
    public var highWeight: Double
    /// `stargan`: the datasets, one attribute each, drawn in turn one per step.
    public var domains: [DomainSpec]
    /// `stargan`: λ_cls (the thesis' 1), StarGAN's λ_gp (10), and discriminator steps per
    /// generator step (StarGAN's n_critic, 5).
    public var lambdaClassification: Double
    public var lambdaGradientPenalty: Double
    public var criticSteps: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case initial = "init", scenes, sceneWeight = "scene_weight", lowWeight = "low_weight", highWeight = "high_weight", domains
        case lambdaClassification = "lambda_cls", lambdaGradientPenalty = "lambda_gp", criticSteps = "critic_steps"
    }

    public init(initial: String? = nil, scenes: Int = 8, sceneWeight: Double = 1, lowWeight: Double = 1, highWeight: Double = 1,
                domains: [DomainSpec] = [], lambdaClassification: Double = 1, lambdaGradientPenalty: Double = 10, criticSteps: Int = 5) {
        self.initial = initial; self.scenes = scenes; self.sceneWeight = sceneWeight; self.lowWeight = lowWeight
        self.highWeight = highWeight; self.domains = domains; self.lambdaClassification = lambdaClassification
        self.lambdaGradientPenalty = lambdaGradientPenalty; self.criticSteps = criticSteps
    }

    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        let d = MDIESpec()
        initial = try c.decodeIfPresent(String.self, forKey: .initial)
        scenes = try c.decodeIfPresent(Int.self, forKey: .scenes) ?? d.scenes
        sceneWeight = try c.decodeIfPresent(Double.self, forKey: .sceneWeight) ?? d.sceneWeight
        lowWeight = try c.decodeIfPresent(Double.self, forKey: .lowWeight) ?? d.lowWeight
        highWeight = try c.decodeIfPresent(Double.self, forKey: .highWeight) ?? d.highWeight
        domains = try c.decodeIfPresent([DomainSpec].self, forKey: .domains) ?? []
        lambdaClassification = try c.decodeIfPresent(Double.self, forKey: .lambdaClassification) ?? d.lambdaClassification
        lambdaGradientPenalty = try c.decodeIfPresent(Double.self, forKey: .lambdaGradientPenalty) ?? d.lambdaGradientPenalty
        criticSteps = try c.decodeIfPresent(Int.self, forKey: .criticSteps) ?? d.criticSteps
        guard scenes >= 0 else { throw invalid(c, .scenes, "scenes must not be negative, got \(scenes)") }
        guard criticSteps > 0 else { throw invalid(c, .criticSteps, "critic_steps must be positive, got \(criticSteps)") }
        for (key, value) in [(CodingKeys.sceneWeight, sceneWeight), (.lowWeight, lowWeight), (.highWeight, highWeight),
                             (.lambdaClassification, lambdaClassification), (.lambdaGradientPenalty, lambdaGradientPenalty)]
        where !(value.isFinite && value >= 0) {
            throw invalid(c, key, "\(key.stringValue) must be a number at least 0, got \(value)")
        }
    }
}
