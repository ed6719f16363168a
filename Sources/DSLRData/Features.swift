import DSLRTensor
import Foundation

// Corner features for the coarse, global part of alignment: Shi–Tomasi corners with
// non-maximum suppression, normalised intensity-patch descriptors, mutual nearest-neighbour
// matching with a ratio test. All image maths runs as libtorch ops on [1, 1, H, W] tensors.

/// Central-difference derivatives d/dx and d/dy (per pixel) of an [N, 1, H, W] image,
/// borders replicated.
func imageGradients(_ image: Tensor) throws -> (dx: Tensor, dy: Tensor) {
    let kx = try Tensor([-0.5, 0, 0.5], shape: [1, 1, 1, 3]).to(image.dtype)
    let ky = try kx.reshape([1, 1, 3, 1])
    let dx = try conv2d(image.pad([1, 1, 0, 0], mode: .replicate), weight: kx)
    let dy = try conv2d(image.pad([0, 0, 1, 1], mode: .replicate), weight: ky)
    return (dx, dy)
}

/// Strongest local maxima of the Shi–Tomasi response (the smaller eigenvalue of the
/// structure tensor), with sub-pixel positions from a parabola through the neighbours.
///
/// - Parameters:
///   - image: gray [1, 1, H, W].
///   - maxCount: the most corners returned, strongest first.
///   - radius: non-maximum suppression radius in pixels (spreads corners out).
///   - border: corners closer than this to an edge are dropped (their descriptors would
///     sample outside the image).
func detectCorners(_ image: Tensor, maxCount: Int, radius: Int, border: Int) throws -> [Point2] {
    let h = image.shape[2], w = image.shape[3]
    guard h > 2 * border + 2, w > 2 * border + 2 else { return [] }
    let (dx, dy) = try imageGradients(gaussianBlur(image, sigma: 1))
    let xx = try gaussianBlur(dx * dx, sigma: 1.5), yy = try gaussianBlur(dy * dy, sigma: 1.5)
    let xy = try gaussianBlur(dx * dy, sigma: 1.5)
    let half = try (xx - yy) * 0.5
    let response = try (xx + yy) * 0.5 - (half * half + xy * xy).sqrt()
    let pooled = try maxPool2d(response, kernel: [2 * radius + 1, 2 * radius + 1], stride: [1, 1], padding: [radius, radius])
    let inside = try Tensor.ones([1, 1, h - 2 * border, w - 2 * border], dtype: image.dtype)
        .pad([border, border, border, border])
    let floor = try response.max().item() * 0.001
    let peaks = try response.eq(pooled).to(image.dtype) * inside * response.gt(floor).to(image.dtype)
    let k = min(maxCount, h * w)
    let (values, indices) = try (peaks * response).flatten().topk(k)
    let scores = try values.toArray(Double.self), flat = try indices.toArray(Int.self)
    let map = try response.flatten().toArray(Double.self)
    var corners = [Point2]()
    for (score, i) in zip(scores, flat) where score > 0 {
        let y = i / w, x = i % w
        let dxs = parabolaPeak(map[i - 1], map[i], map[i + 1])
        let dys = parabolaPeak(map[i - w], map[i], map[i + w])
        corners.append(Point2(Double(x) + dxs, Double(y) + dys))
    }
    return corners
}

/// The offset in [-0.5, 0.5] of the vertex of the parabola through (-1, a), (0, b), (1, c).
private func parabolaPeak(_ a: Double, _ b: Double, _ c: Double) -> Double {
    let curvature = a - 2 * b + c
    guard curvature < 0 else { return 0 }
    return min(0.5, max(-0.5, 0.5 * (a - c) / curvature))
}

/// Patch descriptors: a `grid` × `grid` lattice of samples `spacing` pixels apart centred on
/// each point, read bilinearly from `image` [1, 1, H, W] (already blurred to about half the
/// spacing), then made zero-mean and unit-norm so that brightness and contrast changes
/// between the two photos cancel. Returns [points, grid²].
func patchDescriptors(_ image: Tensor, at points: [Point2], spacing: Double, grid: Int) throws -> Tensor {
    let h = image.shape[2], w = image.shape[3]
    let offsets = (0..<grid).map { (Double($0) - Double(grid - 1) / 2) * spacing }
    var coords = [Double]()
    coords.reserveCapacity(points.count * grid * grid * 2)
    let sx = 2 / Double(max(w - 1, 1)), sy = 2 / Double(max(h - 1, 1))
    for p in points {
        for oy in offsets {
            for ox in offsets { coords += [(p.x + ox) * sx - 1, (p.y + oy) * sy - 1] }
        }
    }
    let lattice = try Tensor(coords, shape: [1, points.count, grid * grid, 2]).to(image.dtype)
    let samples = try gridSample(image, grid: lattice, mode: .bilinear, padding: .border)
        .reshape([points.count, grid * grid])
    let centred = try samples - samples.mean(dims: [1], keepDim: true)
    return try centred / (centred.norm(dims: [1], keepDim: true) + 1e-8)
}

/// Pairs (i, j) where descriptor j of `b` is i's nearest neighbour in `b`, i is j's nearest
/// in `a`, and the nearest is clearly nearer than the second nearest (distance ratio below
/// `ratio`, Lowe's test).
func mutualMatches(_ a: Tensor, _ b: Tensor, ratio: Double) throws -> [(Int, Int)] {
    guard a.shape[0] >= 1, b.shape[0] >= 2 else { return [] }
    let similarity = try matmul(a, b.transpose(0, 1))
    let (top, topIndex) = try similarity.topk(2, dim: 1)
    let best = try top.toArray(Double.self), index = try topIndex.toArray(Int.self)
    let back = try similarity.argmax(dim: 0).toArray(Int.self)
    var pairs = [(Int, Int)]()
    for i in 0..<a.shape[0] {
        let j = index[2 * i]
        // Unit vectors: squared distance = 2 - 2 · similarity.
        let d1 = max(0, 2 - 2 * best[2 * i]).squareRoot(), d2 = max(0, 2 - 2 * best[2 * i + 1]).squareRoot()
        if back[j] == i, d1 < ratio * d2 { pairs.append((i, j)) }
    }
    return pairs
}
