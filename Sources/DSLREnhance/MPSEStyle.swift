import DSLRLosses
import DSLRNN
import DSLRTensor
import Foundation

// MPSE's phase 2 (Huang & Liu): the phase-1 photo I is restyled towards a reference photo R by
// optimising the output image O itself against L = L_c + β·L_s + TV. The thesis' matting
// Laplacian photorealism term L_m is not in the objective; the guided transfer that carries
// the result to the full photo makes the change locally affine in I's colours instead.

/// Settings of the per-photo optimisation.
public struct SemanticStyleOptions: Sendable {
    /// Adam steps on the image.
    public var iterations: Int = 200
    /// Adam's step size, in [0, 1] pixel units.
    public var learningRate: Double = 0.01
    /// Longest side the optimisation runs at; larger photos get the change enlarged to them.
    public var workingSide: Int = 512
    /// β: weight of the semantic style loss. The loss is divided by its value at O = I, so
    /// β is relative and does not depend on the feature network's units (the thesis tuned
    /// β = 100 for its ImageNet VGG-19 and its own scale).
    public var styleWeight: Double = 1
    /// Weight of the content loss, which is divided by the mean square of I's content
    /// features: 1 charges a change of the features as large as the features themselves
    /// as much as the whole initial style mismatch.
    public var contentWeight: Double = 1
    /// Weight of the total-variation loss (DSLRLosses' `totalVariationLoss`, on [0, 1] pixels).
    public var tvWeight: Double = 10
    /// VGG layers of the style loss (Luan et al.'s and the thesis' five: one per block).
    public var styleLayers = ["conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"]
    /// VGG layers of the content loss.
    public var contentLayers = ["conv4_2"]
    /// αₗ of the content loss, one per content layer (nil: all 1).
    public var contentLayerWeights: [Double]?
    /// Window radius (working-size pixels) of the guided transfer that carries the result to
    /// the photo: in each window, every channel of the change O − I is fitted as a·I + b of
    /// the same channel of I, and the averaged a, b are enlarged and applied to the full
    /// photo (He and Sun's fast guided filter upsampling). The change is then locally an
    /// affine function of the input's colours, the property the thesis' matting-Laplacian
    /// term asks for; the photo keeps its own full-resolution detail; and the pixel noise a
    /// Gram loss on shallow layers leaves in flat areas is averaged away. 0: add the
    /// bilinearly enlarged change instead.
    public var transferRadius: Int = 4
    /// The guided transfer's regulariser: in windows whose variance in I is well below it
    /// (flat areas) the change is its window mean.
    public var transferEps: Double = 1e-4
    /// Scale of the region importance H in Λ = softmax(α·H); 0 gives every region Λ = 1.
    public var importanceScale: Double = 1

    public init() {}
}

/// The parts of the phase-2 objective at one step, in the paper's units (L_c and L_s as
/// defined, before the relative scaling of `SemanticStyleOptions`).
public struct SemanticStyleLosses: Sendable, Equatable {
    public var style: Double
    public var content: Double
    public var totalVariation: Double
    /// The objective the optimiser minimises (relative scaling and weights applied).
    public var objective: Double
}

/// What one photo's phase 2 did.
public struct SemanticStyleResult: Sendable {
    /// The restyled photo, [1, 3, H, W] at the input's size.
    public var image: Tensor
    /// Losses at the start (O = I) and after the last step.
    public var first: SemanticStyleLosses
    public var last: SemanticStyleLosses
    /// Regions of the photo and the reference region each was matched with.
    public var regions: [RegionClass]
    public var matches: [Int]
    /// The photo's regions as [K, h, w] masks at the working size (phase 3 equalises per region).
    public var masks: Tensor

    /// The region of every pixel of an `height`×`width` photo, [H, W] int64: the masks
    /// enlarged by nearest neighbour, each pixel's strongest.
    public func labels(height: Int, width: Int) throws -> Tensor {
        try interpolate(masks.unsqueeze(0).to(.float32), size: [height, width], mode: .nearest).squeeze(0).argmax(dim: 0)
    }
}

/// MPSE's semantic style refinement of one photo against one reference.
///
/// Each region's style is the area-normalised Gram matrix of VGG features inside it
/// (`regionGramStyleLoss`); output regions come from `segmenter` run on I, which stays fixed
/// while O changes (O starts as I), and are matched with the reference's regions by class or
/// colour (`matchRegions`). The enhancement factors Λ are computed once at the start from I
/// and R, not updated alternately with O as in the thesis, whose fully connected layer
/// producing H has no trained weights outside it: here H is each region's texture (the mean
/// standard deviation of its features over its positions, averaged over I and R, relative
/// to the mean over regions), so textured regions get more of the style weight than flat sky,
/// the behaviour the thesis asks of Λ; α is the region's share of the image, averaged over
/// I and R.
///
/// Photos are optimised at `workingSide` at most and the result is carried to the full photo
/// by a guided transfer (`SemanticStyleOptions.transferRadius`): memory stays bounded for any
/// photo size, and what phase 2 transfers (colour, tone, contrast per region) survives the
/// enlargement while the photo keeps its own detail. The losses reported are those of the
/// optimised image at the working size.
public struct SemanticStyleRefiner: @unchecked Sendable {  // the feature network is only read, never changed
    public let features: any FeatureExtractor
    public let segmenter: any RegionSegmenter
    public var options: SemanticStyleOptions

    public init(features: any FeatureExtractor, segmenter: any RegionSegmenter = ColourClusterSegmenter(),
                options: SemanticStyleOptions = SemanticStyleOptions()) {
        self.features = features; self.segmenter = segmenter; self.options = options
    }

    /// Restyles `photo` ([1, 3, H, W] in [0, 1]) after `reference` (any size).
    /// `progress(step, steps, losses)` is called after every Adam step with the losses of
    /// the image that step started from.
    public func refine(
        _ photo: Tensor, reference: Tensor, progress: (Int, Int, SemanticStyleLosses) -> Void = { _, _, _ in }
    ) throws -> SemanticStyleResult {
        guard photo.rank == 4, photo.shape[0] == 1, photo.shape[1] == 3, reference.rank == 4, reference.shape[0] == 1,
              reference.shape[1] == 3
        else {
            throw EngineError("phase 2: expected one RGB photo and one RGB reference, got \(photo.shape) and \(reference.shape)",
                              kind: .badArgument)
        }
        guard options.iterations >= 0, options.workingSide >= 16 else {
            throw EngineError("phase 2: iterations must not be negative and the working side must be at least 16 pixels",
                              kind: .badArgument)
        }
        let full = try photo.to(.float32)
        let work = try fitted(full, side: options.workingSide)
        var result = try optimise(work, reference: fitted(reference.to(.float32), side: options.workingSide), progress: progress)
        result.image = try transfer(result.image, optimisedFrom: work, to: full)
        return result
    }

    /// Carries the change `optimised` − `work` (working size) to `full`, the photo `work` was
    /// shrunk from: the guided transfer of `SemanticStyleOptions.transferRadius`, or with
    /// radius 0 the bilinearly enlarged change.
    public func transfer(_ optimised: Tensor, optimisedFrom work: Tensor, to full: Tensor) throws -> Tensor {
        try withNoGrad {
            let size = [full.shape[2], full.shape[3]]
            guard options.transferRadius > 0 else {
                let change = try optimised - work
                let enlarged = [work.shape[2], work.shape[3]] == size ? change
                    : try interpolate(change, size: size, mode: .bilinear(alignCorners: false))
                return try (full + enlarged).clamp(min: 0, max: 1)
            }
            let (a, b) = try guidedCoefficients(
                guide: work, target: optimised - work, radius: options.transferRadius, eps: options.transferEps, size: size)
            return try (full + a * full + b).clamp(min: 0, max: 1)
        }
    }

    /// The optimisation itself, at the input's size.
    func optimise(
        _ input: Tensor, reference: Tensor, progress: (Int, Int, SemanticStyleLosses) -> Void
    ) throws -> SemanticStyleResult {
        let styleLayers = options.styleLayers, contentLayers = options.contentLayers
        let allLayers = styleLayers + contentLayers.filter { !styleLayers.contains($0) }
        let (inputFeatures, referenceFeatures) = try withNoGrad {
            (try features.activations(of: input, layers: allLayers), try features.activations(of: reference, layers: styleLayers))
        }
        let mine = try segmenter.segment(input), theirs = try segmenter.segment(reference)
        let matches = matchRegions(mine, to: theirs)
        let referenceMasks = try theirs.masks.indexSelect(0, Tensor(matches.map(Int64.init)))
        let styleReference = styleLayers.map { referenceFeatures[$0]! }
        let contentTarget = contentLayers.map { inputFeatures[$0]! }
        let factors = try enhancementFactors(
            output: styleLayers.map { inputFeatures[$0]! }, reference: styleReference,
            outputMasks: mine.masks, referenceMasks: referenceMasks)
        let contentScale = try withNoGrad {
            try featureContentLoss(output: contentTarget, target: contentTarget.map { try $0.zerosLike() },
                                   weights: options.contentLayerWeights).item()
        }

        let initialStyle = try withNoGrad {
            try regionGramStyleLoss(
                output: styleLayers.map { inputFeatures[$0]! }, reference: styleReference,
                outputMasks: mine.masks, referenceMasks: referenceMasks, factors: factors).item()
        }
        let styleScale = max(initialStyle, 1e-12)
        func objective(_ x: Tensor) throws -> (Tensor, SemanticStyleLosses) {
            let f = try features.activations(of: x, layers: allLayers)
            let style = try regionGramStyleLoss(
                output: styleLayers.map { f[$0]! }, reference: styleReference,
                outputMasks: mine.masks, referenceMasks: referenceMasks, factors: factors)
            let content = try featureContentLoss(output: contentLayers.map { f[$0]! }, target: contentTarget,
                                                 weights: options.contentLayerWeights) / 2
            let tv = try totalVariationLoss(x)
            let total = try style * (options.styleWeight / styleScale) + content * (options.contentWeight / max(contentScale / 2, 1e-12))
                + tv * options.tvWeight
            let parts = SemanticStyleLosses(style: try style.item(), content: try content.item(),
                                            totalVariation: try tv.item(), objective: try total.item())
            return (total, parts)
        }

        // At O = I the content loss is 0 and the scaled style loss is 1: no forward pass needed.
        let initialTV = try withNoGrad { try totalVariationLoss(input).item() }
        let first = SemanticStyleLosses(
            style: initialStyle, content: 0, totalVariation: initialTV,
            objective: (initialStyle > 0 ? options.styleWeight : 0) + initialTV * options.tvWeight)
        let x = try input.clone().requiringGrad()
        var adam = Adam([("image", x)], learningRate: options.learningRate)
        // A photo that already has the reference's style (its own reference) has nothing to
        // gain, and its style loss, scaled by 1/0, would only amplify rounding.
        let steps = initialStyle > 0 ? options.iterations : 0
        for step in 0..<steps {
            try adam.zeroGrad()
            let (total, parts) = try objective(x)
            try total.backward()
            try adam.step()
            try withNoGrad { try x.clamp_(min: 0, max: 1) }
            progress(step + 1, steps, parts)
        }
        let output = try x.detach()
        let last = try withNoGrad { try objective(output).1 }
        return SemanticStyleResult(
            image: output, first: first, last: last, regions: mine.classes, matches: matches, masks: mine.masks)
    }

    /// Λ [L, K] from I's and R's features (see the type's notes).
    func enhancementFactors(output: [Tensor], reference: [Tensor], outputMasks: Tensor, referenceMasks: Tensor) throws -> Tensor {
        try withNoGrad {
            var areas: [Tensor] = [], importance: [Tensor] = []
            for (fo, fr) in zip(output, reference) {
                let (shareO, textureO) = try regionStatistics(fo, masks: regionMasks(outputMasks, atSizeOf: fo))
                let (shareR, textureR) = try regionStatistics(fr, masks: regionMasks(referenceMasks, atSizeOf: fr))
                let present = try shareO.gt(0).to(.float32) * shareR.gt(0).to(.float32)
                let texture = try (textureO + textureR) / 2 * present
                let meanTexture = try texture.sum() / present.sum().clamp(min: 1)
                areas.append(try (shareO + shareR) / 2 * present)
                importance.append(try texture / meanTexture.clamp(min: 1e-12) * options.importanceScale)
            }
            return try DSLRLosses.enhancementFactors(areas: stack(areas), importance: stack(importance))
        }
    }

    /// Each region's share of the feature map and the mean over channels of the standard
    /// deviation of the features over its positions, both [K].
    private func regionStatistics(_ f: Tensor, masks m: Tensor) throws -> (share: Tensor, texture: Tensor) {
        let positions = Double(f.shape[2] * f.shape[3])
        let area = try m.sum(dims: [1, 2, 3])                                       // [K]
        let weight = try (m / area.clamp(min: Self.minimumArea).reshape([-1, 1, 1, 1]))  // [K, 1, h, w]
        let mean = try (f * weight).sum(dims: [2, 3])                               // [K, C]
        let meanSquare = try (f.square() * weight).sum(dims: [2, 3])
        let texture = try (meanSquare - mean.square()).clamp(min: 0).sqrt().mean(dims: [1])
        let share = try `where`(area.gt(Self.minimumArea), area / positions, area.zerosLike())
        return (share, texture)
    }

    /// Feature positions below which a region counts as absent.
    private static let minimumArea = 1e-6
}

/// `image` ([1, 3, H, W]) shrunk so its longest side is at most `side` (antialiased bicubic,
/// clamped to [0, 1]); unchanged when it already fits.
func fitted(_ image: Tensor, side: Int) throws -> Tensor {
    let (h, w) = (image.shape[2], image.shape[3])
    guard max(h, w) > side else { return image }
    let scale = Double(side) / Double(max(h, w))
    return try withNoGrad {
        try resizeBicubic(image, height: max(1, Int((Double(h) * scale).rounded())), width: max(1, Int((Double(w) * scale).rounded())))
            .clamp(min: 0, max: 1)
    }
}
