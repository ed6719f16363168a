@testable import DSLRData
import DSLRTensor
import Foundation
import Testing

@Suite struct DegradeTests {
    func image(_ h: Int = 32, _ w: Int = 40) throws -> Tensor {
        try (Tensor.arange(0, Double(3 * h * w)).reshape([1, 3, h, w]) * 0.37).sin() * 0.4 + 0.5
    }

    @Test func parametersAndResultDependOnlyOnSeedAndIndex() throws {
        var config = DegradationConfig(seed: 4)
        config.jpegQuality = nil
        #expect(config.parameters(index: 3) == config.parameters(index: 3))
        #expect(config.parameters(index: 3) != config.parameters(index: 4))
        let x = try image()
        let a = try degrade(x, parameters: config.parameters(index: 3))
        let b = try degrade(x, parameters: config.parameters(index: 3))
        #expect(try a.equal(b))
        var other = config
        other.seed = 5
        #expect(try maxAbsDiff(a, degrade(x, parameters: other.parameters(index: 3))) > 1e-3)
        let p = config.parameters(index: 7)
        #expect(config.exposure.contains(p.exposureStops) && config.blurSigma.contains(p.blurSigma))
        #expect(config.shotNoise.contains(p.shotNoise) && config.vignetting.contains(p.vignetting))
    }

    @Test func theIdentityConfigChangesNothing() throws {
        let x = try image()
        let y = try degrade(x.squeeze(0), parameters: DegradationConfig.identity.parameters(index: 0))
        #expect(try maxAbsDiff(y, x.squeeze(0)) < 2e-6)
    }

    @Test func noiseVarianceFollowsThePoissonGaussianModel() throws {
        let (a, b) = (0.01, 0.02)
        for level in [0.1, 0.6] {
            let flat = try Tensor.full([1, 1, 256, 256], level)
            let noisy = try poissonGaussianNoise(flat, shot: a, read: b, key: 42)
            let variance = try noisy.variance(dims: [0, 1, 2, 3]).item()
            let expected = a * level + b * b
            // 65536 samples: the sample variance's relative σ is sqrt(2/n) ≈ 0.55 %.
            #expect(abs(variance / expected - 1) < 0.03)
            #expect(abs(try noisy.mean().item() - level) < 4 * sqrt(expected / 65536))
        }
        let again = try poissonGaussianNoise(Tensor.full([1, 1, 8, 8], 0.5), shot: a, read: b, key: 42)
        let other = try poissonGaussianNoise(Tensor.full([1, 1, 8, 8], 0.5), shot: a, read: b, key: 43)
        #expect(try again.equal(poissonGaussianNoise(Tensor.full([1, 1, 8, 8], 0.5), shot: a, read: b, key: 42)))
        #expect(try !again.equal(other))
    }

    @Test func counterNoiseIsUniformAndNormal() throws {
        let u = try CounterNoise.uniform([200_000], key: 1)
        #expect(try u.min().item() > 0 && u.max().item() < 1)
        #expect(abs(try u.mean().item() - 0.5) < 0.003)
        #expect(abs(try u.variance(dims: [0]).item() - 1.0 / 12) < 0.001)
        let n = try CounterNoise.normal([200_000], key: 2)
        #expect(abs(try n.mean().item()) < 0.01)
        #expect(abs(try n.std(dims: [0]).item() - 1) < 0.01)
        // Neighbouring samples are uncorrelated.
        let lagged = try (n.narrow(0, start: 0, length: 199_999) * n.narrow(0, start: 1, length: 199_999)).mean().item()
        #expect(abs(lagged) < 0.01)
    }

    @Test func whiteBalanceErrorScalesChannelMeans() throws {
        let x = try image()
        let gains = [1.2, 1.0, 0.8]
        let means = try x.mean(dims: [0, 2, 3]).toArray(Float.self)
        let scaled = try whiteBalanceError(x, gains: gains).mean(dims: [0, 2, 3]).toArray(Float.self)
        for c in 0..<3 { #expect(abs(Double(scaled[c]) / Double(means[c]) - gains[c]) < 1e-6) }
    }

    @Test func vignettingDarkensCornersByTheConfiguredAmount() throws {
        let flat = try Tensor.full([1, 3, 21, 31], 0.8)
        let y = try vignette(flat, strength: 0.3)
        for (r, c) in [(0, 0), (0, 30), (20, 0), (20, 30)] {
            #expect(abs(try y.select(2, r).select(2, c).mean().item() - 0.8 * 0.7) < 1e-6)
        }
        #expect(abs(try y.select(2, 10).select(2, 15).mean().item() - 0.8) < 1e-6)
    }

    @Test func mosaicThenDemosaicOfAFlatColourReturnsIt() throws {
        let colour = try Tensor([Float(0.7), 0.3, 0.15], shape: [1, 3, 1, 1]).expand([2, 3, 9, 12]).contiguous()
        #expect(try maxAbsDiff(demosaicBilinear(mosaicRGGB(colour)), colour) < 1e-6)
        // The sampled colour at each site is kept: red at (0, 0), blue at (1, 1).
        let x = try image(8, 8)
        let restored = try demosaicBilinear(mosaicRGGB(x))
        #expect(abs(try restored.select(1, 0).select(1, 0).select(1, 0).item() - x.select(1, 0).select(1, 0).select(1, 0).item()) < 1e-6)
        #expect(abs(try restored.select(1, 2).select(1, 1).select(1, 1).item() - x.select(1, 2).select(1, 1).select(1, 1).item()) < 1e-6)
        #expect(try mosaicRGGB(x).shape == [1, 1, 8, 8])
    }

    @Test func demosaicMakesFalseColourAtEdges() throws {
        // A grey step edge: the mosaic loses colour information, and bilinear demosaicing puts
        // colour fringes where the original had none.
        let step = try cat([Tensor.full([1, 3, 8, 5], 0.1), Tensor.full([1, 3, 8, 5], 0.9)], dim: 3)
        let restored = try demosaicBilinear(mosaicRGGB(step))
        let chroma = try (restored.select(1, 0) - restored.select(1, 1)).abs().max().item()
        #expect(chroma > 0.05)
    }

    @Test func blurMatchesSciPyAndPreservesTheMean() throws {
        let reference = try Reference()
        let x = try reference["blur_input"]
        #expect(try maxAbsDiff(lensBlur(x, sigma: 0.8), reference["blur_sigma_0_8"]) < 1e-6)
        #expect(try maxAbsDiff(lensBlur(x, sigma: 1.3), reference["blur_sigma_1_3"]) < 1e-6)
        let big = try image(64, 64)
        let blurred = try lensBlur(big, sigma: 1.5)
        #expect(abs(try blurred.mean().item() - big.mean().item()) < 1e-3)
        #expect(try blurred.std(dims: [0, 1, 2, 3]).item() < big.std(dims: [0, 1, 2, 3]).item())
    }

    @Test func toneExposureAndSaturationStages() throws {
        let ramp = try Tensor.linspace(0, 1, count: 11).reshape([1, 1, 1, 11])
        let toned = try compressTones(ramp, strength: 1).toArray(Float.self)
        #expect(toned.first == 0 && abs(toned.last! - 1) < 1e-6)
        #expect(abs(toned[5] - 2 * 0.5 / 1.5) < 1e-6)
        #expect(zip(toned, toned.dropFirst()).allSatisfy { $0 < $1 })
        #expect(abs(try adjustExposure(ramp, stops: 1).max().item() - 2) < 1e-6)
        let x = try image()
        let grey = try desaturate(x, factor: 0)
        #expect(try maxAbsDiff(grey.select(1, 0), grey.select(1, 2)) < 1e-6)
        #expect(try maxAbsDiff(desaturate(x, factor: 1), x) < 1e-6)
        // Luminance is kept at any factor.
        let weights = try Tensor([Float(0.2126), 0.7152, 0.0722], shape: [1, 3, 1, 1])
        let lum = { (t: Tensor) in try (t * weights).sum(dims: [1]) }
        #expect(try maxAbsDiff(lum(desaturate(x, factor: 0.6)), lum(x)) < 1e-6)
    }
}
