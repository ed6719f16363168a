import DSLRTensor

// The seam between losses and the feature networks of DSLRModels: a loss names the layers it
// needs ("relu5_4", "conv4_2"); the network says which input convention its weights expect.

/// How images in [0, 1] must be prepared for a feature network's weights.
public enum FeaturePreprocessing: String, Sendable, CaseIterable {
    /// MatConvNet VGG (imagenet-vgg-verydeep-19.mat, DPED and PPCN): RGB scaled to 0...255
    /// minus the mean pixel (123.68, 116.779, 103.939).
    case matconvnet
    /// torchvision ImageNet weights: RGB in [0, 1], minus (0.485, 0.456, 0.406), divided by
    /// (0.229, 0.224, 0.225).
    case imagenet
    /// The network takes [0, 1] RGB as it is.
    case none

    /// Applies the convention to NCHW RGB in [0, 1].
    public func apply(_ x: Tensor) throws -> Tensor {
        switch self {
        case .none:
            return x
        case .matconvnet:
            return try x * 255 - channelConstant([123.68, 116.779, 103.939], like: x)
        case .imagenet:
            return try (x - channelConstant([0.485, 0.456, 0.406], like: x)) / channelConstant([0.229, 0.224, 0.225], like: x)
        }
    }
}

/// A per-channel constant shaped to broadcast over NCHW.
private func channelConstant(_ values: [Double], like x: Tensor) throws -> Tensor {
    guard x.rank == 4, x.shape[1] == values.count else {
        throw LossError("feature preprocessing: expected NCHW with \(values.count) channels, got shape \(x.shape)")
    }
    return try Tensor(values, shape: [1, values.count, 1, 1]).to(x.device, x.dtype)
}

/// A pretrained network that yields named intermediate activations (DSLRModels' VGG-16/19
/// conform to it).
public protocol FeatureExtractor {
    /// The input convention of the loaded weights; losses apply it before `features`.
    var preprocessing: FeaturePreprocessing { get }
    /// Activations of `layers` (names like "relu5_4", "conv4_2") for an already preprocessed
    /// NCHW batch; must contain every requested name or throw.
    func features(_ x: Tensor, layers: [String]) throws -> [String: Tensor]
}

extension FeatureExtractor {
    /// Preprocesses [0, 1] images and returns the requested layers, failing on a missing one.
    public func activations(of image: Tensor, layers: [String]) throws -> [String: Tensor] {
        let out = try features(preprocessing.apply(image), layers: layers)
        for layer in layers where out[layer] == nil {
            throw LossError("feature extractor returned no layer '\(layer)'")
        }
        return out
    }
}
