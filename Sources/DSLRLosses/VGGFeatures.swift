import DSLRModels
import DSLRTensor

/// A VGG network as the feature extractor of content, contextual and Gram losses.
///
/// VGG applies the preprocessing its weights expect (recorded with the weights), so the
/// loss passes images through unchanged.
public struct VGGFeatures: FeatureExtractor {
    public let vgg: VGG
    public init(_ vgg: VGG) { self.vgg = vgg }
    public var preprocessing: FeaturePreprocessing { .none }
    public func features(_ x: Tensor, layers: [String]) throws -> [String: Tensor] {
        try vgg.features(x, layers: layers)
    }
}
