import DSLRMetrics
import DSLRTensor
import Foundation
import Testing

/// pytorch-msssim runs in float64 on the same images; the only difference is summation order.
private let tolerance = 1e-9

/// The images of make_msssim_fixture.py's `big_pair`: bilinear upsampling of small random
/// images plus a tiled texture, rebuilt here with the same libtorch ops.
private func bigPair(_ ref: Reference) throws -> (Tensor, Tensor) {
    let (h, w) = (170, 196)
    let lo = try ref["lo"].to(.float64)
    let smooth = try interpolate(lo, size: [h, w], mode: .bilinear(alignCorners: false))
    let texA = try ref["noise_a"].to(.float64).repeated([1, 1, 7, 7]).narrow(2, start: 0, length: h).narrow(3, start: 0, length: w)
    let texB = try ref["noise_b"].to(.float64).repeated([1, 1, 7, 7]).narrow(2, start: 0, length: h).narrow(3, start: 0, length: w)
    let a = try (smooth * 0.8 + texA * 0.2).clamp(min: 0, max: 1)
    let b = try (a * 0.9 + texB * 0.08 + 0.03).clamp(min: 0, max: 1)
    return (a, b)
}

@Suite struct MSSSIMTests {
    let ref: Reference
    let a: Tensor
    let b: Tensor
    init() throws {
        ref = try Reference("msssim_reference")
        (a, b) = try bigPair(ref)
    }

    @Test func rebuiltImagesMatchTheFixture() throws {
        let corner = try a.narrow(2, start: 0, length: 4).narrow(3, start: 0, length: 4)
        #expect(try maxAbsDiff(corner, ref["a_check"]) < 1e-12)
        let sums = try [a.sum().item(), b.sum().item(), (a * b).sum().item()]
        for (s, e) in zip(sums, try ref["pair_sums"].toArray(Double.self)) {
            print("rebuilt image sum \(s) vs \(e)")
            #expect(relativeError(s, e) < 1e-12)
        }
    }

    @Test func msssimMatchesPytorchMSSSIM() throws {
        let value = try msssim(a, b).item()
        let err = relativeError(value, try ref.scalar("msssim"))
        print("ms-ssim relative error vs pytorch-msssim: \(err)")
        #expect(err < tolerance)
        let perImage = try msssimPerImage(a, b).toArray(Double.self)
        for (v, e) in zip(perImage, try ref["msssim_per_image"].toArray(Double.self)) {
            #expect(relativeError(v, e) < tolerance)
        }
    }

    @Test func msssimWithDataRange255AndOtherWeights() throws {
        let v255 = try msssim(a * 255, b * 255, dataRange: 255).item()
        #expect(relativeError(v255, try ref.scalar("msssim_255")) < tolerance)
        let v3 = try msssim(a, b, weights: [0.2, 0.3, 0.5]).item()
        #expect(relativeError(v3, try ref.scalar("msssim_weights3")) < tolerance)
    }

    @Test func pytorchSSIMMatches() throws {
        let values = try pytorchSSIMPerImage(a, b).toArray(Double.self)
        for (v, e) in zip(values, try ref["ssim_per_image"].toArray(Double.self)) {
            #expect(relativeError(v, e) < tolerance)
        }
    }

    @Test func msssimLossGradientMatchesPytorchMSSSIM() throws {
        let x = try a.clone().requiringGrad()
        try (1 - msssim(x, b)).backward()
        let grad = try #require(try x.grad)
        let normErr = relativeError(try grad.norm().item(), try ref.scalar("msssim_loss_grad_norm"))
        let pooled = try avgPool2d(grad, kernel: [10, 14])
        let expected = try ref["msssim_loss_grad_pooled"]
        let pooledErr = try maxAbsDiff(pooled, expected) / expected.abs().max().item()
        let absPooled = try avgPool2d(grad.abs(), kernel: [10, 14])
        let expectedAbs = try ref["msssim_loss_grad_abs_pooled"]
        let absErr = try maxAbsDiff(absPooled, expectedAbs) / expectedAbs.abs().max().item()
        print("ms-ssim gradient vs pytorch-msssim: norm \(normErr), pooled \(pooledErr), |pooled| \(absErr)")
        #expect(normErr < 1e-8)
        #expect(pooledErr < 1e-8)
        #expect(absErr < 1e-8)
    }

    @Test func msssimGradientMatchesFiniteDifferences() throws {
        Torch.manualSeed(11)
        let f = { (x: Tensor) throws -> Double in try msssim(x, self.b).item() }
        let x = try a.clone().requiringGrad()
        try msssim(x, b).backward()
        let check = try directionalGradientCheck(of: f, at: a, gradient: #require(try x.grad), count: 2, eps: 1e-5)
        print("ms-ssim directional derivative worst relative error: \(check.worst)")
        #expect(check.smallest > 1e-6)
        #expect(check.worst < 1e-6)
    }

    @Test func msssimRejectsSmallImages() throws {
        let small = try Tensor.rand([1, 3, 160, 200], dtype: .float64)
        #expect(throws: TorchError.self) { try msssim(small, small) }
    }

    @Test func ssimOnLumaAndYMatchesSkimage() throws {
        let metrics = try Reference()
        let (x, y) = (try metrics["batch_a_nchw"], try metrics["batch_b_nchw"])
        for (channels, key) in [(SSIMChannels.luma, "ssim_luma_per_image"), (.y, "ssim_y_per_image")] {
            let values = try ssimPerImage(x, y, on: channels).toArray(Double.self)
            for (v, e) in zip(values, try ref[key].toArray(Double.self)) {
                let err = relativeError(v, e)
                print("ssim (\(channels)) relative error vs skimage: \(err)")
                #expect(err < 1e-6)
            }
        }
    }

    @Test func qualityMetricsReportsEveryFigure() throws {
        let m = try qualityMetrics(output: b.to(.float32), target: a.to(.float32))
        #expect(Set(m.keys) == ["psnr", "ssim", "ssim_luma", "ms_ssim", "ms_ssim_dped"])
        #expect(relativeError(try #require(m["ms_ssim"]), try ref.scalar("msssim")) < 1e-5)
        #expect(relativeError(try #require(m["psnr"]), try psnr(a, b)) < 1e-5)
        let small = try qualityMetrics(output: Tensor.rand([1, 3, 32, 32]), target: Tensor.rand([1, 3, 32, 32]))
        #expect(small["ms_ssim"] == nil)
        #expect(small["ms_ssim_dped"] != nil)
    }
}

@Suite struct DPEDMultiScaleSSIMTests {
    let ref: Reference
    init() throws { ref = try Reference("dped_msssim_reference") }

    @Test func matchesDPEDOnAColourBatch() throws {
        let metrics = try Reference()
        let (x, y) = (try metrics["batch_a_nchw"] * 255, try metrics["batch_b_nchw"] * 255)
        let batch = try dpedMultiScaleSSIM(x, y).item()
        let errBatch = relativeError(batch, try ref.scalar("dped_rgb_batch"))
        let first = try dpedMultiScaleSSIM(x.narrow(0, start: 0, length: 1), y.narrow(0, start: 0, length: 1)).item()
        let errFirst = relativeError(first, try ref.scalar("dped_rgb_first"))
        print("DPED MultiScaleSSIM relative error (48x40 batch, first image): \(errBatch), \(errFirst)")
        #expect(errBatch < 1e-9)
        #expect(errFirst < 1e-9)
        // The same images in [0, 1] with maxValue 1 give the same number.
        let unit = try dpedMultiScaleSSIM(metrics["batch_a_nchw"], metrics["batch_b_nchw"], maxValue: 1).item()
        #expect(relativeError(unit, batch) < 1e-9)
    }

    @Test func matchesDPEDAndTensorFlowOnAGrayscaleImage() throws {
        let ms = try Reference("msssim_reference")
        let x = try ms["gray_a_u8"].to(.float64).reshape([1, 1, 176, 176])
        let y = try ms["gray_b_u8"].to(.float64).reshape([1, 1, 176, 176])
        let value = try dpedMultiScaleSSIM(x, y).item()
        let errDPED = relativeError(value, try ref.scalar("dped_gray"))
        let errTF = relativeError(value, try ref.scalar("tf_gray"))
        print("DPED MultiScaleSSIM on 176x176 gray: vs DPED \(errDPED), vs tf.image.ssim_multiscale \(errTF)")
        #expect(errDPED < 1e-9)
        #expect(errTF < 1e-6)  // TF computes in float32
    }

    @Test func differsFromPytorchMSSSIMOnColourBatches() throws {
        let ms = try Reference("msssim_reference")
        let (a, b) = try bigPair(ms)
        let dped = try dpedMultiScaleSSIM(a, b, maxValue: 1).item()
        // Global means before combining scales, and replicate-padded pooling: not the same number.
        #expect(abs(dped - (try ms.scalar("msssim"))) > 1e-6)
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        Torch.manualSeed(5)
        let x0 = try Tensor.rand([2, 2, 20, 18], dtype: .float64)
        let y = try (x0 * 0.8 + Tensor.rand([2, 2, 20, 18], dtype: .float64) * 0.2)
        let f = { (x: Tensor) throws -> Double in try dpedMultiScaleSSIM(x, y, maxValue: 1).item() }
        let x = try x0.clone().requiringGrad()
        try dpedMultiScaleSSIM(x, y, maxValue: 1).backward()
        let check = try directionalGradientCheck(of: f, at: x0, gradient: #require(try x.grad), count: 3, eps: 1e-5)
        print("DPED MultiScaleSSIM directional derivative worst relative error: \(check.worst)")
        #expect(check.smallest > 1e-4)
        #expect(check.worst < 1e-6)
    }
}
