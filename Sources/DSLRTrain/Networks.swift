import DSLRLosses
import DSLRModels
import DSLRNN
import DSLRTensor

/// A network being trained: its module (parameters, state dict) and its forward pass.
/// Generators map NCHW RGB to NCHW RGB; discriminators map grayscale [N, 1, H, W] to two
/// logits [N, 2] per image, column 0 "DSLR" (real) and column 1 "enhanced" (DPED's order).
public struct TrainableNetwork {
    public let architecture: String
    public let module: any Module
    public let forward: (Tensor) throws -> Tensor

    public init(architecture: String, module: any Module, forward: @escaping (Tensor) throws -> Tensor) {
        self.architecture = architecture
        self.module = module
        self.forward = forward
    }
}

/// Typed access to a network spec's options, rejecting ones the architecture does not take.
struct NetworkOptions {
    let owner: String
    let values: [String: LossOption]

    init(_ owner: String, _ values: [String: LossOption], allowed: Set<String>) throws {
        if let unknown = values.keys.sorted().first(where: { !allowed.contains($0) }) {
            let known = allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")
            throw RecipeError("\(owner): unknown option '\(unknown)' (known: \(known))")
        }
        self.owner = owner
        self.values = values
    }

    func int(_ key: String, default value: Int) throws -> Int {
        switch values[key] {
        case nil: return value
        case .number(let d)? where d == d.rounded() && d > 0: return Int(d)
        default: throw RecipeError("\(owner): option '\(key)' must be a positive integer")
        }
    }

    func ints(_ key: String, default value: [Int]) throws -> [Int] {
        switch values[key] {
        case nil: return value
        case .number(let d)? where d == d.rounded() && d > 0: return [Int(d)]
        case .text(let s)?:
            let items = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !items.isEmpty, items.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw RecipeError("\(owner): option '\(key)' must be a comma-separated list of positive integers")
            }
            return items.map { $0! }
        default: throw RecipeError("\(owner): option '\(key)' must be a comma-separated list of positive integers")
        }
    }
}

/// Generators `dslr train` can build from scratch, by architecture name.
public enum GeneratorFactory {
    public static let names = [CompactNet.architectureID, DPEDGenerator.architectureID]

    /// A freshly initialised generator (draws from the engine's global generator).
    public static func make(_ spec: NetworkSpec) throws -> TrainableNetwork {
        let owner = "generator '\(spec.architecture)'"
        switch spec.architecture {
        case CompactNet.architectureID:
            let o = try NetworkOptions(owner, spec.options, allowed: ["width", "dilations"])
            let net = try CompactNet(width: o.int("width", default: 32), dilations: o.ints("dilations", default: CompactNet.defaultDilations))
            return TrainableNetwork(architecture: spec.architecture, module: net) { try net($0) }
        case DPEDGenerator.architectureID:
            let o = try NetworkOptions(owner, spec.options, allowed: ["channels"])
            let net = try DPEDGenerator(channels: o.int("channels", default: 64))
            return TrainableNetwork(architecture: spec.architecture, module: net) { try net($0) }
        default:
            throw RecipeError("unknown generator architecture '\(spec.architecture)' (known: \(names.joined(separator: ", ")))")
        }
    }
}

/// Discriminators by architecture name.
public enum DiscriminatorFactory {
    public static let names = ["dped-discriminator", "patch"]

    public static func make(_ spec: DiscriminatorSpec) throws -> TrainableNetwork {
        let owner = "discriminator '\(spec.architecture)'"
        switch spec.architecture {
        case "dped-discriminator":
            _ = try NetworkOptions(owner, spec.options, allowed: [])
            let net = try DPEDDiscriminator()
            return TrainableNetwork(architecture: spec.architecture, module: net) { try net.logits(grayscale: $0) }
        case "patch":
            let o = try NetworkOptions(owner, spec.options, allowed: ["width", "layers"])
            let net = try PatchDiscriminator(width: o.int("width", default: 32), layers: o.int("layers", default: 4))
            return TrainableNetwork(architecture: spec.architecture, module: net) { try net($0) }
        default:
            throw RecipeError("unknown discriminator architecture '\(spec.architecture)' (known: \(names.joined(separator: ", ")))")
        }
    }
}

/// A small fully convolutional discriminator for any patch size: stride-2 3×3 convolutions
/// doubling the width (leaky ReLU 0.2), a 1×1 convolution to two logits per position, and
/// their spatial mean.
public struct PatchDiscriminator: Module {
    public var convs: [Conv2d]
    public var head: Conv2d

    public init(width: Int = 32, layers: Int = 4) throws {
        var channels = 1
        convs = []
        for i in 0..<layers {
            let out = width << min(i, 3)
            convs.append(try Conv2d(channels, out, kernel: 3, stride: 2, padding: .explicit(1, 1)))
            channels = out
        }
        head = try Conv2d(channels, 2, kernel: 1)
    }

    public func callAsFunction(_ gray: Tensor) throws -> Tensor {
        var h = gray
        for conv in convs { h = try conv(h).leakyRelu(0.2) }
        return try head(h).mean(dims: [2, 3])
    }
}
