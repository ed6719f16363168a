import DSLRTensor

// Contrast-limited adaptive histogram equalisation, step for step as scikit-image's
// `exposure.equalize_adapthist` (after Zuiderveld, Graphics Gems IV), so that the classic
// baseline reproduces the reference numbers: the same 14-bit requantisation, tile layout,
// integer clip-and-redistribute, truncated lookup tables, float32 accumulation of the four
// neighbouring tile mappings, and final min-max rescale. Integer quantities are held in
// float64, which represents them exactly and keeps every step on the engine.

/// skimage's internal grey-level resolution (`NR_OF_GRAY`).
private let claheGrayLevels = 16384

/// Equalises each [H, W] plane of `image` with CLAHE exactly as
/// `skimage.exposure.equalize_adapthist(plane, kernel_size, clip_limit, nbins)`.
///
/// - Parameters:
///   - image: [H, W] or [..., H, W] with values in [0, 1] (values outside are clipped; skimage
///     rejects them). Each plane is equalised on its own.
///   - kernelSize: the contextual region [rows, cols]; nil is skimage's default, 1/8 of each
///     side (an 8 × 8 grid of tiles).
///   - clipLimit: normalised clip limit; 0 (or ≥ 1) gives unlimited AHE.
///   - nbins: histogram bins.
/// - Returns: the equalised planes in [0, 1], same shape and dtype as `image`.
public func equalizeAdaptHist(
    _ image: Tensor, kernelSize: [Int]? = nil, clipLimit: Double = 0.01, nbins: Int = 256
) throws -> Tensor {
    guard nbins >= 1, nbins <= claheGrayLevels else {
        throw TorchError("equalizeAdaptHist: nbins must be in 1...\(claheGrayLevels), got \(nbins)")
    }
    if let kernelSize, kernelSize.count != 2 || !kernelSize.allSatisfy({ $0 >= 1 }) {
        throw TorchError("equalizeAdaptHist: kernelSize must be two positive sizes, got \(kernelSize)")
    }
    return try mapPlanes(of: image, "equalizeAdaptHist") { plane in
        let (h, w) = (plane.shape[0], plane.shape[1])
        let kernel = kernelSize ?? [Swift.max(h / 8, 1), Swift.max(w / 8, 1)]
        return try CLAHEPlane(plane, kernel: (kernel[0], kernel[1]), clipLimit: clipLimit, nbins: nbins).equalized()
    }
}

/// One plane's CLAHE: its tile geometry and the requantisation that precedes binning.
private struct CLAHEPlane {
    let image: Tensor
    let device: Device
    let h: Int, w: Int
    let kh: Int, kw: Int
    /// Tiles per dimension (skimage's `ns_hist`): ceil(side / kernel).
    let nh: Int, nw: Int
    let nbins: Int
    let clipLimit: Double
    /// The bin of every 16-bit level (skimage's rescale to 14 bits, then `// binSize`), int64:
    /// a 65536-entry table turns the per-pixel requantisation into one lookup.
    let binOfLevel: Tensor

    init(_ image: Tensor, kernel: (Int, Int), clipLimit: Double, nbins: Int) throws {
        self.image = try image.clamp(min: 0, max: 1)
        device = image.device
        (h, w) = (image.shape[0], image.shape[1])
        (kh, kw) = kernel
        nh = (h + kh - 1) / kh
        nw = (w + kw - 1) / kw
        self.nbins = nbins
        self.clipLimit = clipLimit
        // img_as_uint is monotone, so the extremes of the 16-bit image are those of the input.
        let extremes = try Self.toUInt16(stack([self.image.min(), self.image.max()])).to(.float64).toArray(Double.self)
        let (uMin, uMax) = (extremes[0], extremes[1])
        let u = try Tensor.arange(0, 65536, dtype: .float64, device: device)
        let top = Double(claheGrayLevels - 1)
        let q = uMin != uMax ? try ((u - uMin) / (uMax - uMin) * top).round() : try u.clamp(min: 0, max: top)
        binOfLevel = try (q / Double(1 + claheGrayLevels / nbins)).floor().to(.int64)
    }

    /// skimage's float → uint16 conversion (x in [0, 1]), computed in the input's float type as
    /// it does; int64.
    private static func toUInt16(_ x: Tensor) throws -> Tensor {
        try (x * 65535).round().to(.int64)
    }

    /// The histogram bin of each pixel of `rows` × `cols` (original indices, reflected past
    /// the edges), int64.
    func bins(rows: [Int], cols: [Int]) throws -> Tensor {
        try binOfLevel.take(Self.toUInt16(Self.pick(Self.pick(image, 0, rows), 1, cols)))
    }

    /// `indices` of `dim`: a view when they are a plain range, else a gathered copy.
    private static func pick(_ x: Tensor, _ dim: Int, _ indices: [Int]) throws -> Tensor {
        guard let first = indices.first else { return try x.narrow(dim, start: 0, length: 0) }
        if indices.last! - first == indices.count - 1, indices.elementsEqual(first..<(first + indices.count)) {
            return try x.narrow(dim, start: first, length: indices.count)
        }
        return try x.indexSelect(dim, int64Indices(indices, on: x.device))
    }

    func equalized() throws -> Tensor {
        let maps = try tileMappings()
        let accumulated = try interpolate(maps)
        // The uint16 cast truncates; then rescale_intensity stretches min..max to 0..1 in the
        // input's float type.
        let r = try accumulated.floor().to(image.dtype)
        let extremes = try stack([r.min(), r.max()]).toArray(Double.self)
        if extremes[0] == extremes[1] { return try r.clamp(min: 0, max: 1) }
        return try (r - extremes[0]) / (extremes[1] - extremes[0])
    }

    /// Clipped, equalised lookup tables, [nh · nw, nbins] float64 holding integers in 0...16383.
    private func tileMappings() throws -> Tensor {
        // Tiles start at pixel 0 and the last row/column of tiles reaches into the reflected
        // padding past the image (skimage pads by half a kernel before and the rest after).
        let cols = (0..<(nw * kw)).map { reflectIndex($0, w) }
        let tileCount = nh * nw
        var histogram = try Tensor.zeros([tileCount * nbins], dtype: .int64, device: device)
        // One band of tile rows at a time keeps memory at a band, not the whole image.
        for tr in 0..<nh {
            let rows = (0..<kh).map { reflectIndex(tr * kh + $0, h) }
            let b = try bins(rows: rows, cols: cols)
                .reshape([kh, nw, kw]).permute([1, 0, 2]).reshape([nw, kh * kw])
            let tileOffsets = try Tensor((0..<nw).map { Int64((tr * nw + $0) * nbins) }, shape: [nw, 1]).to(device)
            let keys = try (b + tileOffsets).flatten()
            histogram = try histogram + keys.bincount(minLength: tileCount * nbins)
        }
        let hist = try clipHistograms(histogram.reshape([tileCount, nbins]))
        let pixels = Double(kh * kw)
        let levels = Double(claheGrayLevels - 1)
        return try (hist.cumsum(dim: 1) * (levels / pixels)).clamp(max: levels).floor()
    }

    /// Clips every tile's histogram (`clipHistogram`) on the CPU: the redistribution is a
    /// sequential, data-dependent loop over at most a few bins per tile, which as engine ops
    /// would cost thousands of tiny kernel launches instead of microseconds.
    private func clipHistograms(_ histogram: Tensor) throws -> Tensor {
        let pixels = kh * kw
        let limit = clipLimit > 0 ? Swift.max(Int(clipLimit * Double(pixels)), 1) : pixels
        var counts = try histogram.toArray(Int64.self).map(Int.init)
        for start in stride(from: 0, to: counts.count, by: nbins) {
            clipHistogram(&counts[start..<(start + nbins)], limit: limit)
        }
        return try Tensor(counts.map(Double.init), shape: histogram.shape).to(device)
    }

    /// Blends the four nearest tile mappings of every pixel, weighted by its position between
    /// tile centres, summing in float32 in skimage's order; returns [h, w] float32.
    private func interpolate(_ maps: Tensor) throws -> Tensor {
        let flatMaps = try maps.flatten()
        let rows = InterpolationAxis(size: h, kernel: kh, tiles: nh, stride: nw * nbins)
        let cols = InterpolationAxis(size: w, kernel: kw, tiles: nw, stride: nbins)
        let colOffsets = try cols.offsets.map { try Tensor($0.map(Int64.init), shape: [1, w]).to(device) }
        let colWeights = try cols.weights.map { try Tensor($0, shape: [1, w]).to(device) }
        let band = Swift.max(1, (1 << 20) / w)
        var out: [Tensor] = []
        for start in stride(from: 0, to: h, by: band) {
            let n = Swift.min(band, h - start)
            let range = start..<(start + n)
            let b = try bins(rows: Array(range), cols: Array(0..<w))
            var acc = try Tensor.zeros([n, w], dtype: .float32, device: device)
            let columnIndex = try colOffsets.map { try b + $0 }
            for er in 0..<2 {
                let rowOffset = try Tensor(rows.offsets[er][range].map(Int64.init), shape: [n, 1]).to(device)
                let rowWeight = try Tensor(Array(rows.weights[er][range]), shape: [n, 1]).to(device)
                for ec in 0..<2 {
                    let mapped = try flatMaps.take(columnIndex[ec] + rowOffset)
                    let weight = try colWeights[ec] * rowWeight
                    acc = try acc + (mapped * weight).to(.float32)
                }
            }
            out.append(acc)
        }
        return try cat(out, dim: 0)
    }
}

/// Per-axis interpolation tables: for each pixel, the flat offsets of its two neighbouring
/// tiles (before, after) and their weights. Pixel i sits at padded position i + k/2 in block
/// (i + k/2) / k; block b blends tiles b - 1 and b (clamped to the grid), weights 1 - j/k and j/k.
private struct InterpolationAxis {
    var offsets: [[Int]] = [[], []]
    var weights: [[Double]] = [[], []]

    init(size: Int, kernel: Int, tiles: Int, stride: Int) {
        for i in 0..<size {
            let p = i + kernel / 2
            let block = p / kernel
            let c = Double(p % kernel) / Double(kernel)
            offsets[0].append(Swift.min(Swift.max(block - 1, 0), tiles - 1) * stride)
            offsets[1].append(Swift.min(block, tiles - 1) * stride)
            weights[0].append(1 - c)
            weights[1].append(c)
        }
    }
}

/// numpy's `reflect` padding: the index in 0..<n that position i (any integer) mirrors to,
/// without repeating the edge sample.
private func reflectIndex(_ i: Int, _ n: Int) -> Int {
    guard n > 1 else { return 0 }
    let period = 2 * (n - 1)
    var m = i % period
    if m < 0 { m += period }
    return m < n ? m : period - m
}

/// An int64 index tensor on `device`.
func int64Indices(_ indices: [Int], on device: Device = .cpu) throws -> Tensor {
    try Tensor(indices.map(Int64.init), shape: [indices.count]).to(device)
}

/// skimage's `clip_histogram`: clip at `limit`, hand the excess out evenly, then one count at
/// a time to every step-th bin below the limit until none is left or no bin can take more.
private func clipHistogram(_ hist: inout ArraySlice<Int>, limit: Int) {
    let bins = hist.indices
    var excess = 0
    for i in bins where hist[i] > limit {
        excess += hist[i] - limit
        hist[i] = limit
    }
    let increment = excess / bins.count
    let upper = limit - increment
    for i in bins where hist[i] < upper {
        hist[i] += increment
        excess -= increment
    }
    // Bins the even share would overfill (including some just raised) are filled to the limit.
    for i in bins where hist[i] >= upper && hist[i] < limit {
        excess -= limit - hist[i]
        hist[i] = limit
    }
    while excess > 0 {
        let before = excess
        for index in 0..<bins.count {
            let under = bins.reduce(0) { $0 + (hist[$1] < limit ? 1 : 0) }
            let step = Swift.max(1, under / excess)
            for i in stride(from: bins.lowerBound + index, to: bins.upperBound, by: step) where hist[i] < limit {
                hist[i] += 1
                excess -= 1
            }
            if excess <= 0 { break }
        }
        if excess == before { break }
    }
}
