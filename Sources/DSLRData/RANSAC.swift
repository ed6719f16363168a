import DSLRTensor
import Foundation

/// SplitMix64: a small seeded generator, so that alignment gives the same answer every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A homography fitted robustly to correspondences, with the indices of its inliers.
struct RobustFit {
    var homography: Homography
    var inliers: [Int]
}

/// Whether three points are (nearly) on one line, which makes a 4-point sample degenerate.
private func collinear(_ a: Point2, _ b: Point2, _ c: Point2) -> Bool {
    let d1 = b - a, d2 = c - a
    return Swift.abs(d1.x * d2.y - d1.y * d2.x) < 1e-3 * max(1, (d1 * d1).sum() + (d2 * d2).sum())
}

/// Indices whose transfer error |H·src - dst| is below `threshold` (pixels).
func inlierIndices(_ h: Homography, _ src: [Point2], _ dst: [Point2], threshold: Double) -> [Int] {
    let t2 = threshold * threshold
    var result = [Int]()
    for i in src.indices {
        guard h.w(src[i]) > 0 else { continue }
        let d = h.apply(src[i]) - dst[i]
        if (d * d).sum() < t2 { result.append(i) }
    }
    return result
}

/// RANSAC over 4-point samples, then least-squares refits (normalised DLT) on the inliers
/// until the inlier set stops changing.
///
/// - Parameters:
///   - threshold: inlier transfer error in pixels of `dst`.
///   - iterations: the most samples drawn; fewer when the inlier ratio found so far makes
///     `confidence` certain.
func ransacHomography(
    src: [Point2], dst: [Point2], threshold: Double, iterations: Int, confidence: Double = 0.999, seed: UInt64
) throws -> RobustFit? {
    let n = src.count
    guard n >= 4 else { return nil }
    var rng = SeededGenerator(seed: seed)
    var best: [Int] = []
    var bestH: Homography?
    var needed = iterations
    var k = 0
    while k < min(needed, iterations) {
        k += 1
        var pick = Set<Int>()
        while pick.count < 4 { pick.insert(Int.random(in: 0..<n, using: &rng)) }
        let idx = Array(pick)
        let s = idx.map { src[$0] }, d = idx.map { dst[$0] }
        if collinear(s[0], s[1], s[2]) || collinear(s[0], s[1], s[3]) || collinear(s[0], s[2], s[3])
            || collinear(s[1], s[2], s[3]) { continue }
        guard let h = homographyFromFour(s, d), s.allSatisfy({ h.w($0) > 0 }) else { continue }
        let inliers = inlierIndices(h, src, dst, threshold: threshold)
        if inliers.count > best.count {
            best = inliers
            bestH = h
            let ratio = Double(inliers.count) / Double(n)
            let miss = 1 - ratio * ratio * ratio * ratio
            needed = miss <= 0 ? 0 : Int((log(1 - confidence) / log(miss)).rounded(.up))
        }
    }
    guard var h = bestH, best.count >= 4 else { return nil }
    for _ in 0..<5 {
        guard let refit = try homographyDLT(best.map { src[$0] }, best.map { dst[$0] }) else { break }
        let inliers = inlierIndices(refit, src, dst, threshold: threshold)
        guard inliers.count >= best.count else { break }
        let changed = inliers != best
        h = refit
        best = inliers
        if !changed { break }
    }
    return RobustFit(homography: h, inliers: best)
}
