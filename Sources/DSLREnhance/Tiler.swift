import DSLRModels
import DSLRTensor

/// How a photo is cut into tiles for inference.
public struct TilingOptions: Sendable, Equatable {
    /// Side of a tile's core in pixels; 0 runs the whole photo at once; nil chooses: the whole
    /// photo when it fits `memoryLimit`, else the largest tiles that do.
    public var tile: Int?
    /// Context added around each core on every side; nil uses the network's receptive radius,
    /// which makes every tile exactly equal to the untiled result. Context beyond the radius
    /// is used to cross-fade neighbouring tiles.
    public var overlap: Int?
    /// The resident memory an automatic tile size aims to stay within, in bytes.
    public var memoryLimit: Int
    public init(tile: Int? = nil, overlap: Int? = nil, memoryLimit: Int = 2 << 30) {
        self.tile = tile
        self.overlap = overlap
        self.memoryLimit = memoryLimit
    }
}

/// The tile side `runTiled` uses when none is given: 0 (whole photo) if the network's
/// activations for the whole photo fit in `memoryLimit` beside the process and the photo's
/// own buffers, else the largest square tile (with its halo) that fits, at least 64 pixels;
/// never above the network's preferred tile.
public func automaticTile(
    height: Int, width: Int, network: any TileableNetwork, dtype: DType, halo: Int, memoryLimit: Int
) -> Int {
    // The libraries' own footprint, and per photo pixel: decoded, float input, float output
    // and the encoder's buffer (the last three at the output's scale).
    let scale = max(network.outputScale, 1), multiple = max(network.sizeMultiple, 1)
    let fixed = (400 << 20) + (8 + 24 * scale * scale) * height * width
    let budget = max(memoryLimit - fixed, 0)
    // Activations of an upscaling network grow towards its output's resolution.
    let perPixel = network.activationBytesPerPixel(dtype: dtype) * scale * scale
    if perPixel * height * width <= budget {
        // It fits whole; a network that runs faster in smaller tiles still gets them.
        guard let preferred = network.preferredTile, max(height, width) > preferred else { return 0 }
        return roundUp(preferred, to: multiple)
    }
    let side = Int(Double(budget / perPixel).squareRoot()) - 2 * halo
    return roundUp(min(max(64, side), network.preferredTile ?? .max), to: multiple)
}

/// One tile: the core it owns and the larger window it reads (both in photo pixels).
struct Tile: Equatable {
    var core: PixelRect
    var window: PixelRect
}

/// `value` rounded up to a multiple of `multiple`.
func roundUp(_ value: Int, to multiple: Int) -> Int {
    multiple <= 1 ? value : (value + multiple - 1) / multiple * multiple
}

/// Splits `length` pixels into cores of at most `size`, as equal as possible (no sliver
/// tile), each starting and ending on a multiple of `multiple` (which divides `length`).
func coreSpans(length: Int, size: Int, multiple: Int = 1) -> [(start: Int, length: Int)] {
    let m = max(multiple, 1), units = length / m, unitsPerTile = max(size / m, 1)
    let count = max(1, (units + unitsPerTile - 1) / unitsPerTile)
    let base = units / count, extra = units % count
    var spans: [(Int, Int)] = []
    var start = 0
    for i in 0..<count {
        let n = (base + (i < extra ? 1 : 0)) * m
        spans.append((start, n))
        start += n
    }
    return spans
}

/// The tiles covering a height×width photo; windows extend cores by `halo`, clipped to the
/// photo. With a `multiple`, cores and halos are aligned to it, so every window has the
/// same sampling grid as the whole photo (strided networks tile exactly).
func makeTiles(height: Int, width: Int, tile: Int, halo: Int, multiple: Int = 1) -> [Tile] {
    var tiles: [Tile] = []
    for (top, h) in coreSpans(length: height, size: tile, multiple: multiple) {
        for (left, w) in coreSpans(length: width, size: tile, multiple: multiple) {
            let wTop = max(0, top - halo), wLeft = max(0, left - halo)
            let wBottom = min(height, top + h + halo), wRight = min(width, left + w + halo)
            tiles.append(Tile(
                core: PixelRect(top: top, left: left, height: h, width: w),
                window: PixelRect(top: wTop, left: wLeft, height: wBottom - wTop, width: wRight - wLeft)))
        }
    }
    return tiles
}

/// Cross-fade weights along one axis for a core [start, start+length) inside a photo of
/// `total` pixels: 1 in the core, linear ramps of half-width `blend` across each interior
/// core edge, so neighbouring tiles' weights sum to 1. Returns the span it covers and weights.
func blendWeights(start: Int, length: Int, total: Int, blend: Int) -> (start: Int, weights: [Float]) {
    let lo = start == 0 ? 0 : blend
    let hi = start + length == total ? 0 : blend
    var weights: [Float] = []
    let first = start - lo, last = start + length + hi
    for p in first..<last {
        // Position relative to each edge, in half-pixel units so ramps are symmetric.
        var w: Float = 1
        if lo > 0 { w = min(w, Float(2 * (p - start) + 2 * lo + 1) / Float(4 * lo)) }
        if hi > 0 { w = min(w, Float(2 * (start + length - p) + 2 * hi - 1) / Float(4 * hi)) }
        weights.append(max(0, min(1, w)))
    }
    return (first, weights)
}

/// The most tiles one photo is cut into (a 12 MP photo in 64-pixel tiles is about 3000).
let maxTiles = 4096

/// Runs `network` over a photo tile by tile with bounded memory.
///
/// `image` is [1, C, H, W] float32 on the CPU, C the network's input channels; the result is
/// [1, C', H·s, W·s] float32 on the CPU for a network with `outputScale` s. Each tile is moved to
/// `device` and cast to `dtype`. A network with a `sizeMultiple` m gets the photo padded
/// (edge pixels repeated) to multiples of m and tiles aligned to m; the padding is cropped
/// from the result. Networks with whole-image normalisation get one statistics pass per norm
/// layer first (see `TiledNormState`), so tiling never changes the result beyond float
/// rounding when the overlap covers the receptive radius.
/// `progress(done, total)` counts tile forwards, statistics passes included.
public func runTiled(
    _ image: Tensor, network: any TileableNetwork, options: TilingOptions,
    device: Device = .cpu, dtype: DType = .float32,
    progress: (Int, Int) -> Void = { _, _ in }
) throws -> Tensor {
    guard image.rank == 4, image.shape[0] == 1, image.shape[1] == network.inputChannels else {
        throw TorchError("the network takes [1, \(network.inputChannels), H, W] input, got \(image.shape)")
    }
    let scale = max(network.outputScale, 1), multiple = max(network.sizeMultiple, 1)
    let (photoHeight, photoWidth) = (image.shape[2], image.shape[3])
    let (height, width) = (roundUp(photoHeight, to: multiple), roundUp(photoWidth, to: multiple))
    let padded = try network.paddedToMultiple(image)
    let radius = network.receptiveRadius
    let halo = roundUp(max(0, options.overlap ?? radius), to: multiple)
    let side = roundUp(options.tile ?? automaticTile(
        height: height, width: width, network: network, dtype: dtype, halo: halo, memoryLimit: options.memoryLimit),
        to: multiple)
    let whole = side <= 0 || (side >= height && side >= width)
    let tiles = whole
        ? [Tile(core: PixelRect(top: 0, left: 0, height: height, width: width),
                window: PixelRect(top: 0, left: 0, height: height, width: width))]
        : makeTiles(height: height, width: width, tile: side, halo: halo, multiple: multiple)
    // Each tile re-reads its halo: past a few thousand tiles the work explodes (--tile 1 on a
    // 256×160 photo made 41 thousand forward passes), so say so instead of grinding on.
    guard tiles.count <= maxTiles else {
        throw EngineError(
            "\(options.tile.map { "--tile \($0)" } ?? "tiles of \(side) px (to fit --memory-limit)") would cut this \(photoWidth)×\(photoHeight) photo into \(tiles.count) tiles (at most \(maxTiles)): use larger tiles, or leave --tile out to choose them automatically",
            kind: .badArgument)
    }
    // Cross-fade only over context that is itself exact (beyond the receptive radius), so a
    // blend never mixes in a tile's inexact border; with too little overlap, fade over half of it.
    let minCore = tiles.map { min($0.core.height, $0.core.width) }.min() ?? 0
    let blend = min(halo >= radius ? halo - radius : halo / 2, minCore / 2)

    let norms: TiledNormState? = (whole || network.normLayerCount == 0) ? nil : TiledNormState()
    let passes = norms == nil ? 1 : network.normLayerCount + 1
    let total = passes * tiles.count
    var done = 0
    progress(done, total)

    func input(_ rect: PixelRect) throws -> Tensor {
        try padded.narrow(2, start: rect.top, length: rect.height)
            .narrow(3, start: rect.left, length: rect.width)
            .to(device, dtype)
    }

    return try withNoGrad {
        // Networks that see the whole photo get its features once; every tile uses them.
        let features = try network.photoContext(padded, device: device, dtype: dtype)
        func run(_ t: Tile) throws -> Tensor {
            let x = try input(t.window)
            guard let features else { return try network.enhance(x, norms: norms) }
            return try network.enhance(x, norms: norms, context: PhotoContext(
                features: features, window: t.window, photoHeight: height, photoWidth: width))
        }
        if let norms {
            for layer in 0..<network.normLayerCount {
                norms.beginCollecting(layer: layer)
                for t in tiles {
                    norms.ownedRegion = PixelRect(
                        top: t.core.top - t.window.top, left: t.core.left - t.window.left,
                        height: t.core.height, width: t.core.width)
                    do {
                        _ = try run(t)
                        throw TorchError("the network never reached its normalisation layer \(layer)")
                    } catch is StatisticsCollected {}
                    done += 1
                    progress(done, total)
                }
                try norms.finishCollecting()
            }
            norms.ownedRegion = nil
        }

        let output = try Tensor.zeros([1, network.outputChannels, height * scale, width * scale])
        for t in tiles {
            let y = try run(t).to(.cpu, .float32)
            guard y.shape == [1, network.outputChannels, t.window.height * scale, t.window.width * scale] else {
                throw TorchError("the network gave \(y.shape) for a \(t.window.height)×\(t.window.width) tile, its contract promises [1, \(network.outputChannels), \(t.window.height * scale), \(t.window.width * scale)]")
            }
            // Blending happens at the output's resolution: s output pixels per input pixel.
            let rows = blendWeights(start: t.core.top * scale, length: t.core.height * scale, total: height * scale, blend: blend * scale)
            let cols = blendWeights(start: t.core.left * scale, length: t.core.width * scale, total: width * scale, blend: blend * scale)
            let part = try y.narrow(2, start: rows.start - t.window.top * scale, length: rows.weights.count)
                .narrow(3, start: cols.start - t.window.left * scale, length: cols.weights.count)
            let target = try output.narrow(2, start: rows.start, length: rows.weights.count)
                .narrow(3, start: cols.start, length: cols.weights.count)
            if blend == 0 {
                try target.copy_(part)
            } else {
                let wr = try Tensor(rows.weights, shape: [1, 1, rows.weights.count, 1])
                let wc = try Tensor(cols.weights, shape: [1, 1, 1, cols.weights.count])
                try target.copy_(try target + part * wr * wc)
            }
            done += 1
            progress(done, total)
        }
        if (height, width) == (photoHeight, photoWidth) { return output }
        return try output.narrow(2, start: 0, length: photoHeight * scale)
            .narrow(3, start: 0, length: photoWidth * scale).contiguous()
    }
}
