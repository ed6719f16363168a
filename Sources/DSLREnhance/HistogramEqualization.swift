import DSLRTensor

// Global histogram equalisation in two flavours: scikit-image's `exposure.equalize_hist`
// (a continuous CDF interpolated at bin centres), which the tests reproduce, and the discrete
// textbook mapping T(k) = floor((L - 1) · Σ_{n ≤ k} p_n) that the MPSE paper writes for its
// phase-3 post-processing, optionally recursive (mean-separate) and per region.

/// Equalises each [H, W] plane of `image` like `skimage.exposure.equalize_hist(plane, nbins)`:
/// a histogram of `nbins` equal bins over the plane's min...max (numpy's bin edges), its
/// normalised cumulative sum, linearly interpolated at each value between bin centres.
///
/// Computed in float64; returns the input's shape and dtype, values in (0, 1].
public func equalizeHist(_ image: Tensor, nbins: Int = 256) throws -> Tensor {
    guard nbins >= 1 else { throw TorchError("equalizeHist: nbins must be positive, got \(nbins)") }
    return try mapPlanes(of: image, "equalizeHist") { plane in
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
///
/// - Parameters:
///   - depth: recursive mean-separate equalisation (Chen and Ramli 2003): the histogram is
///     split at its mean level `depth` times and each of the 2^depth parts is equalised within
///     its own range of levels, so the mean brightness is roughly kept where plain equalisation
///     (depth 0) moves it to mid-grey.
///   - regions: [H, W] int64 labels 0..<R; each region is equalised with its own histogram
///     (MPSE's per-region post-processing), every plane with the same labels.
public func equalizeHistDiscrete(_ image: Tensor, levels: Int = 256, depth: Int = 0, regions: Tensor? = nil) throws -> Tensor {
    guard levels >= 2 else { throw TorchError("equalizeHistDiscrete: levels must be at least 2, got \(levels)") }
    guard (0...8).contains(depth) else { throw TorchError("equalizeHistDiscrete: depth must be 0...8, got \(depth)") }
    let top = Double(levels - 1)
    let labels = try regions.map { try regionLabels($0, planeOf: image) }
    let regionCount = labels?.count ?? 1
    return try mapPlanes(of: image, "equalizeHistDiscrete") { plane in
        let k = try (plane.to(.float64).clamp(min: 0, max: 1) * top).round().to(.int64)
        // One joint histogram of (region, level): region r's levels are bins r·L ..< (r+1)·L.
        let bin = try labels.map { try ($0.labels.to(k.device).to(.float64) * Double(levels) + k).to(.int64) } ?? k
        let counts = try bin.flatten().bincount(minLength: regionCount * levels).to(.float64).toArray(Double.self)
        let table = (0..<regionCount).flatMap { r in
            equalizationTable(Array(counts[(r * levels)..<((r + 1) * levels)]), depth: depth)
        }
        return try Tensor(table).to(plane.device).take(bin).to(plane.dtype)
    }
}

/// The level-to-value table of discrete equalisation for one histogram of L counts, split
/// `depth` times at the mean level; values are level / (L - 1).
func equalizationTable(_ counts: [Double], depth: Int) -> [Double] {
    let top = Double(counts.count - 1)
    var table = (0..<counts.count).map { Double($0) / top }
    func equalize(_ lo: Int, _ hi: Int, _ depth: Int) {
        let total = counts[lo...hi].reduce(0, +)
        guard total > 0 else { return }
        if depth > 0, lo < hi {
            let mean = (lo...hi).reduce(0.0) { $0 + Double($1) * counts[$1] } / total
            // The lower part keeps the mean level, as Chen and Ramli's X_m ∈ [X_0, X_m].
            let split = Swift.min(Int(mean.rounded(.down)), hi - 1)
            equalize(lo, split, depth - 1)
            equalize(split + 1, hi, depth - 1)
            return
        }
        // Integer cumulative counts make the top of the range exactly hi.
        var cumulative = 0.0
        for level in lo...hi {
            cumulative += counts[level]
            table[level] = (Double(lo) + (Double(hi - lo) * cumulative / total).rounded(.down)) / top
        }
    }
    equalize(0, counts.count - 1, depth)
    return table
}

/// Checked region labels for the planes of `image`: [H, W] integers 0..<count.
private func regionLabels(_ regions: Tensor, planeOf image: Tensor) throws -> (labels: Tensor, count: Int) {
    let shape = image.shape
    guard regions.rank == 2, shape.count >= 2, regions.shape == Array(shape.suffix(2)) else {
        throw TorchError("equalizeHistDiscrete: regions must be [H, W] labels matching the image's \(shape.suffix(2)), got \(regions.shape)")
    }
    guard !regions.dtype.isFloatingPoint else {
        throw TorchError("equalizeHistDiscrete: regions must be integer labels, got \(regions.dtype)")
    }
    let labels = try regions.to(.int64)
    let extremes = try stack([labels.min(), labels.max()]).toArray(Int64.self)
    guard extremes[0] >= 0, extremes[1] < 4096 else {
        throw TorchError("equalizeHistDiscrete: region labels must be 0..<4096, got \(extremes[0])...\(extremes[1])")
    }
    return (labels, Int(extremes[1]) + 1)
}

/// numpy's `linspace(start, stop, count)`: i · step + start, with the last point set to `stop`.
private func numpyLinspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
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
func mapPlanes(of image: Tensor, _ name: String, _ body: (Tensor) throws -> Tensor) throws -> Tensor {
    let shape = image.shape
    guard shape.count >= 2, shape[shape.count - 2] > 0, shape[shape.count - 1] > 0 else {
        throw TorchError("\(name): expected [..., H, W] with H, W > 0, got shape \(shape)")
    }
    let planes = try image.reshape([-1, shape[shape.count - 2], shape[shape.count - 1]])
    let out = try (0..<planes.shape[0]).map { try body(planes.select(0, $0)) }
    return try stack(out).reshape(shape)
}
