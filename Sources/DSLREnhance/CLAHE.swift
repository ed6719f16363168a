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
    return try forEachPlane(of: image, "equalizeAdaptHist") { plane in
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
    /// The 14-bit rescale: q = round((u - uMin) / (uMax - uMin) · 16383) with u the 16-bit image.
    let uMin: Double, uMax: Double

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
        let extremes = try Self.toUInt16(stack([self.image.min(), self.image.max()])).toArray(Double.self)
        (uMin, uMax) = (extremes[0], extremes[1])
    }

    /// skimage's float → uint16 conversion, computed in the input's float type as it does.
    private static func toUInt16(_ x: Tensor) throws -> Tensor {
        try (x * 65535).round().clamp(min: 0, max: 65535).to(.float64)
    }

    /// The histogram bin of each pixel of `rows` × `cols` (original indices), as float64.
    func bins(rows: Tensor, cols: Tensor) throws -> Tensor {
        let u = try Self.toUInt16(image.indexSelect(0, rows).indexSelect(1, cols))
        let levels = Double(claheGrayLevels - 1)
        let q: Tensor
        if uMin != uMax {
            q = try ((u - uMin) / (uMax - uMin) * levels).round()
        } else {
            q = try u.clamp(min: 0, max: levels)
        }
        let binSize = Double(1 + claheGrayLevels / nbins)
        return try (q / binSize).floor()
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
        let cols = try indexTensor((0..<(nw * kw)).map { reflectIndex($0, w) }, on: device)
        let tileCount = nh * nw
        var histogram = try Tensor.zeros([tileCount * nbins], dtype: .int64, device: device)
        let tileOffsets = try Tensor((0..<nw).map { Double($0 * nbins) }, shape: [nw, 1]).to(device)
        // One band of tile rows at a time keeps memory at a band, not the whole image.
        for tr in 0..<nh {
            let rows = try indexTensor((0..<kh).map { reflectIndex(tr * kh + $0, h) }, on: device)
            let b = try bins(rows: rows, cols: cols)
                .reshape([kh, nw, kw]).permute([1, 0, 2]).reshape([nw, kh * kw])
            let keys = try (b + (tileOffsets + Double(tr * nw * nbins))).flatten().to(.int64)
            histogram = try histogram + keys.bincount(minLength: tileCount * nbins)
        }
        let hist = try clipHistograms(histogram.to(.float64).reshape([tileCount, nbins]))
        let pixels = Double(kh * kw)
        let levels = Double(claheGrayLevels - 1)
        return try (hist.cumsum(dim: 1) * (levels / pixels)).clamp(max: levels).floor()
    }

    /// skimage's `clip_histogram` on every tile at once: clip at the limit, hand the excess out
    /// evenly, then in strided single counts until none is left or no bin can take more.
    private func clipHistograms(_ histogram: Tensor) throws -> Tensor {
        let pixels = kh * kw
        let limit = Double(clipLimit > 0 ? Swift.max(Int(clipLimit * Double(pixels)), 1) : pixels)
        var hist = histogram
        let over = try hist.gt(limit)
        var excess = try `where`(over, hist - limit, hist.zerosLike()).sum(dims: [1], keepDim: true)
        hist = try hist.clamp(max: limit)

        let increment = try (excess / Double(nbins)).floor()
        let upper = try (limit - increment)
        let low = try hist.lt(upper).to(.float64)
        excess = try excess - low.sum(dims: [1], keepDim: true) * increment
        hist = try hist + low * increment
        let mid = try hist.lt(upper).logicalNot() * hist.lt(limit)
        excess = try excess - `where`(mid, limit - hist, hist.zerosLike()).sum(dims: [1], keepDim: true)
        hist = try `where`(mid, hist.fullLike(limit), hist)

        let position = try Tensor.arange(0, Double(nbins), dtype: .float64, device: device).reshape([1, nbins])
        var running = try excess.gt(0)
        while try running.any() {
            let before = excess
            var active = running
            for index in 0..<nbins {
                let under = try hist.lt(limit)
                let count = try under.to(.float64).sum(dims: [1], keepDim: true)
                let step = try (count / excess.clamp(min: 1)).floor().clamp(min: 1)
                let offset = try position - Double(index)
                let strided = try offset.ge(0) * offset.remainder(step).eq(0)
                let add = try (under * strided * active).to(.float64)
                hist = try hist + add
                excess = try excess - add.sum(dims: [1], keepDim: true)
                active = try active * excess.gt(0)
                if try !active.any() { break }
            }
            running = try running * excess.gt(0) * excess.eq(before).logicalNot()
        }
        return hist
    }

    /// Blends the four nearest tile mappings of every pixel, weighted by its position between
    /// tile centres, summing in float32 in skimage's order; returns [h, w] float32.
    private func interpolate(_ maps: Tensor) throws -> Tensor {
        let flatMaps = try maps.flatten()
        let rows = InterpolationAxis(size: h, kernel: kh, tiles: nh, stride: nw * nbins)
        let cols = InterpolationAxis(size: w, kernel: kw, tiles: nw, stride: nbins)
        let colOffsets = try cols.offsets.map { try Tensor($0, shape: [1, w]).to(device) }
        let colWeights = try cols.weights.map { try Tensor($0, shape: [1, w]).to(device) }
        let allCols = try indexTensor(Array(0..<w), on: device)
        let band = Swift.max(1, (1 << 20) / w)
        var out: [Tensor] = []
        for start in stride(from: 0, to: h, by: band) {
            let n = Swift.min(band, h - start)
            let range = start..<(start + n)
            let b = try bins(rows: indexTensor(Array(range), on: device), cols: allCols)
            var acc = try Tensor.zeros([n, w], dtype: .float32, device: device)
            for er in 0..<2 {
                let rowOffset = try Tensor(Array(rows.offsets[er][range]), shape: [n, 1]).to(device)
                let rowWeight = try Tensor(Array(rows.weights[er][range]), shape: [n, 1]).to(device)
                for ec in 0..<2 {
                    let index = try (b + (rowOffset + colOffsets[ec])).to(.int64)
                    let mapped = try flatMaps.take(index)
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
    var offsets: [[Double]] = [[], []]
    var weights: [[Double]] = [[], []]

    init(size: Int, kernel: Int, tiles: Int, stride: Int) {
        for i in 0..<size {
            let p = i + kernel / 2
            let block = p / kernel
            let c = Double(p % kernel) / Double(kernel)
            offsets[0].append(Double(Swift.min(Swift.max(block - 1, 0), tiles - 1) * stride))
            offsets[1].append(Double(Swift.min(block, tiles - 1) * stride))
            weights[0].append(1 - c)
            weights[1].append(c)
        }
    }
}

/// numpy's `reflect` padding: the index in 0..<n that position i (any integer) mirrors to,
/// without repeating the edge sample.
func reflectIndex(_ i: Int, _ n: Int) -> Int {
    guard n > 1 else { return 0 }
    let period = 2 * (n - 1)
    var m = i % period
    if m < 0 { m += period }
    return m < n ? m : period - m
}

/// An int64 index tensor on `device`.
func indexTensor(_ indices: [Int], on device: Device = .cpu) throws -> Tensor {
    try Tensor(indices.map(Int64.init), shape: [indices.count]).to(device)
}

extension Tensor {
    /// A tensor shaped like this one filled with `value`.
    func fullLike(_ value: Double) throws -> Tensor {
        try Tensor.full(shape, value, dtype: dtype, device: device)
    }
}
