import DSLRTensor

// Global histogram equalisation in two flavours: scikit-image's `exposure.equalize_hist`
// (a continuous CDF interpolated at bin centres), which the tests reproduce, and the discrete
// textbook mapping T(k) = floor((L - 1) · Σ_{n ≤ k} p_n) that the MPSE paper writes for its
// phase-3 post-processing.

/// Equalises each [H, W] plane of `image` like `skimage.exposure.equalize_hist(plane, nbins)`:
/// a histogram of `nbins` equal bins over the plane's min...max (numpy's bin edges), its
/// normalised cumulative sum, linearly interpolated at each value between bin centres.
///
/// Computed in float64; returns the input's shape and dtype, values in (0, 1].
public func equalizeHist(_ image: Tensor, nbins: Int = 256) throws -> Tensor {
    guard nbins >= 1 else { throw TorchError("equalizeHist: nbins must be positive, got \(nbins)") }
    return try forEachPlane(of: image, "equalizeHist") { plane in
        let x = try plane.to(.float64)
        let extremes = try stack([x.min(), x.max()]).toArray(Double.self)
        var (first, last) = (extremes[0], extremes[1])
        if first == last { (first, last) = (first - 0.5, last + 0.5) }
        let edges = numpyLinspace(first, last, count: nbins + 1)
        let centres = (0..<nbins).map { (edges[$0] + edges[$0 + 1]) / 2 }
        let device = x.device
        // Bin i holds edges[i] <= x < edges[i + 1]; the last bin also holds the maximum.
        let bin = try (x.bucketize(Tensor(edges).to(device), right: true) - 1.0).clamp(min: 0, max: Double(nbins - 1))
        let counts = try bin.flatten().to(.int64).bincount(minLength: nbins).to(.float64)
        let cumulative = try counts.cumsum(dim: 0)
        let cdf = try cumulative / cumulative.narrow(0, start: nbins - 1, length: 1)
        return try interpolate(x, at: centres, values: cdf).to(plane.dtype)
    }
}

/// Equalises each [H, W] plane of `image` (values in [0, 1]) with the discrete mapping
/// T(k) = floor((L - 1) · Σ_{n ≤ k} p_n) over `levels` grey levels L, as the MPSE paper
/// writes it: values are quantised to the nearest of L levels and mapped to T(k) / (L - 1).
public func equalizeHistDiscrete(_ image: Tensor, levels: Int = 256) throws -> Tensor {
    guard levels >= 2 else { throw TorchError("equalizeHistDiscrete: levels must be at least 2, got \(levels)") }
    let top = Double(levels - 1)
    return try forEachPlane(of: image, "equalizeHistDiscrete") { plane in
        let k = try (plane.to(.float64).clamp(min: 0, max: 1) * top).round()
        let counts = try k.flatten().to(.int64).bincount(minLength: levels).to(.float64)
        // Integer cumulative counts make T(L - 1) exactly L - 1.
        let cumulative = try counts.cumsum(dim: 0)
        let mapping = try (cumulative * top / Double(plane.count)).floor() / top
        return try mapping.take(k.to(.int64)).to(plane.dtype)
    }
}

/// numpy's `linspace(start, stop, count)`: i · step + start, with the last point set to `stop`.
func numpyLinspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
    guard count > 1 else { return [start] }
    let step = (stop - start) / Double(count - 1)
    var points = (0..<count).map { Double($0) * step + start }
    points[count - 1] = stop
    return points
}

/// numpy's `interp(x, xp, fp)` for increasing `xp`: constant beyond the ends, exact at the
/// sample points, else slope · (x - xp[j]) + fp[j].
private func interpolate(_ x: Tensor, at xp: [Double], values fp: Tensor) throws -> Tensor {
    let n = xp.count
    guard n > 1 else { return try x.zerosLike() + fp.item() }
    let device = x.device
    let points = try Tensor(xp).to(device)
    let slopes = try (fp.narrow(0, start: 1, length: n - 1) - fp.narrow(0, start: 0, length: n - 1))
        / (points.narrow(0, start: 1, length: n - 1) - points.narrow(0, start: 0, length: n - 1))
    let j = try x.bucketize(points, right: true) - 1.0
    let segment = try j.clamp(min: 0, max: Double(n - 2)).to(.int64)
    let x0 = try points.take(segment)
    let y0 = try fp.take(segment)
    let inside = try slopes.take(segment) * (x - x0) + y0
    let first = try fp.narrow(0, start: 0, length: 1)
    let last = try fp.narrow(0, start: n - 1, length: 1)
    var y = try `where`(x.eq(x0), y0, inside)
    y = try `where`(j.lt(0), first.expand(x.shape), y)
    return try `where`(j.ge(Double(n - 1)), last.expand(x.shape), y)
}

/// Applies `body` to every [H, W] plane of a [..., H, W] tensor and reassembles the result.
func forEachPlane(of image: Tensor, _ name: String, _ body: (Tensor) throws -> Tensor) throws -> Tensor {
    let shape = image.shape
    guard shape.count >= 2, shape[shape.count - 2] > 0, shape[shape.count - 1] > 0 else {
        throw TorchError("\(name): expected [..., H, W] with H, W > 0, got shape \(shape)")
    }
    let planes = try image.reshape([-1, shape[shape.count - 2], shape[shape.count - 1]])
    let out = try (0..<planes.shape[0]).map { try body(planes.select(0, $0)) }
    return try stack(out).reshape(shape)
}
