import DSLRMetrics
import DSLRTensor
import Foundation

// The regions of MPSE's phase 2. The thesis segments with a PSPNet trained on ADE20K; no such
// network ships with DSLRKit, so the default is a classical, offline segmentation behind a
// protocol that a user's network can replace.

/// What a region is, as far as matching output and reference regions goes.
public enum RegionClass: String, Sendable, Equatable {
    /// Sky: matched with the reference's sky when it has one.
    case sky
    /// Anything else: matched by colour.
    case other
}

/// A photo divided into K regions.
public struct Segmentation: Sendable {
    /// [K, H, W] masks in [0, 1] at the segmented image's size (hard masks: one-hot per pixel).
    public var masks: Tensor
    /// The class of each region.
    public var classes: [RegionClass]
    /// The mean CIELAB colour (L*, a*, b*) of each region, for matching by colour.
    public var meanLab: [[Double]]

    public init(masks: Tensor, classes: [RegionClass], meanLab: [[Double]]) {
        self.masks = masks; self.classes = classes; self.meanLab = meanLab
    }

    public var count: Int { classes.count }
}

/// Divides a photo into semantic regions. A semantic segmentation network (MPSE's PSPNet)
/// conforms by mapping its labels to masks and `RegionClass`es.
public protocol RegionSegmenter: Sendable {
    /// Regions of `image`, [1, 3, H, W] sRGB in [0, 1]; masks at H × W.
    func segment(_ image: Tensor) throws -> Segmentation
}

/// The offline default: k-means on CIELAB colour plus position (SLIC's feature space, over
/// the whole image instead of a grid of seeds), with the clusters that look like sky merged
/// into one sky region.
///
/// Sky is a cluster that sits in the upper part of the frame, touches the top border and is
/// smooth (little local variation of L*) and either blue-ish or bright, with the clusters of
/// similar colour just below it. Smooth bright backgrounds at the top of
/// close-ups (bokeh) pass as sky as well: only a semantic network tells them apart. Deterministic: the
/// centres start at quantiles of L*, so no random draw is involved.
public struct ColourClusterSegmenter: RegionSegmenter {
    /// Clusters (regions before the sky clusters are merged).
    public var clusters: Int
    /// Weight of position against colour; colour channels are L*/100, a*/100, b*/100 and
    /// positions run over [0, 1], so 0.5 lets a cluster span about half the frame before
    /// colour stops holding it together.
    public var spatialWeight: Double
    /// Longest side the clustering runs at; masks are enlarged to the image (nearest).
    public var workingSide: Int
    public var iterations: Int

    public init(clusters: Int = 4, spatialWeight: Double = 0.5, workingSide: Int = 96, iterations: Int = 20) {
        self.clusters = clusters; self.spatialWeight = spatialWeight
        self.workingSide = workingSide; self.iterations = iterations
    }

    public func segment(_ image: Tensor) throws -> Segmentation {
        guard image.rank == 4, image.shape[0] == 1, image.shape[1] == 3, clusters >= 1 else {
            throw EngineError("segmentation: expected one RGB image [1, 3, H, W] and at least one cluster, got \(image.shape)",
                              kind: .badArgument)
        }
        return try withNoGrad {
            let (height, width) = (image.shape[2], image.shape[3])
            let scale = min(1, Double(workingSide) / Double(max(height, width)))
            let (h, w) = (max(1, Int((Double(height) * scale).rounded())), max(1, Int((Double(width) * scale).rounded())))
            let small = try (h, w) == (height, width) ? image.to(.float32)
                : resizeBicubic(image.to(.float32), height: h, width: w).clamp(min: 0, max: 1)
            let lab = try rgbToLab(small)                                         // [1, 3, h, w]
            let ys = try Tensor.linspace(0, 1, count: h).reshape([1, 1, h, 1]).expand([1, 1, h, w])
            let xs = try Tensor.linspace(0, 1, count: w).reshape([1, 1, 1, w]).expand([1, 1, h, w])
            let points = try cat([lab / 100, ys * spatialWeight, xs * spatialWeight], dim: 1)
                .flatten(from: 2).squeeze(0).transpose(0, 1).contiguous()       // [P, 5]
            let labels = try kMeans(points, k: min(clusters, h * w))
            let texture = try localVariation(lab.narrow(1, start: 0, length: 1) / 100).flatten()
            return try regions(labels: labels, lab: lab, texture: texture, h: h, w: w, height: height, width: width)
        }
    }

    /// Lloyd's k-means from centres at the (i + ½)/k quantiles of the first feature (L*);
    /// a cluster that empties keeps its centre. Returns labels [P] (int64).
    private func kMeans(_ x: Tensor, k: Int) throws -> Tensor {
        let lightness = try x.select(1, 0).toArray(Float.self)
        let order = lightness.indices.sorted { (lightness[$0], $0) < (lightness[$1], $1) }
        let seeds = (0..<k).map { order[min(order.count - 1, Int((Double($0) + 0.5) / Double(k) * Double(order.count)))] }
        var centres = try x.indexSelect(0, Tensor(seeds.map(Int64.init)))
        let squaredNorms = try x.square().sum(dims: [1], keepDim: true)
        let ids = try Tensor.arange(0, Double(k), dtype: .int64).unsqueeze(1)
        var labels = try Tensor.zeros([x.shape[0]], dtype: .int64)
        for _ in 0..<max(1, iterations) {
            let distances = try squaredNorms - matmul(x, centres.transpose(0, 1)) * 2
                + centres.square().sum(dims: [1]).unsqueeze(0)
            labels = try distances.min(dim: 1).indices
            let members = try labels.unsqueeze(0).eq(ids).to(.float32)            // [k, P]
            let counts = try members.sum(dims: [1], keepDim: true)
            let means = try matmul(members, x) / counts.clamp(min: 1)
            centres = try `where`(counts.gt(0), means, centres)
        }
        return labels
    }

    /// Mean absolute difference to the right and lower neighbours, [1, 1, h, w].
    private func localVariation(_ l: Tensor) throws -> Tensor {
        guard l.shape[2] > 1, l.shape[3] > 1 else { return try l.zerosLike() }
        let dx = try (l.slice(3, start: 1) - l.slice(3, end: -1)).abs().pad([0, 1, 0, 0], mode: .replicate)
        let dy = try (l.slice(2, start: 1) - l.slice(2, end: -1)).abs().pad([0, 0, 0, 1], mode: .replicate)
        return try dx + dy
    }

    /// Clusters as regions: empty ones dropped, sky-like ones merged into one sky region
    /// (listed first), masks enlarged to the image.
    private func regions(labels: Tensor, lab: Tensor, texture: Tensor, h: Int, w: Int, height: Int, width: Int) throws -> Segmentation {
        let label = try labels.toArray(Int64.self).map(Int.init)
        let labValues = try lab.squeeze(0).flatten(from: 1).to(.float64).toArray(Double.self)  // [3 × P]
        let variation = try texture.to(.float64).toArray(Double.self)
        let p = h * w
        let topRows = max(1, h / 10)
        let k = (label.max() ?? 0) + 1
        var count = [Int](repeating: 0, count: k), top = count
        var sumLab = [[Double]](repeating: [0, 0, 0], count: k)
        var sumRow = [Double](repeating: 0, count: k), sumVariation = sumRow
        for i in 0..<p {
            let c = label[i]
            count[c] += 1
            if i / w < topRows { top[c] += 1 }
            for j in 0..<3 { sumLab[c][j] += labValues[j * p + i] }
            sumRow[c] += Double(i / w) / Double(max(1, h - 1))
            sumVariation[c] += variation[i]
        }
        let present = (0..<k).filter { count[$0] > 0 }
        func mean(_ c: Int) -> [Double] { sumLab[c].map { $0 / Double(count[c]) } }
        let skyLike = present.filter { c in
            let n = Double(count[c])
            let lab = mean(c)
            let blueish = lab[2] < -8 && lab[1] < 15 && lab[0] > 25
            let bright = lab[0] > 60
            let smooth = sumVariation[c] / n < Self.smoothVariation
            return smooth && (blueish || bright)
        }
        func meanRow(_ c: Int) -> Double { sumRow[c] / Double(count[c]) }
        var sky = skyLike.filter { Double(top[$0]) >= 0.15 * Double(topRows * w) && meanRow($0) < 0.5 }
        // Position splits a large sky into bands; the lower bands, centred a little lower and
        // perhaps more textured (clouds), join the one at the top when their colour is close
        // (ΔE*ab below 15).
        if !sky.isEmpty {
            sky += present.filter { c in
                !sky.contains(c) && meanRow(c) < 0.6
                    && sky.contains { s in zip(mean(c), mean(s)).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } < 225 }
            }
        }
        var groups = present.filter { !sky.contains($0) }.map { [$0] }
        var classes = [RegionClass](repeating: .other, count: groups.count)
        if !sky.isEmpty { groups.insert(sky, at: 0); classes.insert(.sky, at: 0) }
        var lookup = [Int](repeating: 0, count: k)
        for (region, members) in groups.enumerated() { for c in members { lookup[c] = region } }
        let meanLab = groups.map { members -> [Double] in
            let n = Double(members.reduce(0) { $0 + count[$1] })
            return (0..<3).map { j in members.reduce(0) { $0 + sumLab[$1][j] } / n }
        }
        let regionOf = try Tensor(label.map { Int64(lookup[$0]) }, shape: [1, 1, h, w])
        let ids = try Tensor.arange(0, Double(groups.count), dtype: .int64).reshape([1, groups.count, 1, 1])
        var masks = try regionOf.eq(ids).to(.float32)                                  // [1, K, h, w]
        if (h, w) != (height, width) { masks = try interpolate(masks, size: [height, width], mode: .nearest) }
        return Segmentation(masks: try masks.squeeze(0), classes: classes, meanLab: meanLab)
    }

    /// Mean local variation of L*/100 below which a region counts as smooth: skies at the
    /// working size vary by up to two or three hundredths per pixel (clouds and JPEG noise
    /// included; a clear sky by a few thousandths), grass, roads and buildings in the Debian
    /// photos by five hundredths or more.
    static let smoothVariation = 0.03
}

/// For each region of `output`, the region of `reference` it takes its style from: the
/// reference's region of the same class when that class is not `.other` and the reference
/// has it, else the reference region of class `.other` nearest in mean CIELAB colour (any
/// region when the reference has none of class `.other`).
public func matchRegions(_ output: Segmentation, to reference: Segmentation) -> [Int] {
    func distance(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
    let others = reference.classes.indices.filter { reference.classes[$0] == .other }
    let candidates = others.isEmpty ? Array(reference.classes.indices) : others
    return output.classes.indices.map { r in
        if output.classes[r] != .other, let same = reference.classes.firstIndex(of: output.classes[r]) { return same }
        return candidates.min { distance(output.meanLab[r], reference.meanLab[$0]) < distance(output.meanLab[r], reference.meanLab[$1]) }!
    }
}
