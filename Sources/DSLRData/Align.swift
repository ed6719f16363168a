import DSLRTensor
import Foundation

/// Aligns a DSLR photo to a phone photo of the same scene.
///
/// Corners matched by patch descriptors give a RANSAC homography at a reduced resolution
/// (`featureSize`); ECC maximisation refines it at `refineSize`; the DSLR photo is then
/// low-pass filtered to the phone's sampling rate where it is sharper, resampled (bicubic)
/// into the phone frame, and both are cropped to the largest rectangle it covers.
///
/// - Parameters:
///   - phone, dslr: RGB (or gray) [C, H, W] or [1, C, H, W], values in [0, 1]; sizes may differ.
/// - Throws: `AlignmentRejection` with the reason when the pair cannot be aligned well
///   enough (too few inliers, degenerate transform, small overlap, low score).
public func alignPair(phone: Tensor, dslr: Tensor, options: AlignOptions = AlignOptions()) throws -> AlignmentResult {
    try withNoGrad {
        let phoneImage = try batched(phone, "phone"), dslrImage = try batched(dslr, "DSLR")
        let (pw, ph) = (phoneImage.shape[3], phoneImage.shape[2]), (dw, dh) = (dslrImage.shape[3], dslrImage.shape[2])
        guard min(pw, ph, dw, dh) >= 48 else {
            throw AlignmentRejection("photo too small to align (\(pw)x\(ph) and \(dw)x\(dh), need 48 px a side)")
        }
        let phoneGray = try luma(phoneImage), dslrGray = try luma(dslrImage)

        // Global transform from features, at the feature resolution.
        let fp = poolFactor(max(pw, ph), options.featureSize), fd = poolFactor(max(dw, dh), options.featureSize)
        let featurePhone = try pooled(phoneGray, fp), featureDSLR = try pooled(dslrGray, fd)
        let found = try matchHomography(featurePhone, featureDSLR, options: options)
        let inliers = found?.fit.inliers.count ?? 0
        guard let match = found, inliers >= options.minInliers else {
            throw AlignmentRejection("too few inlier matches (\(inliers) < \(options.minInliers))", inliers: inliers)
        }
        let featureCorners = imageCorners(width: featurePhone.shape[3], height: featurePhone.shape[2])
        if let problem = degeneracy(match.fit.homography, corners: featureCorners, options: options) {
            throw AlignmentRejection("degenerate transform: \(problem)", inliers: inliers)
        }
        let featureH = (poolingMap(fd).inverse()! * match.fit.homography * poolingMap(fp)).normalized()

        // Refinement by ECC at the refinement resolution.
        let rp = poolFactor(max(pw, ph), options.refineSize), rd = poolFactor(max(dw, dh), options.refineSize)
        let refinePhone = try gaussianBlur(pooled(phoneGray, rp), sigma: 1)
        let refineDSLR = try gaussianBlur(pooled(dslrGray, rd), sigma: 1)
        let toRefine = { (h: Homography) in (poolingMap(rd) * h * poolingMap(rp).inverse()!).normalized() }
        let fromRefine = { (h: Homography) in (poolingMap(rd).inverse()! * h * poolingMap(rp)).normalized() }
        var refineH = toRefine(featureH)
        var refined = false
        if let ecc = try refineECC(
            template: refinePhone, image: refineDSLR, initial: refineH, levels: options.eccLevels,
            iterations: options.eccIterations, tolerance: options.eccTolerance)
        {
            let asFeature = (poolingMap(fd) * fromRefine(ecc.homography) * poolingMap(fp).inverse()!).normalized()
            if asFeature.maxDistance(to: match.fit.homography, at: featureCorners) <= options.maxRefineShift {
                refineH = ecc.homography
                refined = true
            }
        }
        let score = try eccCorrelation(template: refinePhone, image: refineDSLR, homography: refineH)
        let h = fromRefine(refineH)

        // Common area, checks, and the warp.
        let prefilter = Prefilter(h, frameWidth: pw, frameHeight: ph, imageWidth: dw, imageHeight: dh)
        guard let rect = largestValidRectangle(
            homography: prefilter.homography, width: pw, height: ph, imageWidth: prefilter.width, imageHeight: prefilter.height,
            margin: options.margin, step: max(1, max(pw, ph) / 500))
        else { throw AlignmentRejection("no common area", inliers: inliers, score: score) }
        let overlap = Double(rect.area) / Double(pw * ph)
        guard overlap >= options.minOverlap else {
            throw AlignmentRejection(
                "common area \(percent(overlap)) of the phone photo is below \(percent(options.minOverlap))",
                inliers: inliers, score: score)
        }
        guard score >= options.minScore else {
            throw AlignmentRejection(
                "alignment score \(String(format: "%.3f", score)) is below \(options.minScore)", inliers: inliers, score: score)
        }
        let source = try prefilter.apply(dslrImage)
        let warped = try warpPerspective(source, homography: prefilter.homography, width: pw, height: ph).squeeze(0)
        return AlignmentResult(
            homography: h.rows, featureHomography: featureH.rows, refined: refined,
            matches: match.matches, inliers: inliers, matchScale: match.scale, score: score,
            commonRect: rect, overlap: overlap, warpedDSLR: warped,
            dslrSource: source, sourceHomography: prefilter.homography,
            croppedPhone: try crop(phoneImage.squeeze(0), rect), croppedDSLR: try crop(warped, rect))
    }
}

/// The best RANSAC homography over the descriptor scales, with its match count.
private struct ScaleMatch {
    var fit: RobustFit
    var matches: Int
    var scale: Double
}

/// Detects, describes and matches corners, and fits a homography per relative scale;
/// keeps the scale with the most inliers. Phone feature pixel → DSLR feature pixel; nil when
/// no scale gave a fit, a rejection when either photo has too few corners.
private func matchHomography(_ phone: Tensor, _ dslr: Tensor, options: AlignOptions) throws -> ScaleMatch? {
    let halfSpan = Double(options.descriptorGrid - 1) / 2 * options.descriptorSpacing
    let border = Int((halfSpan * (options.scales.max() ?? 1)).rounded(.up)) + 2
    let phoneBorder = Int(halfSpan.rounded(.up)) + 2
    let phoneCorners = try detectCorners(phone, maxCount: options.maxKeypoints, radius: options.nmsRadius, border: phoneBorder)
    let dslrCorners = try detectCorners(dslr, maxCount: options.maxKeypoints, radius: options.nmsRadius, border: border)
    guard phoneCorners.count >= options.minInliers, dslrCorners.count >= options.minInliers else {
        throw AlignmentRejection(
            "too little texture to match (\(phoneCorners.count) corners in the phone photo, \(dslrCorners.count) in the DSLR photo)",
            inliers: 0)
    }
    let sigma = options.descriptorSpacing / 2
    let phoneDescriptors = try patchDescriptors(
        gaussianBlur(phone, sigma: sigma), at: phoneCorners, spacing: options.descriptorSpacing, grid: options.descriptorGrid)
    var best: ScaleMatch?
    for (k, scale) in options.scales.enumerated() {
        let dslrDescriptors = try patchDescriptors(
            gaussianBlur(dslr, sigma: sigma * scale), at: dslrCorners,
            spacing: options.descriptorSpacing * scale, grid: options.descriptorGrid)
        let pairs = try mutualMatches(phoneDescriptors, dslrDescriptors, ratio: options.matchRatio)
        guard pairs.count >= 4 else { continue }
        guard let fit = try ransacHomography(
            src: pairs.map { phoneCorners[$0.0] }, dst: pairs.map { dslrCorners[$0.1] },
            threshold: options.ransacThreshold, iterations: options.ransacIterations,
            seed: options.seed &+ UInt64(k))
        else { continue }
        if fit.inliers.count > best?.fit.inliers.count ?? 0 { best = ScaleMatch(fit: fit, matches: pairs.count, scale: scale) }
    }
    return best
}

/// How the DSLR photo is low-pass filtered to the sampling rate of the phone frame before
/// resampling, so that a sharper, larger DSLR photo does not alias: average-pooled by the
/// whole part of the scale (DSLR pixels per phone pixel at the frame centre), then blurred
/// with σ = (r − 1) / 2 for the rest r, as scikit-image's `rescale` anti-aliasing.
private struct Prefilter {
    var factor: Int
    var sigma: Double
    /// Phone pixel → pixel of the filtered DSLR photo.
    var homography: Homography
    var width: Int
    var height: Int

    init(_ h: Homography, frameWidth: Int, frameHeight: Int, imageWidth: Int, imageHeight: Int) {
        let j = h.jacobian(at: Point2(Double(frameWidth - 1) / 2, Double(frameHeight - 1) / 2))
        let scale = Swift.abs(j[0] * j[3] - j[1] * j[2]).squareRoot()
        factor = max(1, min(Int(scale), imageWidth / 2, imageHeight / 2))
        sigma = max(0, (scale / Double(factor) - 1) / 2)
        homography = factor > 1 ? (poolingMap(factor) * h).normalized() : h
        width = imageWidth / factor
        height = imageHeight / factor
    }

    func apply(_ image: Tensor) throws -> Tensor {
        let pooled = factor > 1 ? try avgPool2d(image, kernel: [factor, factor]) : image
        return sigma > 0.05 ? try gaussianBlur(pooled, sigma: sigma) : pooled
    }
}

/// Why `h` (phone → DSLR, feature pixels) is implausible for two photos of one scene, or nil.
func degeneracy(_ h: Homography, corners: [Point2], options: AlignOptions) -> String? {
    let centre = corners.reduce(Point2(0, 0), +) / Double(corners.count)
    let ws = (corners + [centre]).map { h.w($0) }
    guard ws.allSatisfy({ $0 > 0 }) else { return "the photo folds over (points map behind the camera)" }
    let perspective = ws.max()! / ws.min()!
    if perspective > options.maxPerspective {
        return "perspective change \(String(format: "%.2f", perspective)) exceeds \(options.maxPerspective)"
    }
    for p in corners + [centre] {
        let j = h.jacobian(at: p)
        let det = j[0] * j[3] - j[1] * j[2]
        guard det > 0 else { return "the transform mirrors the photo" }
        // Singular values of the 2×2 Jacobian from its Frobenius norm and determinant.
        let f2 = j.map { $0 * $0 }.reduce(0, +)
        let root = max(0, f2 * f2 - 4 * det * det).squareRoot()
        let s1 = ((f2 + root) / 2).squareRoot(), s2 = ((f2 - root) / 2).squareRoot()
        let scale = det.squareRoot()
        if scale > options.maxScale || scale < 1 / options.maxScale {
            return "scale change \(String(format: "%.2f", scale)) outside [1/\(options.maxScale), \(options.maxScale)]"
        }
        if s1 / max(s2, 1e-12) > options.maxAnisotropy {
            return "shear/aspect change \(String(format: "%.2f", s1 / max(s2, 1e-12))) exceeds \(options.maxAnisotropy)"
        }
    }
    return nil
}

/// [C, H, W] → [1, C, H, W] float32, checking the layout.
private func batched(_ image: Tensor, _ name: String) throws -> Tensor {
    let x = image.rank == 3 ? try image.unsqueeze(0) : image
    guard x.rank == 4, x.shape[0] == 1, x.shape[1] == 1 || x.shape[1] == 3 else {
        throw TorchError("\(name) image must be [3, H, W] or [1, 3, H, W] (or one channel), got \(image.shape)")
    }
    return try x.to(.float32)
}

/// Gray [1, 1, H, W] with the luma weights of `DSLRMetrics.grayscale`, the channel itself
/// for gray. A weighted sum rather than `grayscale`'s 1×1 convolution: on a 24-megapixel
/// photo libtorch's convolution takes seconds, the sum a fraction of one.
private func luma(_ image: Tensor) throws -> Tensor {
    guard image.shape[1] == 3 else { return image }
    let weights = try Tensor([Float(0.2989), 0.5870, 0.1140], shape: [1, 3, 1, 1])
    return try (image * weights).sum(dims: [1], keepDim: true)
}

/// The whole factor that brings `side` down to at most `target`.
func poolFactor(_ side: Int, _ target: Int) -> Int { max(1, Int((Double(side) / Double(max(target, 1))).rounded(.up))) }

private func pooled(_ image: Tensor, _ factor: Int) throws -> Tensor {
    factor == 1 ? image : try avgPool2d(image, kernel: [factor, factor])
}

private func percent(_ x: Double) -> String { String(format: "%.0f%%", 100 * x) }
