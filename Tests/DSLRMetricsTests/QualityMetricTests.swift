import DSLRMetrics
import DSLRTensor
import Testing

/// PSNR and SSIM are computed in float64 on both sides, so they agree to rounding.
private let metricTolerance = 1e-6

@Suite struct QualityMetricTests {
    let ref: Reference
    init() throws { ref = try Reference() }

    @Test func psnrMatchesSkimage() throws {
        let value = try psnr(ref["a_nchw"], ref["b_nchw"])
        let err = relativeError(value, try ref.scalar("psnr"))
        print("psnr relative error vs skimage: \(err)")
        #expect(err < metricTolerance)
        let batch = try psnr(ref["batch_a_nchw"], ref["batch_b_nchw"])
        #expect(relativeError(batch, try ref.scalar("batch_psnr")) < metricTolerance)
    }

    @Test func psnrWithDataRange255MatchesSkimage() throws {
        // 8-bit values with data range 255 give skimage's figure for [0, 1] with range 1.
        let value = try psnr(ref["a_nchw"] * 255, ref["b_nchw"] * 255, dataRange: 255)
        #expect(relativeError(value, try ref.scalar("psnr")) < metricTolerance)
        let perImage = try psnrPerImage(ref["batch_a_nchw"] * 255, ref["batch_b_nchw"] * 255, dataRange: 255).toArray(Double.self)
        for (v, e) in zip(perImage, try ref["batch_psnr_per_image"].toArray(Double.self)) {
            #expect(relativeError(v, e) < metricTolerance)
        }
    }

    @Test func psnrPerImageMatchesSkimage() throws {
        let values = try psnrPerImage(ref["batch_a_nchw"], ref["batch_b_nchw"]).toArray(Double.self)
        let expected = try ref["batch_psnr_per_image"].toArray(Double.self)
        #expect(values.count == 2)
        for (v, e) in zip(values, expected) { #expect(relativeError(v, e) < metricTolerance) }
    }

    /// The super-resolution score: Y of skimage's rgb2ycbcr, a 4-pixel border shaved; pixels
    /// inside the shaved border must not count.
    @Test func psnrYWithShaveMatchesSkimage() throws {
        let (a, b) = (try ref["a_nchw"], try ref["b_nchw"])
        let expected = try ref.scalar("psnr_y_shave4")
        #expect(relativeError(try psnrY(a, b, shave: 4), expected) < metricTolerance)
        let spoiled = try b.clone()
        try spoiled.narrow(3, start: 0, length: 4).fill_(1)
        #expect(relativeError(try psnrY(a, spoiled, shave: 4), expected) < metricTolerance)
        #expect(try psnrY(a, spoiled, shave: 3) < expected - 0.5)
        let metrics = try qualityMetrics(output: b, target: a, shave: 4)
        #expect(relativeError(try #require(metrics["psnr_y"]), expected) < metricTolerance)
        #expect(try qualityMetrics(output: b, target: a)["psnr_y"] == nil)
        #expect(throws: TorchError.self) { try psnrY(a, b, shave: 20) }
    }

    @Test func psnrOfIdenticalImagesIsInfinite() throws {
        let a = try ref["a_nchw"]
        #expect(try psnr(a, a) == .infinity)
    }

    @Test func ssimRGBMatchesSkimage() throws {
        let value = try ssim(ref["a_nchw"], ref["b_nchw"]).item()
        let err = relativeError(value, try ref.scalar("ssim_rgb"))
        print("ssim (RGB) relative error vs skimage: \(err)")
        #expect(err < metricTolerance)
    }

    @Test func ssimGrayscaleMatchesSkimage() throws {
        let ga = try grayscale(ref["a_nchw"]).reshape([48, 40])
        let gb = try grayscale(ref["b_nchw"]).reshape([48, 40])
        let value = try ssim(ga, gb).item()
        let err = relativeError(value, try ref.scalar("ssim_gray"))
        print("ssim (gray, 2-D) relative error vs skimage: \(err)")
        #expect(err < metricTolerance)
    }

    @Test func ssimPerImageMatchesSkimage() throws {
        let values = try ssimPerImage(ref["batch_a_nchw"], ref["batch_b_nchw"])
        #expect(values.shape == [2])
        let expected = try ref["batch_ssim_per_image"].toArray(Double.self)
        for (v, e) in zip(try values.toArray(Double.self), expected) {
            #expect(relativeError(v, e) < metricTolerance)
        }
        let mean = try ssim(ref["batch_a_nchw"], ref["batch_b_nchw"]).item()
        #expect(abs(mean - (expected[0] + expected[1]) / 2) < 1e-12)
    }

    @Test func ssimOfAnImageWithItselfIsOne() throws {
        let a = try ref["a_nchw"]
        #expect(abs(try ssim(a, a).item() - 1) < 1e-12)
    }

    @Test func ssimRejectsImagesSmallerThanTheWindow() throws {
        let small = try Tensor.zeros([1, 1, 10, 16], dtype: .float64)
        #expect(throws: TorchError.self) { try ssim(small, small) }
        let other = try Tensor.zeros([1, 1, 16, 16], dtype: .float64)
        #expect(throws: TorchError.self) { try ssim(other, Tensor.zeros([1, 1, 16, 17], dtype: .float64)) }
    }

    @Test func ssimLossGradientMatchesFiniteDifferences() throws {
        Torch.manualSeed(7)
        let x0 = try Tensor.rand([1, 1, 16, 16], dtype: .float64)
        let y = try (x0 + Tensor.randn([1, 1, 16, 16], dtype: .float64) * 0.2).clamp(min: 0, max: 1)
        let loss = { (x: Tensor) throws -> Double in try (1 - ssim(x, y)).item() }

        let x = try x0.clone().requiringGrad()
        try (1 - ssim(x, y)).backward()
        let analytic = try #require(try x.grad).toArray(Double.self)
        let numeric = try numericalGradient(of: loss, at: x0, eps: 1e-6)

        let scale = numeric.map(abs).max() ?? 0
        #expect(scale > 1e-4, "the gradient should not vanish for distinct images")
        var worst = 0.0
        for (g, n) in zip(analytic, numeric) {
            // Relative to each entry, with a floor at 1e-3 of the largest entry so entries that
            // are zero up to rounding do not divide by nothing.
            let err = abs(g - n) / max(abs(n), 1e-3 * scale)
            worst = max(worst, err)
        }
        print("ssim gradient worst relative error vs finite differences: \(worst)")
        #expect(worst < 1e-5)
    }

    @Test func psnrPerImageIsDifferentiable() throws {
        let a = try ref["a_nchw"].clone().requiringGrad()
        let b = try ref["b_nchw"]
        try psnrPerImage(a, b).sum().backward()
        let grad = try #require(try a.grad)
        #expect(try grad.abs().sum().item() > 0)
    }
}
