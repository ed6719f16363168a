import DSLRTensor

/// `image` [C, H, W] or [N, C, H, W] resampled onto a `width` × `height` frame: output pixel p
/// reads the image at `homography(p)`. Returns [N, C, height, width] (N = 1 for a 3-D input).
///
/// Bicubic by default (values are clamped back to the input's range, as bicubic overshoots);
/// outside the image the border pixel is repeated, which `validMask` marks as invalid.
public func warpPerspective(
    _ image: Tensor, homography: Homography, width: Int, height: Int, mode: GridSampleMode = .bicubic
) throws -> Tensor {
    let input = image.rank == 3 ? try image.unsqueeze(0) : image
    let grid = try sampleGrid(homography, width: width, height: height, imageWidth: input.shape[3], imageHeight: input.shape[2])
    let out = try gridSample(input, grid: grid.to(input.dtype), mode: mode, padding: .border)
    guard mode == .bicubic else { return out }
    return try out.clamp(min: input.min().item(), max: input.max().item())
}

/// Where each frame pixel lands in the image, in grid_sample's [-1, 1] coordinates: [1, H, W, 2].
private func sampleGrid(_ h: Homography, width: Int, height: Int, imageWidth: Int, imageHeight: Int) throws -> Tensor {
    let (x, y) = try mappedCoordinates(h, width: width, height: height)
    return try stack([x * (2 / Double(max(imageWidth - 1, 1))) - 1, y * (2 / Double(max(imageHeight - 1, 1))) - 1], dim: -1)
        .unsqueeze(0)
}

/// The image coordinates [H, W] (float64) of every frame pixel; points behind the camera
/// (w ≤ 0) are sent far outside.
private func mappedCoordinates(_ h: Homography, width: Int, height: Int) throws -> (x: Tensor, y: Tensor) {
    let p = h.m
    let xs = try Tensor.arange(0, Double(width), dtype: .float64).reshape([1, -1])
    let ys = try Tensor.arange(0, Double(height), dtype: .float64).reshape([-1, 1])
    let w = try xs * p[6] + ys * p[7] + p[8]
    let safeW = try `where`(w.gt(1e-12), w, w.onesLike() * 1e-12)
    let far = try w.le(1e-12)
    let x = try ((xs * p[0] + ys * p[1] + p[2]) / safeW).maskedFill(far, -1e9)
    let y = try ((xs * p[3] + ys * p[4] + p[5]) / safeW).maskedFill(far, -1e9)
    return (x, y)
}

/// A bool [height, width] mask of the frame pixels whose image point lies at least `margin`
/// pixels inside the image (so every bicubic tap reads real pixels when margin ≥ 1).
public func validMask(
    homography: Homography, width: Int, height: Int, imageWidth: Int, imageHeight: Int, margin: Double = 1
) throws -> Tensor {
    let (x, y) = try mappedCoordinates(homography, width: width, height: height)
    let inside = try x.ge(margin).to(.float32) * x.le(Double(imageWidth - 1) - margin).to(.float32)
        * y.ge(margin).to(.float32) * y.le(Double(imageHeight - 1) - margin).to(.float32)
    return try inside.gt(0.5)
}

/// The largest axis-aligned rectangle of frame pixels whose image points all lie inside the
/// image (with `margin`).
///
/// The valid region is the frame intersected with the preimage of the image rectangle, a
/// convex set for a homography that does not fold the plane, so a rectangle is inside when
/// its four corners are. That lets the search run on a lattice of every `step`-th pixel
/// (maximal rectangle in a binary matrix, by histograms and a stack) and stay exact: the
/// rectangle spanned by valid lattice points is valid.
public func largestValidRectangle(
    homography h: Homography, width: Int, height: Int, imageWidth: Int, imageHeight: Int,
    margin: Double = 1, step: Int = 1
) -> PixelRect? {
    let step = max(1, step)
    let cols = (width - 1) / step + 1, rows = (height - 1) / step + 1
    let maxX = Double(imageWidth - 1) - margin, maxY = Double(imageHeight - 1) - margin
    var heights = [Int](repeating: 0, count: cols)
    var best: (area: Int, rect: PixelRect)?
    for r in 0..<rows {
        for c in 0..<cols {
            let p = Point2(Double(c * step), Double(r * step))
            let q = h.apply(p)
            let ok = h.w(p) > 0 && q.x >= margin && q.x <= maxX && q.y >= margin && q.y <= maxY
            heights[c] = ok ? heights[c] + 1 : 0
        }
        // Largest rectangle under the histogram `heights` (lattice points).
        var stack = [Int]()
        for c in 0...cols {
            let current = c < cols ? heights[c] : 0
            while let top = stack.last, heights[top] >= current {
                stack.removeLast()
                let left = stack.last.map { $0 + 1 } ?? 0
                let pointsHigh = heights[top]
                guard pointsHigh > 0 else { continue }
                // Pixel extent spanned by the lattice points.
                let rect = PixelRect(
                    x: left * step, y: (r - pointsHigh + 1) * step,
                    width: (c - 1 - left) * step + 1, height: (pointsHigh - 1) * step + 1)
                if rect.area > (best?.area ?? 0) { best = (rect.area, rect) }
            }
            stack.append(c)
        }
    }
    return best?.rect
}

/// Top-left corners of the `size` × `size` patches cut every `stride` pixels from a
/// `width` × `height` image, row by row.
public func patchOrigins(width: Int, height: Int, size: Int, stride: Int) -> [(x: Int, y: Int)] {
    guard size > 0, stride > 0, width >= size, height >= size else { return [] }
    var origins: [(x: Int, y: Int)] = []
    for y in Swift.stride(from: 0, through: height - size, by: stride) {
        for x in Swift.stride(from: 0, through: width - size, by: stride) { origins.append((x, y)) }
    }
    return origins
}

/// A [C, H, W] (or [N, C, H, W]) tensor's pixels inside `rect`.
public func crop(_ image: Tensor, _ rect: PixelRect) throws -> Tensor {
    let r = image.rank
    return try image.narrow(r - 2, start: rect.y, length: rect.height).narrow(r - 1, start: rect.x, length: rect.width)
}
