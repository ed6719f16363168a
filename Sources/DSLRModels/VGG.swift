import DSLRNN
import DSLRTensor

/// VGG-16 (configuration D) or VGG-19 (configuration E) of Simonyan & Zisserman.
public enum VGGConfiguration: Int, Sendable, CaseIterable {
    case vgg16 = 16
    case vgg19 = 19

    /// Convolutions in each of the five blocks.
    public var convolutionsPerBlock: [Int] { self == .vgg16 ? [2, 2, 3, 3, 3] : [2, 2, 4, 4, 4] }

    /// The published channel widths of the five blocks.
    public static let standardWidths = [64, 128, 256, 512, 512]

    /// "vgg16" / "vgg19", as written in checkpoint metadata.
    public var name: String { "vgg\(rawValue)" }

    /// Every layer in order with MatConvNet's (and DPED's) names: conv1_1, relu1_1, ..., pool5.
    public var layerNames: [String] {
        var names: [String] = []
        for (b, count) in convolutionsPerBlock.enumerated() {
            for k in 1...count { names += ["conv\(b + 1)_\(k)", "relu\(b + 1)_\(k)"] }
            names.append("pool\(b + 1)")
        }
        return names
    }

    /// torchvision's `features.N` index of each convolution (ReLUs and pools take indices too).
    var torchvisionConvIndices: [Int] {
        var indices: [Int] = []
        var next = 0
        for count in convolutionsPerBlock {
            for _ in 0..<count {
                indices.append(next)
                next += 2
            }
            next += 1
        }
        return indices
    }
}

/// How images are prepared for the network; inputs are RGB in [0, 1].
public enum VGGPreprocessing: Sendable, Equatable {
    /// MatConvNet's models (and DPED): the image scaled to 0...255 minus the mean RGB pixel.
    case matconvnet(meanPixel: [Double])
    /// torchvision's models: (x - ImageNet mean) / ImageNet std, on 0...1.
    case torchvision

    /// The mean pixel DPED subtracts (vgg.py's IMAGE_MEAN), also the mean of
    /// imagenet-vgg-verydeep-19.mat's averageImage.
    public static let dpedMeanPixel = [123.68, 116.779, 103.939]
    public static let imageNetMean = [0.485, 0.456, 0.406]
    public static let imageNetStd = [0.229, 0.224, 0.225]

    /// The network input for an image in [0, 1].
    public func apply(_ x: Tensor) throws -> Tensor {
        switch self {
        case .matconvnet(let mean):
            return try x * 255 - channelTensor(mean, like: x)
        case .torchvision:
            return try (x - channelTensor(Self.imageNetMean, like: x)) / channelTensor(Self.imageNetStd, like: x)
        }
    }

    /// The text stored as "dslrkit.preprocessing" in checkpoints.
    public var metadata: String {
        switch self {
        case .matconvnet(let mean): "matconvnet:" + mean.map { "\($0)" }.joined(separator: ",")
        case .torchvision: "torchvision"
        }
    }

    public init?(metadata: String) {
        if metadata == "torchvision" {
            self = .torchvision
            return
        }
        guard metadata.hasPrefix("matconvnet:") else { return nil }
        let values = metadata.dropFirst("matconvnet:".count).split(separator: ",").compactMap { Double($0) }
        guard values.count == 3 else { return nil }
        self = .matconvnet(meanPixel: values)
    }

    /// The pooling each weight source was trained and used with.
    public var defaultPoolRounding: VGGPoolRounding { self == .torchvision ? .down : .up }
}

/// Output size of 2×2 / stride-2 max pooling on odd sizes.
public enum VGGPoolRounding: Sendable, Equatable {
    /// ceil(n / 2): TensorFlow's 'SAME' max pooling, as DPED's vgg.py runs MatConvNet weights.
    case up
    /// floor(n / 2): torchvision's (and MatConvNet's own) pooling.
    case down
}

/// A frozen 3×3 convolution: weights are buffers, so they never appear among a model's
/// trainable parameters and are never given gradients.
public struct VGGConvolution: Module {
    public let weight: Buffer
    public let bias: Buffer

    init(inChannels: Int, outChannels: Int) throws {
        weight = Buffer(try Tensor.zeros([outChannels, inChannels, 3, 3]))
        bias = Buffer(try Tensor.zeros([outChannels]))
    }

    init(weight: Tensor, bias: Tensor) {
        self.weight = Buffer(weight); self.bias = Buffer(bias)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try conv2d(x, weight: weight.tensor, bias: bias.tensor, padding: [1, 1])
    }
}

/// A VGG feature extractor (the convolutional part only), frozen, returning named layers.
///
/// Gradients flow to the *input* (content losses need them), never into the weights.
/// Load weights with `VGG(contentsOf:)`; `init(_:preprocessing:)` gives zero weights.
public struct VGG: Module {
    public let configuration: VGGConfiguration
    public var convolutions: [VGGConvolution]
    public var preprocessing: VGGPreprocessing
    public var poolRounding: VGGPoolRounding

    /// A network with zero weights and the published widths.
    public init(_ configuration: VGGConfiguration, preprocessing: VGGPreprocessing, poolRounding: VGGPoolRounding? = nil) throws {
        try self.init(configuration, widths: VGGConfiguration.standardWidths, preprocessing: preprocessing, poolRounding: poolRounding)
    }

    /// Other channel widths: only for tests with tiny weights.
    init(_ configuration: VGGConfiguration, widths: [Int], preprocessing: VGGPreprocessing, poolRounding: VGGPoolRounding? = nil) throws {
        precondition(widths.count == 5, "VGG has five blocks")
        self.configuration = configuration
        self.preprocessing = preprocessing
        self.poolRounding = poolRounding ?? preprocessing.defaultPoolRounding
        var convolutions: [VGGConvolution] = []
        var channels = 3
        for (block, count) in configuration.convolutionsPerBlock.enumerated() {
            for _ in 0..<count {
                convolutions.append(try VGGConvolution(inChannels: channels, outChannels: widths[block]))
                channels = widths[block]
            }
        }
        self.convolutions = convolutions
    }

    /// The outputs of the named layers (e.g. "relu5_4") for RGB images in [0, 1], NCHW.
    /// The forward stops at the deepest requested layer. Unknown names are an error.
    public func features(_ x: Tensor, layers: some Sequence<String>) throws -> [String: Tensor] {
        let wanted = Set(layers)
        let names = configuration.layerNames
        let unknown = wanted.subtracting(names)
        guard unknown.isEmpty else {
            throw TorchError("\(configuration.name) has no layer \(unknown.sorted().joined(separator: ", ")); layers are \(names.joined(separator: ", "))")
        }
        guard let last = names.lastIndex(where: wanted.contains) else { return [:] }
        var found: [String: Tensor] = [:]
        var h = try preprocessing.apply(x)
        var conv = 0
        for name in names[...last] {
            if name.hasPrefix("conv") {
                h = try convolutions[conv](h)
                conv += 1
            } else if name.hasPrefix("relu") {
                h = try h.relu()
            } else {
                h = try maxPool2d(h, kernel: [2, 2], stride: [2, 2], ceilMode: poolRounding == .up)
            }
            if wanted.contains(name) { found[name] = h }
        }
        return found
    }

    /// One layer's output; see `features(_:layers:)`.
    public func feature(_ x: Tensor, layer: String) throws -> Tensor {
        guard let out = try features(x, layers: [layer])[layer] else { throw TorchError("no layer \(layer)") }
        return out
    }
}

/// A [1, C, 1, 1] tensor on `x`'s device and dtype.
private func channelTensor(_ values: [Double], like x: Tensor) throws -> Tensor {
    try Tensor(values, shape: [1, values.count, 1, 1]).to(x.device, x.dtype)
}
