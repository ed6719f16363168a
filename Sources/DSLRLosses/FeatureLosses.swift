import DSLRTensor

// Losses on feature maps: perceptual content (DPED, VGG-16 GANs), contextual (PPCN), Gram
// style (MPSE) and knowledge distillation (PPCN).

/// Content (perceptual) loss: Σ over layers of wₗ times the mean squared difference of the
/// features of output and target. With one layer and weight 1 this is DPED's
/// `2·l2_loss(Δ) / (size·batch)`, the MSE normalised by the feature size (DPED: VGG-19
/// relu5_4; the VGG-16 GANs: relu2_2 + relu3_3). MPSE's Σₗ αₗ/(2·Nₗ·Dₗ)·‖F_O - F_I‖² is this
/// with wₗ = αₗ/2. Target features carry no gradient.
public func contentLoss(
    _ output: Tensor, _ target: Tensor, extractor: any FeatureExtractor, layers: [String], weights: [Double]? = nil
) throws -> Tensor {
    let fo = try extractor.activations(of: output, layers: layers)
    let ft = try withNoGrad { try extractor.activations(of: target, layers: layers) }
    return try featureContentLoss(output: layers.map { fo[$0]! }, target: layers.map { ft[$0]! }, weights: weights)
}

/// `contentLoss` on feature maps already extracted (one per layer, in the same order for
/// output and target), for callers that also need the output's features for another loss.
/// Target features carry no gradient.
public func featureContentLoss(output: [Tensor], target: [Tensor], weights: [Double]? = nil) throws -> Tensor {
    guard !output.isEmpty, output.count == target.count else {
        throw LossError("content: \(output.count) output but \(target.count) target feature maps")
    }
    let w = try layerWeights(weights, count: output.count, loss: "content")
    var total: Tensor?
    for (fo, (ft, weight)) in zip(output, zip(target, w)) {
        let term = try (fo - ft.detach()).square().mean() * weight
        total = try total.map { try $0 + term } ?? term
    }
    return total!
}

/// One weight per layer: the given ones, checked, or all 1.
func layerWeights(_ weights: [Double]?, count: Int, loss: String) throws -> [Double] {
    let w = weights ?? Array(repeating: 1, count: count)
    guard w.count == count else {
        throw LossError("\(loss): \(count) layers but \(w.count) weights")
    }
    return w
}

/// The contextual loss of Mechrez et al. as PPCN computes it (CX/CSFlow.py, cosine distance):
/// features are centred by the target's mean over batch and positions, L2-normalised over
/// channels; d = (1 - cos)/2 between every output position i and target position j;
/// d̃ = d / (minⱼ d + ε); A = softmaxⱼ((b - d̃)/h); CX = meanⱼ maxᵢ A; loss = mean over the
/// batch of -log CX.
///
/// PPCN subsamples 65² random positions when a map is larger; this takes all positions.
///
/// - Parameters:
///   - output, target: feature maps [N, C, H, W] (PPCN: VGG-19 conv4_2).
///   - bandwidth: h (PPCN: 0.5).
///   - epsilon: ε (1e-5); `b` is 1.
public func contextualLoss(output x: Tensor, target y: Tensor, bandwidth: Double = 0.5, epsilon: Double = 1e-5) throws -> Tensor {
    guard x.rank == 4, y.rank == 4, x.shape[0] == y.shape[0], x.shape[1] == y.shape[1] else {
        throw LossError("contextual: feature maps must be NCHW with equal batch and channels, got \(x.shape) and \(y.shape)")
    }
    let meanT = try y.mean(dims: [0, 2, 3], keepDim: true)
    let normalise = { (f: Tensor) throws -> Tensor in
        let centred = try f - meanT
        return try (centred / centred.norm(2, dims: [1], keepDim: true)).flatten(from: 2)
    }
    let xi = try normalise(x), yj = try normalise(y)          // [N, C, P]
    let cosine = try bmm(xi.transpose(1, 2), yj)              // [N, Pi, Pj]
    let raw = try (1 - cosine) / 2
    let relative = try raw / (raw.amin(dims: [2], keepDim: true) + epsilon)
    let affinity = try ((1 - relative) / bandwidth).softmax(dim: 2)
    let cx = try affinity.amax(dims: [1]).mean(dims: [1])    // [N]
    return try (cx.log() * -1).mean()
}

/// Gram matrices F·Fᵀ of [N, C, H, W] features, [N, C, C], optionally divided by H·W.
func gramMatrix(_ f: Tensor, normalizeBySize: Bool) throws -> Tensor {
    let flat = try f.flatten(from: 2)
    let g = try bmm(flat, flat.transpose(1, 2))
    return normalizeBySize ? try g / Double(f.shape[2] * f.shape[3]) : g
}

/// w/(2·N²)·‖G_O - G_R‖² for [B, N, N] Gram matrices, averaged over the batch: the term
/// MPSE's style loss sums over layers (and regions).
func gramDistance(_ go: Tensor, _ gr: Tensor, weight: Double) throws -> Tensor {
    let n = Double(go.shape[1])
    return try (go - gr).square().sum() * (weight / (2 * n * n) / Double(go.shape[0]))
}

/// MPSE's phase-2 style loss Σₗ wₗ/(2·Nₗ²)·‖G(F_O) - G(F_R)‖², with Nₗ the channel count of
/// layer l, averaged over the batch (one semantic region; `regionGramStyleLoss` is the
/// per-region form with MPSE's masks and enhancement factors Λ). Reference features carry
/// no gradient.
///
/// - Parameter normalizeGram: divide each Gram matrix by H·W (Gatys' convention); MPSE's
///   formula has the plain F·Fᵀ.
public func gramStyleLoss(
    _ output: Tensor, reference: Tensor, extractor: any FeatureExtractor, layers: [String],
    weights: [Double]? = nil, normalizeGram: Bool = false
) throws -> Tensor {
    let w = try layerWeights(weights, count: layers.count, loss: "gram")
    let fo = try extractor.activations(of: output, layers: layers)
    let fr = try withNoGrad { try extractor.activations(of: reference, layers: layers) }
    var total: Tensor?
    for (layer, weight) in zip(layers, w) {
        let term = try gramDistance(
            gramMatrix(fo[layer]!, normalizeBySize: normalizeGram), gramMatrix(fr[layer]!, normalizeBySize: normalizeGram),
            weight: weight)
        total = try total.map { try $0 + term } ?? term
    }
    return total!
}

/// How the knowledge-distillation distances are combined.
public enum DistillationForm: String, Sendable, CaseIterable {
    /// PPCN's code (utils.kd_loss / batch): Σ pairs Σ images ½‖q_S - q_T‖² / N.
    case ppcn
    /// PPCN's eq. 12 as printed: Σ pairs ‖q_S - q_T‖₂ per image, averaged over the batch.
    case paper
}

/// PPCN's knowledge-distillation loss (eq. 12): each feature map A is reduced to its channel
/// mean F(A) = (1/C)·Σ Aᵢ, vectorised per image and L2-normalised (q = v / max(‖v‖, 1e-6)
/// as tf.nn.l2_normalize), and student and teacher vectors are compared pairwise. Teacher
/// maps carry no gradient.
public func knowledgeDistillationLoss(student: [Tensor], teacher: [Tensor], form: DistillationForm = .ppcn) throws -> Tensor {
    guard !student.isEmpty, student.count == teacher.count else {
        throw LossError("kd: need equally many student and teacher feature maps, got \(student.count) and \(teacher.count)")
    }
    let q = { (a: Tensor) throws -> Tensor in
        let v = try a.mean(dims: [1]).flatten(from: 1)                   // [N, H·W]
        return try v * v.square().sum(dims: [1], keepDim: true).clamp(min: 1e-12).rsqrt()
    }
    var total: Tensor?
    for (s, t) in zip(student, teacher) {
        guard s.rank == 4, t.rank == 4, s.shape[0] == t.shape[0], s.shape[2...] == t.shape[2...] else {
            throw LossError("kd: student map \(s.shape) and teacher map \(t.shape) differ in batch or size")
        }
        let diff = try q(s) - q(t.detach())
        let term: Tensor
        switch form {
        case .ppcn: term = try diff.square().sum() / Double(2 * s.shape[0])
        case .paper: term = try diff.square().sum(dims: [1]).sqrt().mean()
        }
        total = try total.map { try $0 + term } ?? term
    }
    return total!
}
