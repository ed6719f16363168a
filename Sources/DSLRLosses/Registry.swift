import Foundation
import DSLRMetrics
import DSLRNN
import DSLRTensor

// Losses by name, built from a training config: `LossSpec` → `makeLoss` → `Loss`.
// Each entry declares its options with defaults; an unknown name or option, or a value of the
// wrong kind, is a configuration error rather than a silently ignored setting.

/// One option value in a loss configuration (numbers or text).
public typealias LossOption = OptionValue

/// A loss as a training config names it, e.g. `{"name": "lab", "weight": 1, "options": {"alpha": 0.84}}`.
public struct LossSpec: Sendable, Equatable, Codable {
    public var name: String
    public var weight: Double
    public var options: [String: LossOption]

    public init(_ name: String, weight: Double = 1, options: [String: LossOption] = [:]) {
        self.name = name
        self.weight = weight
        self.options = options
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        weight = try c.decodeIfPresent(Double.self, forKey: .weight) ?? 1
        options = try c.decodeIfPresent([String: LossOption].self, forKey: .options) ?? [:]
    }
}

/// Typed access to a spec's options; records which were read so leftovers can be rejected.
public struct LossOptions {
    let loss: String
    let values: [String: LossOption]

    public func number(_ key: String, default value: Double) throws -> Double {
        switch values[key] {
        case nil: return value
        case .number(let d)?: return d
        case .text(let s)?: throw LossError("loss '\(loss)': option '\(key)' must be a number, got \"\(s)\"")
        }
    }

    public func text(_ key: String, default value: String) throws -> String {
        switch values[key] {
        case nil: return value
        case .text(let s)?: return s
        case .number(let d)?: throw LossError("loss '\(loss)': option '\(key)' must be text, got \(d)")
        }
    }

    /// A comma-separated list ("relu2_2,relu3_3").
    public func list(_ key: String, default value: [String]) throws -> [String] {
        guard values[key] != nil else { return value }
        let items = try text(key, default: "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty, !items.contains("") else { throw LossError("loss '\(loss)': option '\(key)' is an empty list") }
        return items
    }

    /// A comma-separated list of numbers ("1,0.5").
    public func numbers(_ key: String) throws -> [Double]? {
        guard values[key] != nil else { return nil }
        return try list(key, default: []).map { item in
            guard let d = Double(item) else { throw LossError("loss '\(loss)': option '\(key)' has a non-number '\(item)'") }
            return d
        }
    }

    /// A value of a string enum.
    public func choice<E: RawRepresentable & CaseIterable>(_ key: String, default value: E) throws -> E where E.RawValue == String {
        let raw = try text(key, default: value.rawValue)
        guard let e = E(rawValue: raw) else {
            throw LossError("loss '\(loss)': option '\(key)' must be one of \(E.allCases.map(\.rawValue).joined(separator: ", ")), got '\(raw)'")
        }
        return e
    }
}

/// Builds a loss body from its options.
public typealias LossFactory = @Sendable (LossOptions) throws -> @Sendable (LossContext) throws -> Tensor

/// What a loss reads from its `LossContext` besides the output. A training algorithm says
/// which of these it provides, and a recipe pairing a loss with an algorithm that cannot
/// provide its inputs is refused when it loads.
public enum LossInput: String, Sendable, CaseIterable, Comparable {
    case target, input, features, discriminator
    case teacherFeatures = "teacher_features"
    case reconstruction
    case styleReference = "style_reference"

    /// How a message names it.
    public var phrase: String {
        switch self {
        case .target: "a target photo"
        case .input: "the network's input"
        case .features: "a pretrained feature network"
        case .discriminator: "a discriminator"
        case .teacherFeatures: "a teacher's feature maps"
        case .reconstruction: "a reconstruction (a cycle through the generator)"
        case .styleReference: "a style reference photo"
        }
    }

    public static func < (a: LossInput, b: LossInput) -> Bool { a.rawValue < b.rawValue }
}

/// A registry entry: the options a loss accepts, what it reads, and how to build it.
public struct LossDefinition: Sendable {
    public let options: Set<String>
    public let needs: Set<LossInput>
    public let make: LossFactory
    public init(options: Set<String> = [], needs: Set<LossInput> = [.target], make: @escaping LossFactory) {
        self.options = options
        self.needs = needs
        self.make = make
    }
}

/// What the loss `name` reads from its context (empty for an unknown name, which `makeLoss` refuses).
public func lossNeeds(_ name: String) -> Set<LossInput> { lossRegistry[name]?.needs ?? [] }

/// Every loss a training config can name. Names and options:
/// - `l1`, `mse`; `charbonnier` (`epsilon`, 1e-3)
/// - `color`: DPED's blurred colour loss; `tv`: DPED's total variation
/// - `ssim` (`convention`: pytorch | skimage), `ms_ssim`: 1 - index
/// - `lab` (`alpha`, 0.84): PyNET slides' LAB loss
/// - `content` (`layers`, "relu5_4"): VGG feature MSE (DPED; "relu2_2,relu3_3" for VGG-16)
/// - `contextual` (`layer` "conv4_2", `bandwidth` 0.5, `epsilon` 1e-5): PPCN's CX loss
/// - `texture` (`form`: dped | nonsaturating): adversarial loss on the grayscale output
/// - `kd` (`form`: ppcn | paper): PPCN's knowledge distillation
/// - `gram` (`layers`, `weights`, `normalize`: none | hw): MPSE's style loss
/// - `cycle_l1`: MDIE's cycle consistency
public let lossRegistry: [String: LossDefinition] = [
    "l1": LossDefinition { _ in { ctx in try l1Loss(ctx.output, ctx.requireTarget("l1")) } },
    "mse": LossDefinition { _ in { ctx in try mseLoss(ctx.output, ctx.requireTarget("mse")) } },
    "charbonnier": LossDefinition(options: ["epsilon"]) { o in
        let eps = try o.number("epsilon", default: 1e-3)
        return { ctx in try charbonnierLoss(ctx.output, ctx.requireTarget("charbonnier"), epsilon: eps) }
    },
    "color": LossDefinition { _ in { ctx in try dpedColorLoss(ctx.output, ctx.requireTarget("color")) } },
    "tv": LossDefinition(needs: []) { _ in { ctx in try totalVariationLoss(ctx.output) } },
    "ssim": LossDefinition(options: ["convention"]) { o in
        let convention = try o.choice("convention", default: SSIMConvention.pytorch)
        return { ctx in try ssimLoss(ctx.output, ctx.requireTarget("ssim"), convention: convention) }
    },
    "ms_ssim": LossDefinition { _ in { ctx in try msssimLoss(ctx.output, ctx.requireTarget("ms_ssim")) } },
    "lab": LossDefinition(options: ["alpha"]) { o in
        let alpha = try o.number("alpha", default: 0.84)
        guard (0...1).contains(alpha) else { throw LossError("loss 'lab': alpha must be in [0, 1], got \(alpha)") }
        return { ctx in try labLoss(ctx.output, ctx.requireTarget("lab"), alpha: alpha) }
    },
    "content": LossDefinition(options: ["layers"], needs: [.target, .features]) { o in
        let layers = try o.list("layers", default: ["relu5_4"])
        return { ctx in
            try contentLoss(ctx.output, ctx.requireTarget("content"), extractor: ctx.requireFeatures("content"), layers: layers)
        }
    },
    "contextual": LossDefinition(options: ["layer", "bandwidth", "epsilon"], needs: [.target, .features]) { o in
        let layer = try o.text("layer", default: "conv4_2")
        let h = try o.number("bandwidth", default: 0.5)
        let eps = try o.number("epsilon", default: 1e-5)
        guard h > 0 else { throw LossError("loss 'contextual': bandwidth must be positive, got \(h)") }
        return { ctx in
            let extractor = try ctx.requireFeatures("contextual")
            let target = try ctx.requireTarget("contextual")
            let fo = try extractor.activations(of: ctx.output, layers: [layer])[layer]!
            let ft = try withNoGrad { try extractor.activations(of: target, layers: [layer])[layer]! }
            return try contextualLoss(output: fo, target: ft, bandwidth: h, epsilon: eps)
        }
    },
    "texture": LossDefinition(options: ["form"], needs: [.discriminator]) { o in
        let form = try o.choice("form", default: AdversarialForm.dped)
        return { ctx in
            guard let discriminator = ctx.discriminator else { throw LossError("loss 'texture' needs a discriminator in its context") }
            let predictions = try discriminator(grayscale(ctx.output))
            switch form {
            case .dped:
                let sum = try dpedTextureLoss(probabilities: predictions)
                return ctx.batchSumScale == 1 ? sum : try sum * ctx.batchSumScale
            case .nonsaturating: return try nonSaturatingGeneratorLoss(fakeLogits: predictions)
            }
        }
    },
    "kd": LossDefinition(options: ["form"], needs: [.teacherFeatures]) { o in
        let form = try o.choice("form", default: DistillationForm.ppcn)
        return { ctx in try knowledgeDistillationLoss(student: ctx.studentFeatures, teacher: ctx.teacherFeatures, form: form) }
    },
    "gram": LossDefinition(options: ["layers", "weights", "normalize"], needs: [.features, .styleReference]) { o in
        let layers = try o.list("layers", default: ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"])
        let weights = try o.numbers("weights")
        let normalize = try o.choice("normalize", default: GramNormalization.none)
        if let weights, weights.count != layers.count {
            throw LossError("loss 'gram': \(layers.count) layers but \(weights.count) weights")
        }
        return { ctx in
            // The style is the reference photo only: the target is the content, not the style.
            guard let reference = ctx.styleReference else {
                throw LossError("loss 'gram' needs a style reference in its context")
            }
            return try gramStyleLoss(ctx.output, reference: reference, extractor: ctx.requireFeatures("gram"),
                                     layers: layers, weights: weights, normalizeGram: normalize == .hw)
        }
    },
    "cycle_l1": LossDefinition(needs: [.input, .reconstruction]) { _ in
        { ctx in
            guard let input = ctx.input, let reconstruction = ctx.reconstruction else {
                throw LossError("loss 'cycle_l1' needs an input and a reconstruction in its context")
            }
            return try cycleConsistencyLoss(input: input, reconstruction: reconstruction)
        }
    },
]

/// The generator's adversarial loss form.
public enum AdversarialForm: String, Sendable, CaseIterable {
    /// DPED's Σ log p(enhanced) on softmax probabilities [N, 2].
    case dped
    /// mean softplus(-logit) on logits.
    case nonsaturating
}

/// Whether Gram matrices are divided by the number of positions.
public enum GramNormalization: String, Sendable, CaseIterable {
    case none, hw
}

/// Builds the loss a spec names, validating its options.
public func makeLoss(_ spec: LossSpec) throws -> Loss {
    guard let definition = lossRegistry[spec.name] else {
        throw LossError("unknown loss '\(spec.name)'; known: \(lossRegistry.keys.sorted().joined(separator: ", "))")
    }
    let unknown = Set(spec.options.keys).subtracting(definition.options)
    guard unknown.isEmpty else {
        throw LossError("loss '\(spec.name)': unknown option(s) \(unknown.sorted().joined(separator: ", "))")
    }
    guard spec.weight.isFinite else { throw LossError("loss '\(spec.name)': weight must be finite, got \(spec.weight)") }
    let body = try definition.make(LossOptions(loss: spec.name, values: spec.options))
    return Loss(name: spec.name, weight: spec.weight, body)
}
