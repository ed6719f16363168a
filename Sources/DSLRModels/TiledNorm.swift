import DSLRTensor

/// Instance-norm statistics of a whole photo, for networks run tile by tile.
///
/// Instance normalisation divides by the mean and variance of the *whole* image, so a tile
/// normalised by its own statistics differs from the untiled result. The tiler therefore
/// runs one statistics pass per normalisation layer: in the pass for layer k the layers
/// before k use the already known whole-photo statistics, layer k adds the sums of its
/// input over each tile's own (non-overlapping) region, and the forward stops there. The
/// final pass uses every layer's whole-photo statistics and equals the untiled result.
/// Memory stays bounded by the tile; the cost is one partial forward per layer.
public final class TiledNormState {
    /// Whole-photo statistics per layer index: mean and biased variance, shaped [N, C, 1, 1].
    public private(set) var statistics: [Int: (mean: Tensor, variance: Tensor)] = [:]
    /// The layer whose sums are being collected in this pass, if any.
    public private(set) var collecting: Int?
    /// The part of the current tile, in the current layer's pixel coordinates, that this tile
    /// owns (tiles' regions partition the photo).
    public var ownedRegion: PixelRect?
    private var sum: Tensor?
    private var sumOfSquares: Tensor?
    private var count = 0

    public init() {}

    /// Starts collecting sums for `layer`.
    public func beginCollecting(layer: Int) {
        collecting = layer
        sum = nil; sumOfSquares = nil; count = 0
    }

    /// Turns the collected sums into `layer`'s whole-photo statistics.
    public func finishCollecting() throws {
        guard let layer = collecting, let sum, let sumOfSquares, count > 0 else {
            throw TorchError("tiled normalisation: no pixels were collected")
        }
        let mean = try sum / Double(count)
        let variance = try (sumOfSquares / Double(count) - mean * mean).clamp(min: 0)
        statistics[layer] = (try mean.to(.float32), try variance.to(.float32))
        collecting = nil
        self.sum = nil; self.sumOfSquares = nil
    }

    /// The whole-photo statistics of `layer` for its input `x`: in that layer's statistics
    /// pass, adds `x`'s sums and ends the pass (`StatisticsCollected`); afterwards, returns them.
    func statistics(of x: Tensor, layer: Int) throws -> (mean: Tensor, variance: Tensor) {
        if collecting == layer {
            try accumulate(x)
            throw StatisticsCollected()
        }
        guard let stats = statistics[layer] else {
            throw TorchError("tiled normalisation: statistics of layer \(layer) are missing")
        }
        return stats
    }

    func accumulate(_ x: Tensor) throws {
        // Reduced in float32 even when the tile runs in bf16 (8-bit mantissas lose the mean).
        var part = try x.to(.float32)
        if let r = ownedRegion {
            part = try part.narrow(2, start: r.top, length: r.height).narrow(3, start: r.left, length: r.width)
        }
        // Per-tile moments come from libtorch's reductions (no per-pixel temporaries, so the
        // statistics passes stay within the tile's memory); tiles are combined in float64 as
        // n·mean and n·(variance + mean²), so millions of pixels add up without loss.
        let n = Double(part.shape[2] * part.shape[3])
        let mean = try part.mean(dims: [2, 3], keepDim: true).to(.float64)
        let variance = try part.variance(dims: [2, 3], correction: 0, keepDim: true).to(.float64)
        let s = try mean * n
        let s2 = try (variance + mean * mean) * n
        sum = try sum.map { try $0 + s } ?? s
        sumOfSquares = try sumOfSquares.map { try $0 + s2 } ?? s2
        count += Int(n)
    }
}

/// Thrown by `instanceNormalize` to end a statistics pass early; the tiler catches it.
public struct StatisticsCollected: Error {}

/// Instance normalisation over H and W (biased variance, as TensorFlow's `tf.nn.moments`
/// and PyTorch's `instance_norm`), with optional per-channel scale and shift.
/// With `state`, the statistics come from the whole photo (see `TiledNormState`).
public func instanceNormalize(
    _ x: Tensor, layer: Int, eps: Double, scale: Tensor?, shift: Tensor?, state: TiledNormState?
) throws -> Tensor {
    guard let state else { return try instanceNorm(x, weight: scale, bias: shift, eps: eps) }
    let stats = try state.statistics(of: x, layer: layer)
    // Statistics are float32 on the CPU or the first device; the tile may be bf16 on CUDA.
    let mean = try stats.mean.to(x.device, x.dtype)
    let variance = try stats.variance.to(x.device, .float32)
    var y = try (x - mean) * (variance + eps).rsqrt().to(x.dtype)
    let c = x.shape[1]
    if let scale { y = try y * scale.reshape([1, c, 1, 1]) }
    if let shift { y = try y + shift.reshape([1, c, 1, 1]) }
    return y
}

/// The per-channel mean over H and W of `x` ([N, C, 1, 1]), as norm layer `layer`: with
/// `state`, the whole photo's mean (see `TiledNormState`), so that networks that subtract
/// or rescale around the image mean (PPCN's contrast step and its super-resolution's mean
/// removal) tile exactly.
public func photoMean(_ x: Tensor, layer: Int, state: TiledNormState?) throws -> Tensor {
    guard let state else { return try x.mean(dims: [2, 3], keepDim: true) }
    return try state.statistics(of: x, layer: layer).mean.to(x.device, x.dtype)
}
