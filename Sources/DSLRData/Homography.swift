import DSLRTensor

/// A point in pixel coordinates: x to the right, y down, (0, 0) the centre of the top-left pixel.
public typealias Point2 = SIMD2<Double>

/// A plane projective transform, a 3×3 matrix in row-major order acting on (x, y, 1).
///
/// Kept in plain Swift doubles: alignment composes and inverts a handful of these, so
/// tensors would only add overhead and rounding.
public struct Homography: Sendable, Equatable, CustomStringConvertible {
    /// Row-major entries h00, h01, h02, h10, ..., h22.
    public var m: [Double]

    /// From the nine entries in row-major order.
    public init(_ m: [Double]) {
        precondition(m.count == 9, "a homography has 9 entries")
        self.m = m
    }

    /// From rows, as `AlignmentResult.homography` reports them.
    public init(rows: [[Double]]) { self.init(rows.flatMap { $0 }) }

    public static let identity = Homography([1, 0, 0, 0, 1, 0, 0, 0, 1])

    /// x' = sx·x + tx, y' = sy·y + ty.
    public static func scaleShift(sx: Double, sy: Double, tx: Double, ty: Double) -> Homography {
        Homography([sx, 0, tx, 0, sy, ty, 0, 0, 1])
    }

    /// The matrix as rows.
    public var rows: [[Double]] { [Array(m[0..<3]), Array(m[3..<6]), Array(m[6..<9])] }

    public var description: String { rows.map { $0.map { "\($0)" }.joined(separator: " ") }.joined(separator: "; ") }

    /// The projective denominator at `p` (positive where the plane is not folded over).
    public func w(_ p: Point2) -> Double { m[6] * p.x + m[7] * p.y + m[8] }

    /// The image of `p`.
    public func apply(_ p: Point2) -> Point2 {
        let w = w(p)
        return Point2((m[0] * p.x + m[1] * p.y + m[2]) / w, (m[3] * p.x + m[4] * p.y + m[5]) / w)
    }

    /// `self` after `other`: (a * b)(p) = a(b(p)).
    public static func * (a: Homography, b: Homography) -> Homography {
        var r = [Double](repeating: 0, count: 9)
        for i in 0..<3 {
            for j in 0..<3 {
                r[3 * i + j] = a.m[3 * i] * b.m[j] + a.m[3 * i + 1] * b.m[3 + j] + a.m[3 * i + 2] * b.m[6 + j]
            }
        }
        return Homography(r)
    }

    /// Scaled so that h22 = 1 (the convention of the 8-parameter refinement).
    public func normalized() -> Homography { Homography(m.map { $0 / m[8] }) }

    /// The inverse transform (nil when singular).
    public func inverse() -> Homography? {
        let a = m
        let c0 = a[4] * a[8] - a[5] * a[7], c1 = a[5] * a[6] - a[3] * a[8], c2 = a[3] * a[7] - a[4] * a[6]
        let det = a[0] * c0 + a[1] * c1 + a[2] * c2
        guard det.isFinite, Swift.abs(det) > 1e-300 else { return nil }
        let adj = [
            c0, a[2] * a[7] - a[1] * a[8], a[1] * a[5] - a[2] * a[4],
            c1, a[0] * a[8] - a[2] * a[6], a[2] * a[3] - a[0] * a[5],
            c2, a[1] * a[6] - a[0] * a[7], a[0] * a[4] - a[1] * a[3],
        ]
        return Homography(adj.map { $0 / det }).normalized()
    }

    /// The 2×2 derivative of the map at `p` (row-major), for local scale and shear.
    public func jacobian(at p: Point2) -> [Double] {
        let w = w(p), q = apply(p)
        return [
            (m[0] - m[6] * q.x) / w, (m[1] - m[7] * q.x) / w,
            (m[3] - m[6] * q.y) / w, (m[4] - m[7] * q.y) / w,
        ]
    }

    /// The largest distance between the images of `points` under `self` and `other`.
    public func maxDistance(to other: Homography, at points: [Point2]) -> Double {
        points.map { distance(apply($0), other.apply($0)) }.max() ?? 0
    }
}

/// The Euclidean distance between two points.
public func distance(_ a: Point2, _ b: Point2) -> Double { ((a - b) * (a - b)).sum().squareRoot() }

/// The four pixel-centre corners of a width × height image, clockwise from top-left.
public func imageCorners(width: Int, height: Int) -> [Point2] {
    let w = Double(width - 1), h = Double(height - 1)
    return [Point2(0, 0), Point2(w, 0), Point2(w, h), Point2(0, h)]
}

/// Map from full-resolution pixel coordinates to those of an image average-pooled by `factor`
/// (pixel centres: full x → (x + 0.5) / factor - 0.5).
func poolingMap(_ factor: Int) -> Homography {
    let s = 1 / Double(factor)
    return .scaleShift(sx: s, sy: s, tx: 0.5 * s - 0.5, ty: 0.5 * s - 0.5)
}

// MARK: - Estimation

/// The homography through four correspondences (exact), or nil when degenerate.
///
/// Solves the 8×8 DLT system with h22 = 1 by Gaussian elimination with partial pivoting:
/// RANSAC calls this thousands of times, so it stays in plain Swift.
func homographyFromFour(_ src: [Point2], _ dst: [Point2]) -> Homography? {
    var a = [Double](repeating: 0, count: 8 * 9)
    for k in 0..<4 {
        let (x, y, u, v) = (src[k].x, src[k].y, dst[k].x, dst[k].y)
        let r0 = 2 * k * 9, r1 = (2 * k + 1) * 9
        a.replaceSubrange(r0..<r0 + 9, with: [x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        a.replaceSubrange(r1..<r1 + 9, with: [0, 0, 0, x, y, 1, -v * x, -v * y, v])
    }
    for col in 0..<8 {
        var pivot = col
        for r in col + 1..<8 where Swift.abs(a[r * 9 + col]) > Swift.abs(a[pivot * 9 + col]) { pivot = r }
        guard Swift.abs(a[pivot * 9 + col]) > 1e-12 else { return nil }
        if pivot != col { for j in 0..<9 { a.swapAt(col * 9 + j, pivot * 9 + j) } }
        let p = a[col * 9 + col]
        for r in 0..<8 where r != col {
            let f = a[r * 9 + col] / p
            if f != 0 { for j in col..<9 { a[r * 9 + j] -= f * a[col * 9 + j] } }
        }
    }
    var h = (0..<8).map { a[$0 * 9 + 8] / a[$0 * 9 + $0] }
    h.append(1)
    return h.allSatisfy(\.isFinite) ? Homography(h) : nil
}

/// Hartley's normalisation: moves the centroid to the origin and scales the mean distance to √2.
private func hartleyNormalization(_ points: [Point2]) -> Homography {
    let n = Double(points.count)
    let c = points.reduce(Point2(0, 0), +) / n
    let meanDistance = points.map { distance($0, c) }.reduce(0, +) / n
    let s = meanDistance > 0 ? 2.0.squareRoot() / meanDistance : 1
    return .scaleShift(sx: s, sy: s, tx: -s * c.x, ty: -s * c.y)
}

/// The least-squares homography (algebraic error) through n ≥ 4 correspondences: normalised
/// DLT, the null vector of AᵀA taken from libtorch's SVD in float64.
func homographyDLT(_ src: [Point2], _ dst: [Point2]) throws -> Homography? {
    guard src.count >= 4, src.count == dst.count else { return nil }
    let ts = hartleyNormalization(src), td = hartleyNormalization(dst)
    var rows = [Double]()
    rows.reserveCapacity(src.count * 18)
    for (p, q) in zip(src, dst) {
        let a = ts.apply(p), b = td.apply(q)
        rows += [a.x, a.y, 1, 0, 0, 0, -b.x * a.x, -b.x * a.y, -b.x]
        rows += [0, 0, 0, a.x, a.y, 1, -b.y * a.x, -b.y * a.y, -b.y]
    }
    let a = try Tensor(rows, shape: [2 * src.count, 9])
    let normal = try matmul(a.transpose(0, 1), a)
    let vh = try svd(normal).vh
    let h = try vh.select(0, 8).toArray(Double.self)
    guard let tdInverse = td.inverse(), h.allSatisfy(\.isFinite) else { return nil }
    let raw = tdInverse * Homography(h) * ts
    return Swift.abs(raw.m[8]) > 1e-12 ? raw.normalized() : nil
}
