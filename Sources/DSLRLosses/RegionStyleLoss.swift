import DSLRTensor

// MPSE's semantic style loss (Huang & Liu, phase 2): the Gram loss of FeatureLosses.swift taken
// per semantic region, each region weighted per layer by an enhancement factor Λ.

/// Region masks [K, H, W] at a feature map's size, [K, 1, h, w].
///
/// Area averaging (adaptive average pooling): a feature position's mask value is the share of
/// the region in the pixels it pools, so a downsampled mask neither loses thin regions the way
/// point sampling does nor grows them.
public func regionMasks(_ masks: Tensor, atSizeOf features: Tensor) throws -> Tensor {
    guard masks.rank == 3, features.rank == 4 else {
        throw LossError("region masks: expected masks [K, H, W] and features NCHW, got \(masks.shape) and \(features.shape)")
    }
    let m = try masks.to(features.device, features.dtype).unsqueeze(1)
    let size = [features.shape[2], features.shape[3]]
    return [m.shape[2], m.shape[3]] == size ? m : try adaptiveAvgPool2d(m, outputSize: size)
}

/// The Gram matrix of one image's features inside a region, [1, C, C]: (F⊙M)(F⊙M)ᵀ / ΣM, with
/// `features` [1, C, h, w] and `mask` [1, 1, h, w].
///
/// MPSE's formula writes the plain F·Fᵀ; divided by the region's area, a region that covers
/// a fifth of the output and half of the reference is compared by its texture rather than by
/// its size (Luan et al.'s masked Gram divides by the masked size for the same reason).
func maskedGramMatrix(_ features: Tensor, mask: Tensor, area: Double) throws -> Tensor {
    try gramMatrix(features * mask, normalizeBySize: false) / area
}

/// Areas below this (in feature positions) count as an absent region.
let minimumRegionArea = 1e-6

/// MPSE's semantic style loss Lₛ = Σ_{r,l} Λᵣˡ/(2·Nₗ²)·‖Gᵣˡ[O] - Gᵣˡ[R]‖², on features already
/// extracted.
///
/// Gᵣˡ is `maskedGramMatrix` of layer l's features with region r's mask resized to that layer
/// (`regionMasks`); Nₗ is the layer's channel count. Region r of `outputMasks` is compared with
/// region r of `referenceMasks` (the caller matches the two segmentations). A region absent
/// from either image at a layer (zero area there) adds nothing. Reference features and the
/// factors carry no gradient.
///
/// - Parameters:
///   - output, reference: one feature map [1, Cₗ, hₗ, wₗ] per layer, for O and for R.
///   - outputMasks, referenceMasks: [K, H, W] region masks (hard or soft, in [0, 1]) of O and R.
///   - factors: Λ, [L, K] (layer, region).
public func regionGramStyleLoss(
    output: [Tensor], reference: [Tensor], outputMasks: Tensor, referenceMasks: Tensor, factors: Tensor
) throws -> Tensor {
    let regions = outputMasks.shape.first ?? 0
    guard output.count == reference.count, !output.isEmpty, referenceMasks.shape.first == regions, regions > 0,
          factors.shape == [output.count, regions]
    else {
        throw LossError(
            "region gram: need as many output as reference layers (\(output.count), \(reference.count)), equally many "
                + "regions in both masks (\(outputMasks.shape), \(referenceMasks.shape)) and factors [layers, regions] "
                + "(got \(factors.shape))")
    }
    let lambda = try factors.detach().to(.float64).toArray(Double.self)
    var total: Tensor?
    for (l, (fo, frGraph)) in zip(output, reference).enumerated() {
        guard fo.rank == 4, fo.shape[0] == 1, frGraph.rank == 4, frGraph.shape[0] == 1, fo.shape[1] == frGraph.shape[1] else {
            throw LossError("region gram: layer \(l) features must be [1, C, h, w] with equal C, got \(fo.shape) and \(frGraph.shape)")
        }
        let fr = try frGraph.detach()
        let mo = try regionMasks(outputMasks, atSizeOf: fo), mr = try regionMasks(referenceMasks, atSizeOf: fr)
        let areasO = try mo.to(.float64).sum(dims: [1, 2, 3]).toArray(Double.self)
        let areasR = try mr.to(.float64).sum(dims: [1, 2, 3]).toArray(Double.self)
        for r in 0..<regions {
            let weight = lambda[l * regions + r]
            guard weight != 0, areasO[r] > minimumRegionArea, areasR[r] > minimumRegionArea else { continue }
            let go = try maskedGramMatrix(fo, mask: mo.narrow(0, start: r, length: 1), area: areasO[r])
            let gr = try maskedGramMatrix(fr, mask: mr.narrow(0, start: r, length: 1), area: areasR[r])
            let term = try gramDistance(go, gr, weight: weight)
            total = try total.map { try $0 + term } ?? term
        }
    }
    return try total ?? output[0].sum() * 0
}

/// MPSE's semantically adaptive enhancement factors Λᵣˡ = exp(αᵣˡ·Hᵣˡ) / Σᵣ′ exp(αᵣ′ˡ·Hᵣ′ˡ),
/// a softmax over the regions of each layer, [L, K].
///
/// αᵣˡ is the region's area indicator (MPSE: proportional to its area in Seg(O) and Seg(R))
/// and Hᵣˡ its importance (MPSE: the output of a fully connected layer on pooled conv5_3
/// features, trained alternately with the image; callers without such a layer supply a
/// texture measure). Regions with zero area are left out of the softmax and get Λ = 0.
///
/// The paper's factors sum to 1 over the regions of a layer; these are multiplied by the
/// number of regions present, so that equal importance gives every region Λ = 1 and the style
/// weight β means what it means with a single region.
public func enhancementFactors(areas: Tensor, importance: Tensor) throws -> Tensor {
    guard areas.rank == 2, areas.shape == importance.shape else {
        throw LossError("enhancement factors: areas and importance must both be [layers, regions], got \(areas.shape) and \(importance.shape)")
    }
    let present = try areas.gt(0)
    let logits = try (areas * importance).maskedFill(present.logicalNot(), -Double.infinity)
    let count = try present.to(areas.dtype).sum(dims: [1], keepDim: true)
    // A layer with no region at all would be a row of -inf; its softmax is NaN, its factors 0.
    let softmax = try logits.softmax(dim: 1).maskedFill(present.logicalNot(), 0)
    return try softmax * count
}
