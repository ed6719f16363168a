import DSLRTensor
import Testing

@testable import DSLRData

@Suite struct AlignGeometryTests {
    private let truth = Homography([1.08, 0.05, 12.5, -0.04, 0.97, -3.25, 2e-4, -1e-4, 1])
    private let points = [Point2(3, 4), Point2(290, 10), Point2(280, 190), Point2(15, 170), Point2(150, 100), Point2(60, 130)]

    @Test func fourPointSolveIsExact() throws {
        let h = try #require(homographyFromFour(Array(points.prefix(4)), points.prefix(4).map { truth.apply($0) }))
        #expect(h.maxDistance(to: truth, at: points) < 1e-9)
        #expect(homographyFromFour([Point2(0, 0), Point2(1, 1), Point2(2, 2), Point2(3, 3)], Array(points.prefix(4))) == nil)
    }

    @Test func normalizedDLTRecoversTheTransform() throws {
        let h = try #require(try homographyDLT(points, points.map { truth.apply($0) }))
        #expect(h.maxDistance(to: truth, at: points) < 1e-8)
    }

    @Test func inverseAndComposition() throws {
        let inverse = try #require(truth.inverse())
        #expect((inverse * truth).maxDistance(to: .identity, at: points) < 1e-9)
    }

    /// RANSAC finds the transform among 40% outliers, and only the true correspondences.
    @Test func ransacIgnoresOutliers() throws {
        var rng = SeededGenerator(seed: 1)
        let src = (0..<100).map { _ in Point2(Double.random(in: 0..<300, using: &rng), Double.random(in: 0..<200, using: &rng)) }
        var dst = src.map { truth.apply($0) }
        for i in stride(from: 0, to: 100, by: 5) { dst[i] += Point2(40, -25) }
        for i in stride(from: 1, to: 100, by: 5) { dst[i] = Point2(Double.random(in: 0..<300, using: &rng), 50) }
        let fit = try #require(try ransacHomography(src: src, dst: dst, threshold: 1, iterations: 1000, seed: 0))
        #expect(fit.inliers.count == 60)
        #expect(fit.homography.maxDistance(to: truth, at: points) < 1e-6)
    }

    /// An integer shift resamples to the shifted pixels exactly.
    @Test func warpByIntegerShiftMovesPixels() throws {
        let image = try Tensor((0..<(3 * 20 * 30)).map { Float($0 % 97) / 97 }, shape: [3, 20, 30])
        let shift = Homography.scaleShift(sx: 1, sy: 1, tx: 4, ty: 3)
        for mode in [GridSampleMode.bilinear, .bicubic] {
            let warped = try warpPerspective(image, homography: shift, width: 26, height: 17, mode: mode).squeeze(0)
            let expected = try image.narrow(1, start: 3, length: 17).narrow(2, start: 4, length: 26)
            #expect(try (warped - expected).abs().max().item() < 1e-5)
        }
    }

    @Test func largestRectangleOfAShiftedFrame() throws {
        let shift = Homography.scaleShift(sx: 1, sy: 1, tx: 10, ty: -5)
        let rect = largestValidRectangle(homography: shift, width: 100, height: 80, imageWidth: 100, imageHeight: 80, margin: 0)
        // Image x = frame x + 10 ∈ [0, 99] → frame x ∈ [0, 89]; frame y - 5 ∈ [0, 79] → y ∈ [5, 79].
        #expect(rect == PixelRect(x: 0, y: 5, width: 90, height: 75))
        let coarse = largestValidRectangle(
            homography: shift, width: 100, height: 80, imageWidth: 100, imageHeight: 80, margin: 0, step: 4)
        let c = try #require(coarse)
        #expect(c.x >= 0 && c.y >= 5 && c.x + c.width <= 90 && c.y + c.height <= 80 && c.area > 80 * 70)
    }

    @Test func patchOriginsTileTheImage() {
        let origins = patchOrigins(width: 250, height: 160, size: 100, stride: 50)
        #expect(origins.map(\.x) == [0, 50, 100, 150, 0, 50, 100, 150])
        #expect(origins.map(\.y) == [0, 0, 0, 0, 50, 50, 50, 50])
        #expect(patchOrigins(width: 99, height: 300, size: 100, stride: 100).isEmpty)
    }

    @Test func degenerateTransformsAreNamed() {
        let corners = imageCorners(width: 300, height: 200)
        let options = AlignOptions()
        #expect(degeneracy(truth, corners: corners, options: options) == nil)
        #expect(degeneracy(Homography([-1, 0, 299, 0, 1, 0, 0, 0, 1]), corners: corners, options: options)?.contains("mirror") == true)
        #expect(degeneracy(.scaleShift(sx: 5, sy: 5, tx: 0, ty: 0), corners: corners, options: options)?.contains("scale") == true)
        #expect(degeneracy(.scaleShift(sx: 1, sy: 2, tx: 0, ty: 0), corners: corners, options: options)?.contains("shear") == true)
        #expect(degeneracy(Homography([1, 0, 0, 0, 1, 0, 0.004, 0, 1]), corners: corners, options: options) != nil)
    }

    /// ECC alone pulls a 2-pixel-off start onto the truth.
    @Test func eccRefinesAnOffsetStart() throws {
        let dslr = try syntheticScene(width: 360, height: 240, seed: 5)
        let truth = knownHomography(scale: 1.05, degrees: 3, shift: Point2(2.3, -1.7))
        let phone = try phoneView(of: dslr, truth: truth, width: 300, height: 200, seed: 6)
        let gray = { (x: Tensor) in try gaussianBlur(x.mean(dims: [0], keepDim: true).unsqueeze(0), sigma: 1) }
        let start = Homography.scaleShift(sx: 1, sy: 1, tx: 1.5, ty: -2) * truth
        let result = try #require(try refineECC(
            template: gray(phone), image: gray(dslr), initial: start, levels: 2, iterations: 50, tolerance: 1e-3))
        let error = result.homography.maxDistance(to: truth, at: imageCorners(width: 300, height: 200))
        print("ECC from a 2.5 px offset: corner error \(error) px, correlation \(result.correlation)")
        #expect(error < 0.2)
        #expect(result.correlation > 0.95)
    }
}
