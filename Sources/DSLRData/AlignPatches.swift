import DSLRTensor

/// How `cutPatches` cuts and locally refines patch pairs.
public struct PatchOptions: Sendable {
    /// Patch side and step between patches (pixels of the phone photo).
    public var size = 100
    public var stride = 100
    /// Refine each DSLR patch by a sub-pixel translation (translation-only ECC against the
    /// phone patch): one homography cannot follow lens distortion or parallax, which leave
    /// pixels of misalignment near the corners of real pairs. Off by default: where the
    /// homography already fits, the per-patch estimate only adds its noise (a few tenths of
    /// a pixel on small patches whose colours the two cameras render differently).
    public var localRefine = false
    /// Larger local shifts are distrusted (the patch keeps the global alignment).
    public var maxShift = 2.0
    /// Gauss–Newton steps of the local refinement.
    public var iterations = 20
    /// Pixels of context on each side of a patch that its shift is measured over: more pixels
    /// give a steadier estimate, but the window is kept inside the common area, so patches at
    /// its edge are measured off-centre.
    public var context = 0
    public init(size: Int = 100, stride: Int? = nil, localRefine: Bool = false, maxShift: Double = 2, context: Int = 0) {
        self.size = size; self.stride = stride ?? size; self.localRefine = localRefine; self.maxShift = maxShift
        self.context = context
    }
}

/// One aligned patch pair.
public struct PatchPair: Sendable {
    /// Top-left corner in the phone photo.
    public var x: Int
    public var y: Int
    /// The local translation (phone pixels) applied to the DSLR patch on top of the homography.
    public var shift: Point2
    /// Whether the local refinement was applied (false when disabled, when the patch is too
    /// flat to measure a shift, or when the shift ran past `maxShift`).
    public var refined: Bool
    /// The correlation coefficient of the two gray patches (after the shift): near 1 when they
    /// line up; low for moving objects, parallax the shift cannot fix, or flat patches.
    public var correlation: Double
    /// [3, size, size] each.
    public var phone: Tensor
    public var dslr: Tensor
}

/// Cuts `result`'s common area into patch pairs, every `stride` pixels, each DSLR patch
/// resampled once from the DSLR photo through the homography and its local shift.
public func cutPatches(_ result: AlignmentResult, options: PatchOptions = PatchOptions()) throws -> [PatchPair] {
    try withNoGrad {
        let rect = result.commonRect, size = options.size
        let origins = patchOrigins(width: rect.width, height: rect.height, size: size, stride: options.stride)
        guard !origins.isEmpty else { return [] }
        let phoneGray = try gaussianBlur(result.croppedPhone.to(.float64).mean(dims: [0], keepDim: true).unsqueeze(0), sigma: 1)
        let dslrGray = try gaussianBlur(result.croppedDSLR.to(.float64).mean(dims: [0], keepDim: true).unsqueeze(0), sigma: 1)
        // Shifts are measured on windows around the patches (more pixels, less noise).
        let window = min(size + 2 * max(options.context, 0), rect.width, rect.height)
        let windows = origins.map { o in
            (x: min(max(o.x - (window - size) / 2, 0), rect.width - window),
             y: min(max(o.y - (window - size) / 2, 0), rect.height - window))
        }
        let local = try LocalECC(template: phoneGray, image: dslrGray, origins: windows, size: window)
        var shifts = [Point2](repeating: Point2(0, 0), count: origins.count)
        var refined = [Bool](repeating: false, count: origins.count)
        if options.localRefine {
            (shifts, refined) = try local.shifts(iterations: options.iterations, maxShift: options.maxShift)
        }
        let correlations = try local.statistics(shifts).map(\.coefficient)
        let source = result.dslrSource, map = result.sourceHomography
        return try origins.indices.map { k in
            let (ox, oy) = (rect.x + origins[k].x, rect.y + origins[k].y)
            let start = Homography.scaleShift(sx: 1, sy: 1, tx: Double(ox) + shifts[k].x, ty: Double(oy) + shifts[k].y)
            let dslr = try warpPerspective(source, homography: map * start, width: size, height: size).squeeze(0)
            let phone = try crop(result.croppedPhone, PixelRect(x: origins[k].x, y: origins[k].y, width: size, height: size))
            return PatchPair(
                x: ox, y: oy, shift: shifts[k], refined: refined[k], correlation: correlations[k],
                phone: phone, dslr: dslr)
        }
    }
}

/// Sums of one translation-only ECC step for one patch.
private struct TranslationStatistics {
    var gxx = 0.0, gxy = 0.0, gyy = 0.0
    var imageProjection = Point2(0, 0), templateProjection = Point2(0, 0)
    var templateNorm2 = 0.0, imageNorm2 = 0.0, correlation = 0.0

    var coefficient: Double { correlation / max((templateNorm2 * imageNorm2).squareRoot(), 1e-300) }

    /// H⁻¹·v for the 2×2 Hessian, nil when it is (nearly) singular: a flat or one-directional
    /// patch, whose shift cannot be measured.
    func solve(_ v: Point2, pixels: Double) -> Point2? {
        let det = gxx * gyy - gxy * gxy
        let trace = gxx + gyy
        let smallest = trace / 2 - ((gxx - gyy) * (gxx - gyy) / 4 + gxy * gxy).squareRoot()
        guard det > 0, smallest / pixels > 1e-7 else { return nil }
        return Point2((gyy * v.x - gxy * v.y) / det, (gxx * v.y - gxy * v.x) / det)
    }
}

/// Translation-only ECC of many patches at once: the DSLR image (already in the phone frame)
/// is sampled at each patch's pixels plus its shift, all patches in one grid_sample call.
private struct LocalECC {
    let templates: Tensor  // [N, P, P], zero-mean per patch
    let imageAndGradients: Tensor  // [1, 3, H, W]
    let baseX: Tensor  // [N, 1, P]
    let baseY: Tensor  // [N, P, 1]
    let count: Int
    let size: Int
    let width: Int
    let height: Int

    init(template: Tensor, image: Tensor, origins: [(x: Int, y: Int)], size: Int) throws {
        let plane = try template.reshape([template.shape[2], template.shape[3]])
        let patches = try stack(origins.map { try plane.narrow(0, start: $0.y, length: size).narrow(1, start: $0.x, length: size) })
        templates = try patches - patches.mean(dims: [1, 2], keepDim: true)
        let (dx, dy) = try imageGradients(image)
        imageAndGradients = try cat([image, dx, dy], dim: 1)
        let steps = try Tensor.arange(0, Double(size), dtype: .float64)
        baseX = try Tensor(origins.map { Double($0.x) }, shape: [origins.count, 1, 1]) + steps.reshape([1, 1, size])
        baseY = try Tensor(origins.map { Double($0.y) }, shape: [origins.count, 1, 1]) + steps.reshape([1, size, 1])
        count = origins.count
        self.size = size
        width = image.shape[3]
        height = image.shape[2]
    }

    /// Each patch's step statistics with the image sampled at pixel + shift.
    func statistics(_ shifts: [Point2]) throws -> [TranslationStatistics] {
        let tx = try Tensor(shifts.map(\.x), shape: [count, 1, 1]), ty = try Tensor(shifts.map(\.y), shape: [count, 1, 1])
        let x = try (baseX + tx).expand([count, size, size]), y = try (baseY + ty).expand([count, size, size])
        let grid = try stack([x * (2 / Double(width - 1)) - 1, y * (2 / Double(height - 1)) - 1], dim: -1)
            .reshape([1, count * size, size, 2])
        let sampled = try gridSample(imageAndGradients, grid: grid, mode: .bilinear, padding: .border)
            .reshape([3, count, size, size])
        let warped = try sampled.select(0, 0), gx = try sampled.select(0, 1), gy = try sampled.select(0, 2)
        let i = try warped - warped.mean(dims: [1, 2], keepDim: true)
        let t = templates
        let sums = try stack([gx * gx, gx * gy, gy * gy, gx * i, gy * i, gx * t, gy * t, t * t, i * i, t * i])
            .sum(dims: [2, 3]).transpose(0, 1).contiguous().toArray(Double.self)
        return (0..<count).map { n in
            let s = Array(sums[10 * n..<10 * n + 10])
            return TranslationStatistics(
                gxx: s[0], gxy: s[1], gyy: s[2], imageProjection: Point2(s[3], s[4]),
                templateProjection: Point2(s[5], s[6]), templateNorm2: s[7], imageNorm2: s[8], correlation: s[9])
        }
    }

    /// ECC (Evangelidis & Psarakis) on the two translation parameters of every patch.
    func shifts(iterations: Int, maxShift: Double) throws -> (shifts: [Point2], refined: [Bool]) {
        var shifts = [Point2](repeating: Point2(0, 0), count: count)
        var active = [Bool](repeating: true, count: count)
        var failed = [Bool](repeating: false, count: count)
        let pixels = Double(size * size)
        for _ in 0..<iterations where active.contains(true) {
            let stats = try statistics(shifts)
            for n in 0..<count where active[n] {
                let s = stats[n]
                guard let hInvIp = s.solve(s.imageProjection, pixels: pixels),
                      let hInvTp = s.solve(s.templateProjection, pixels: pixels)
                else { active[n] = false; failed[n] = true; continue }
                let ip = s.imageProjection, tp = s.templateProjection
                let denominator = s.correlation - (tp * hInvIp).sum()
                guard denominator > 0 else { active[n] = false; failed[n] = true; continue }
                let lambda = (s.imageNorm2 - (ip * hInvIp).sum()) / denominator
                let step = lambda * hInvTp - hInvIp
                shifts[n] += step
                if distance(shifts[n], Point2(0, 0)) > maxShift { active[n] = false; failed[n] = true }
                if distance(step, Point2(0, 0)) < 1e-3 { active[n] = false }
            }
        }
        for n in 0..<count where failed[n] { shifts[n] = Point2(0, 0) }
        return (shifts, failed.map { !$0 })
    }
}
