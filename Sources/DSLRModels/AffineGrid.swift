import DSLRTensor

// What dslrkit-global and dslrkit-tone share: a grid of 3×4 affine colour transforms laid
// out as [N, 12·bins, ...] channels (coefficient k of bin d at k·bins + d), sampled per pixel.

/// Coefficients of a 3×4 affine colour transform.
let affineCoefficients = 12

/// The bias that makes every bin of a [12·bins] coefficient layer the identity transform.
func identityAffineBias(bins: Int) throws -> Tensor {
    let identity: [Float] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]
    return try Tensor(identity.flatMap { Array(repeating: $0, count: bins) }, shape: [affineCoefficients * bins]).requiringGrad()
}

/// `x` [N, 3, H, W] through the transforms of `grid` [1 or N, 12, D, GH, GW] sampled
/// trilinearly at `points` [N, 1, H, W, 3] (grid_sample: border, not align_corners).
func applyAffineGrid(_ grid: Tensor, at points: Tensor, to x: Tensor) throws -> Tensor {
    let n = x.shape[0], h = x.shape[2], w = x.shape[3]
    let grid = grid.shape[0] == n ? grid : try grid.expand([n] + Array(grid.shape.dropFirst()))
    let a = try gridSample(grid, grid: points, mode: .bilinear, padding: .border, alignCorners: false).reshape([n, 3, 4, h, w])
    return try (a.narrow(2, start: 0, length: 3) * x.unsqueeze(1)).sum(dims: [2]) + a.select(2, 3)
}

extension PhotoContext {
    /// The context of images that are each a whole photo (training and direct calls).
    init(wholePhotos x: Tensor, features: Tensor) {
        self.init(features: features, window: PixelRect(top: 0, left: 0, height: x.shape[2], width: x.shape[3]),
                  photoHeight: x.shape[2], photoWidth: x.shape[3])
    }
}
