import DSLRTensor

/// Settings of `alignPair`. Pixel quantities are at the resolution each stage works at.
public struct AlignOptions: Sendable {
    /// Longest side of the images corners are detected and matched at (larger photos are
    /// average-pooled by a whole factor down to at most this).
    public var featureSize = 800
    /// Longest side of the images the ECC refinement runs at.
    public var refineSize = 1600
    /// The most corners kept per photo.
    public var maxKeypoints = 1500
    /// Non-maximum suppression radius of the corner detector (feature pixels).
    public var nmsRadius = 3
    /// Descriptor lattice: `descriptorGrid`² samples `descriptorSpacing` feature pixels apart.
    public var descriptorGrid = 8
    public var descriptorSpacing = 2.5
    /// Relative scales (DSLR pixels per phone pixel at the feature resolution) tried when
    /// matching: descriptors of the DSLR photo are sampled at each; the scale whose
    /// homography has the most inliers wins.
    public var scales: [Double] = [0.7, 0.84, 1, 1.19, 1.41]
    /// Lowe's ratio: nearest / second-nearest descriptor distance must be below this.
    public var matchRatio = 0.9
    /// RANSAC inlier threshold (feature pixels), samples, and seed.
    public var ransacThreshold = 3.0
    public var ransacIterations = 2000
    public var seed: UInt64 = 0
    /// Fewer RANSAC inliers than this rejects the pair.
    public var minInliers = 15
    /// ECC pyramid levels, Gauss–Newton steps per level, and the stopping step (pixels).
    public var eccLevels = 3
    public var eccIterations = 50
    public var eccTolerance = 1e-3
    /// The ECC result is dropped (the feature homography kept) when it moves a corner more
    /// than this many feature pixels away from the feature homography.
    public var maxRefineShift = 8.0
    /// Degeneracy limits at the feature resolution: local scale within [1/maxScale, maxScale],
    /// ratio of the local singular values at most `maxAnisotropy`, ratio of the projective
    /// denominators over the corners at most `maxPerspective`.
    public var maxScale = 3.0
    public var maxAnisotropy = 1.5
    public var maxPerspective = 1.5
    /// Smallest common area (fraction of the phone photo) and alignment score accepted.
    public var minOverlap = 0.25
    public var minScore = 0.6
    /// Pixels kept clear of the DSLR photo's edge in the common area.
    public var margin = 2.0
    public init() {}
}

/// A pair aligned by `alignPair`.
public struct AlignmentResult: Sendable {
    /// Phone pixel → DSLR pixel (full resolution, pixel centres), rows of a 3×3 matrix.
    public var homography: [[Double]]
    /// The same map before the ECC refinement (from the feature matches alone).
    public var featureHomography: [[Double]]
    /// Whether the ECC refinement was applied.
    public var refined: Bool
    /// Tentative matches, RANSAC inliers, and the relative scale they were matched at.
    public var matches: Int
    public var inliers: Int
    public var matchScale: Double
    /// The ECC correlation coefficient of the gray photos over the common area (1 = equal up
    /// to brightness and contrast).
    public var score: Double
    /// The largest axis-aligned rectangle of the phone frame covered by the warped DSLR photo.
    public var commonRect: PixelRect
    /// `commonRect`'s share of the phone photo.
    public var overlap: Double
    /// The DSLR photo resampled into the phone frame, [3, H, W] of the phone photo (anti-aliased
    /// where the DSLR photo has more pixels per scene area than the phone photo).
    public var warpedDSLR: Tensor
    /// The (anti-aliased) DSLR photo `warpedDSLR` was resampled from, [1, 3, h, w], and the map
    /// from phone pixels into it: `cutPatches` resamples refined patches from these directly.
    public var dslrSource: Tensor
    public var sourceHomography: Homography
    /// Both photos cropped to `commonRect`, [3, h, w] each.
    public var croppedPhone: Tensor
    public var croppedDSLR: Tensor
}

/// A pair `alignPair` refused, with the reason in one line and what was measured before.
public struct AlignmentRejection: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var inliers: Int?
    public var score: Double?
    public init(_ reason: String, inliers: Int? = nil, score: Double? = nil) {
        self.reason = reason; self.inliers = inliers; self.score = score
    }
    public var description: String { reason }
}
