import DSLRTensor

// The loss abstraction: a named, weighted function of what one training step has on hand.
// Training code builds losses from `LossSpec`s (config) through `makeLoss`, fills one
// `LossContext` per step and sums the weighted parts.

/// Everything a loss may look at in one training step. Losses read only the parts they need
/// and say which part is missing when it is nil.
public struct LossContext {
    /// The generator's output, NCHW RGB in [0, 1]; gradients flow back through it.
    public var output: Tensor
    /// The ground truth (DSLR photo), same shape as `output`.
    public var target: Tensor?
    /// The generator's input (phone photo).
    public var input: Tensor?
    /// A pretrained feature network (VGG), for content, contextual and style losses.
    public var features: (any FeatureExtractor)?
    /// The discriminator: grayscale NCHW in, per-image predictions out (DPED: softmax
    /// probabilities [N, 2] with column 1 = "enhanced"; standard GAN: logits [N] or [N, 1]).
    public var discriminator: ((Tensor) throws -> Tensor)?
    /// Student and teacher feature maps, pairwise, for knowledge distillation.
    public var studentFeatures: [Tensor]
    public var teacherFeatures: [Tensor]
    /// G(G(x, c), c'), compared with `input` by the cycle-consistency loss.
    public var reconstruction: Tensor?
    /// The style reference for the Gram loss.
    public var styleReference: Tensor?
    /// Losses that are sums over the batch (DPED's texture loss) are multiplied by this. Under
    /// data parallelism it is the global batch over this rank's shard, so that the ranks'
    /// averaged gradients are the gradient of the sum over the global batch, as in one process.
    public var batchSumScale: Double = 1

    public init(
        output: Tensor, target: Tensor? = nil, input: Tensor? = nil,
        features: (any FeatureExtractor)? = nil, discriminator: ((Tensor) throws -> Tensor)? = nil,
        studentFeatures: [Tensor] = [], teacherFeatures: [Tensor] = [],
        reconstruction: Tensor? = nil, styleReference: Tensor? = nil
    ) {
        self.output = output
        self.target = target
        self.input = input
        self.features = features
        self.discriminator = discriminator
        self.studentFeatures = studentFeatures
        self.teacherFeatures = teacherFeatures
        self.reconstruction = reconstruction
        self.styleReference = styleReference
    }

    /// The target, or an error naming the loss that needs it.
    func requireTarget(_ loss: String) throws -> Tensor {
        guard let target else { throw LossError("loss '\(loss)' needs a target in its context") }
        return target
    }

    func requireFeatures(_ loss: String) throws -> any FeatureExtractor {
        guard let features else { throw LossError("loss '\(loss)' needs a feature extractor in its context") }
        return features
    }
}

/// A configuration or context error of a loss, with a one-line message.
public struct LossError: KindedError, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var kind: ErrorKind { .badArgument }
}

/// One named, weighted training loss.
public struct Loss: Sendable {
    /// The registry name it was built from ("color", "content", ...), used to report its value.
    public let name: String
    /// The factor it enters the total with.
    public var weight: Double
    private let body: @Sendable (LossContext) throws -> Tensor

    public init(name: String, weight: Double = 1, _ body: @escaping @Sendable (LossContext) throws -> Tensor) {
        self.name = name
        self.weight = weight
        self.body = body
    }

    /// The unweighted value, a 0-dim tensor that keeps the autograd graph.
    public func callAsFunction(_ context: LossContext) throws -> Tensor {
        try body(context)
    }
}

/// Sums weighted losses and reports each unweighted part, as training logs show them.
///
/// - Returns: `total` (0-dim, differentiable) and `parts` by loss name (plain numbers).
public func evaluate(_ losses: [Loss], _ context: LossContext) throws -> (total: Tensor, parts: [String: Double]) {
    guard !losses.isEmpty else { throw LossError("evaluate: no losses configured") }
    var total: Tensor?
    var parts: [String: Double] = [:]
    for loss in losses {
        let value = try loss(context)
        parts[loss.name] = try value.detach().item()
        let weighted = try value * loss.weight
        total = try total.map { try $0 + weighted } ?? weighted
    }
    return (total!, parts)
}
