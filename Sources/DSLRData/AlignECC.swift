import DSLRTensor

// Intensity-based refinement of a homography: the enhanced correlation coefficient (ECC)
// maximisation of Evangelidis & Psarakis (IEEE TPAMI 2008), forward-additive Gauss–Newton on
// the eight parameters, coarse to fine. ECC compares zero-mean, normalised intensities, so a
// brightness/contrast difference between the photos does not bias it.

/// The outcome of `refineECC`.
struct ECCResult {
    /// Template (phone) pixel → image (DSLR) pixel at the resolution the images were given.
    var homography: Homography
    /// The correlation coefficient over the overlap at `homography`, in [-1, 1].
    var correlation: Double
    /// Whether the last level stopped because updates became smaller than the tolerance.
    var converged: Bool
}

/// Sums over the overlap that one Gauss–Newton step needs.
private struct ECCStatistics {
    var hessian: Tensor  // [8, 8]
    var imageProjection: Tensor  // [8, 1]: Gᵀ·image
    var templateProjection: Tensor  // [8, 1]: Gᵀ·template
    var templateNorm2: Double
    var imageNorm2: Double
    var correlation: Double  // unnormalised: template · image
    var pixels: Double

    var coefficient: Double { correlation / max((templateNorm2 * imageNorm2).squareRoot(), 1e-300) }
}

/// A template and an image at one pyramid level, float64 [1, 1, H, W], with the image's
/// gradients stacked for one sampling pass.
private struct ECCLevel {
    let template: Tensor
    let imageAndGradients: Tensor  // [1, 3, Hi, Wi]: image, d/dx, d/dy
    let xs: Tensor  // [1, W]
    let ys: Tensor  // [H, 1]
    let imageWidth: Int
    let imageHeight: Int

    init(template: Tensor, image: Tensor) throws {
        self.template = try template.reshape([template.shape[2], template.shape[3]])
        let (dx, dy) = try imageGradients(image)
        imageAndGradients = try cat([image, dx, dy], dim: 1)
        xs = try Tensor.arange(0, Double(template.shape[3]), dtype: .float64).reshape([1, -1])
        ys = try Tensor.arange(0, Double(template.shape[2]), dtype: .float64).reshape([-1, 1])
        imageWidth = image.shape[3]
        imageHeight = image.shape[2]
    }

    /// Warps the image onto the template grid and accumulates the step's statistics.
    func statistics(_ h: Homography) throws -> ECCStatistics {
        let p = h.m
        let u = try xs * p[0] + ys * p[1] + p[2]
        let v = try xs * p[3] + ys * p[4] + p[5]
        let w = try xs * p[6] + ys * p[7] + p[8]
        let x = try u / w, y = try v / w
        let grid = try stack(
            [x * (2 / Double(imageWidth - 1)) - 1, y * (2 / Double(imageHeight - 1)) - 1], dim: -1
        ).unsqueeze(0)
        let sampled = try gridSample(imageAndGradients, grid: grid, mode: .bilinear, padding: .zeros)
        let warped = try sampled.select(1, 0).squeeze(0)
        let gx = try sampled.select(1, 1).squeeze(0), gy = try sampled.select(1, 2).squeeze(0)
        // Pixels whose bilinear sample has all four neighbours inside the image.
        let mask = try x.ge(0).to(.float64) * x.le(Double(imageWidth - 1)).to(.float64)
            * y.ge(0).to(.float64) * y.le(Double(imageHeight - 1)).to(.float64) * w.gt(0).to(.float64)
        let pixels = try mask.sum().item()
        let templateMean = try (template * mask).sum() / max(pixels, 1)
        let imageMean = try (warped * mask).sum() / max(pixels, 1)
        let t = try (template - templateMean) * mask
        let i = try (warped - imageMean) * mask
        // d(warped)/d(parameters): the image gradient times the warp's Jacobian.
        let invW = try mask / w
        let gxw = try gx * invW, gyw = try gy * invW
        let cross = try -((gx * x + gy * y) * invW)
        let jacobian = try stack([gxw * xs, gxw * ys, gxw, gyw * xs, gyw * ys, gyw, cross * xs, cross * ys])
            .reshape([8, -1])
        let tFlat = try t.reshape([-1, 1]), iFlat = try i.reshape([-1, 1])
        return ECCStatistics(
            hessian: try matmul(jacobian, jacobian.transpose(0, 1)),
            imageProjection: try matmul(jacobian, iFlat),
            templateProjection: try matmul(jacobian, tFlat),
            templateNorm2: try (t * t).sum().item(),
            imageNorm2: try (i * i).sum().item(),
            correlation: try (t * i).sum().item(),
            pixels: pixels)
    }
}

/// Refines `initial` (template pixel → image pixel) by ECC maximisation.
///
/// - Parameters:
///   - template, image: gray [1, 1, H, W] (any float dtype; computed in float64).
///   - levels: pyramid levels (each halves the size), coarsest first; fewer when the images
///     are small.
///   - iterations: the most Gauss–Newton steps per level.
///   - tolerance: stop a level when a step moves no template corner more than this (pixels
///     of that level).
/// - Returns: nil when the overlap is too small or the step is undefined (the correlation
///   denominator is not positive: the images do not correspond).
func refineECC(
    template: Tensor, image: Tensor, initial: Homography, levels: Int, iterations: Int, tolerance: Double
) throws -> ECCResult? {
    var templates = [try template.to(.float64)], images = [try image.to(.float64)]
    while templates.count < max(levels, 1) {
        let t = templates.last!, i = images.last!
        guard min(t.shape[2], t.shape[3], i.shape[2], i.shape[3]) >= 64 else { break }
        templates.append(try avgPool2d(t, kernel: [2, 2]))
        images.append(try avgPool2d(i, kernel: [2, 2]))
    }
    let down = poolingMap(2), up = poolingMap(2).inverse()!
    var h = initial.normalized()
    for _ in 1..<templates.count { h = (down * h * up).normalized() }
    var result: ECCResult?
    for level in stride(from: templates.count - 1, through: 0, by: -1) {
        let data = try ECCLevel(template: templates[level], image: images[level])
        let corners = imageCorners(width: templates[level].shape[3], height: templates[level].shape[2])
        guard let refined = try iterateECC(data, from: h, corners: corners, iterations: iterations, tolerance: tolerance)
        else { return nil }
        result = refined
        h = refined.homography
        if level > 0 { h = (up * h * down).normalized() }
    }
    return result
}

/// Gauss–Newton steps on one level (Evangelidis & Psarakis, forward additive).
private func iterateECC(
    _ data: ECCLevel, from start: Homography, corners: [Point2], iterations: Int, tolerance: Double
) throws -> ECCResult? {
    var h = start
    for _ in 0..<iterations {
        let s = try data.statistics(h)
        guard s.pixels >= 64 else { return nil }
        // One solve for both right-hand sides: H⁻¹·Gᵀi and H⁻¹·Gᵀt.
        let both = try solve(s.hessian, cat([s.imageProjection, s.templateProjection], dim: 1)).toArray(Double.self)
        let ip = try s.imageProjection.toArray(Double.self), tp = try s.templateProjection.toArray(Double.self)
        let hInvIp = (0..<8).map { both[2 * $0] }, hInvTp = (0..<8).map { both[2 * $0 + 1] }
        let ipHip = zip(ip, hInvIp).map(*).reduce(0, +)
        let tpHip = zip(tp, hInvIp).map(*).reduce(0, +)
        let denominator = s.correlation - tpHip
        guard denominator > 0, (0..<8).allSatisfy({ both[$0].isFinite }) else { return nil }
        let lambda = (s.imageNorm2 - ipHip) / denominator
        // Δp = H⁻¹·Gᵀ(λ·t − i) = λ·H⁻¹Gᵀt − H⁻¹Gᵀi.
        var m = h.m
        for k in 0..<8 { m[k] += lambda * hInvTp[k] - hInvIp[k] }
        let next = Homography(m)
        let step = next.maxDistance(to: h, at: corners)
        h = next
        if step < tolerance {
            return ECCResult(homography: h, correlation: try data.statistics(h).coefficient, converged: true)
        }
    }
    return ECCResult(homography: h, correlation: try data.statistics(h).coefficient, converged: false)
}

/// The correlation coefficient of `template` and `image` warped by `h` over their overlap
/// (the ECC criterion): 1 for images equal up to brightness and contrast, about 0 for
/// unrelated ones.
func eccCorrelation(template: Tensor, image: Tensor, homography h: Homography) throws -> Double {
    try ECCLevel(template: template.to(.float64), image: image.to(.float64)).statistics(h).coefficient
}
