import DSLRTensor
import Foundation

/// No VGG weights where a recipe looked; the message says what to get and where to put it.
public struct VGGWeightsNotFound: Error, Sendable, CustomStringConvertible {
    public let configuration: VGGConfiguration
    /// Paths that were tried, in order.
    public let searched: [String]
    /// Where `dslr import vgg` should write the converted weights.
    public let destination: String

    public var description: String {
        let number = configuration.rawValue
        return "VGG-\(number) weights not found (looked for \(searched.joined(separator: ", "))). DSLRKit downloads nothing: "
            + "obtain imagenet-vgg-verydeep-\(number).mat (MatConvNet's pretrained models page, "
            + "https://www.vlfeat.org/matconvnet/pretrained/ ; the file DPED uses) or torchvision's "
            + "\(configuration.name) ImageNet weights saved as safetensors, then run: "
            + "dslr import vgg FILE -o \(destination)"
    }
}

/// Where VGG weights are looked for.
public enum VGGWeights {
    /// The folder for converted weights: `$DSLRKIT_WEIGHTS`, else `weights/` in the DSLRKit
    /// cache (`$DSLRKIT_CACHE`, else `$XDG_CACHE_HOME/dslrkit`, else `~/.cache/dslrkit`).
    public static func folder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        if let dir = nonEmpty("DSLRKIT_WEIGHTS") { return URL(fileURLWithPath: dir, isDirectory: true) }
        let home = nonEmpty("HOME") ?? NSHomeDirectory()
        let cache = nonEmpty("DSLRKIT_CACHE") ?? ((nonEmpty("XDG_CACHE_HOME") ?? home + "/.cache") + "/dslrkit")
        return URL(fileURLWithPath: cache, isDirectory: true).appendingPathComponent("weights", isDirectory: true)
    }

    /// The conventional file for `configuration`: `<folder>/vgg19.safetensors`.
    public static func conventionalURL(_ configuration: VGGConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        folder(environment: environment).appendingPathComponent("\(configuration.name).safetensors")
    }

    /// The weights file to use: `explicit` if given (it must exist), else the conventional
    /// file. Throws `VGGWeightsNotFound` naming the file to obtain and the import command.
    public static func locate(
        _ configuration: VGGConfiguration, explicit: URL? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> URL {
        let conventional = conventionalURL(configuration, environment: environment)
        let candidates = explicit.map { [$0] } ?? [conventional]
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) { return found }
        throw VGGWeightsNotFound(
            configuration: configuration, searched: candidates.map(\.path),
            destination: explicit?.path ?? conventional.path)
    }

    /// Loads the weights `locate` finds.
    public static func load(
        _ configuration: VGGConfiguration, explicit: URL? = nil, poolRounding: VGGPoolRounding? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> VGG {
        let url = try locate(configuration, explicit: explicit, environment: environment)
        let vgg = try VGG(contentsOf: url, poolRounding: poolRounding)
        guard vgg.configuration == configuration else {
            throw VGGWeightsNotFound(configuration: configuration, searched: [url.path + " (holds \(vgg.configuration.name))"],
                                     destination: conventionalURL(configuration, environment: environment).path)
        }
        return vgg
    }
}

extension VGG {
    /// The stand-in for a VGG whose ImageNet weights are not on this machine: the same layers
    /// with He-initialised random weights (normal, standard deviation √(2 / fan-in), zero
    /// biases) drawn from `seed` without disturbing the engine's random stream, and
    /// torchvision's input normalisation. Random convolutions still respond to edges, colours
    /// and local texture at every scale, so feature losses keep comparing local structure;
    /// what ImageNet training adds (features that pick out objects and perceptual
    /// similarity) is lost.
    public static func random(_ configuration: VGGConfiguration, seed: UInt64 = 0) throws -> VGG {
        var vgg = try VGG(configuration, preprocessing: .torchvision)
        let state = try Torch.rngState()
        defer { try? Torch.setRNGState(state) }
        Torch.manualSeed(seed)
        vgg.convolutions = try vgg.convolutions.map { conv in
            let shape = conv.weight.tensor.shape
            let std = (2.0 / Double(shape[1] * shape[2] * shape[3])).squareRoot()
            return VGGConvolution(weight: try Tensor.randn(shape) * std, bias: conv.bias.tensor)
        }
        return vgg
    }
}
