import DSLREnhance
import DSLRTensor
import Foundation
import Testing

/// IEC 61966-2-1 encoding, written out independently of DSLRMetrics for the checks here.
private func srgbEncode(_ v: Double) -> Double {
    v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1 / 2.4) - 0.055
}

/// A smooth grey scene in linear light (values 0.04...0.64) with a per-channel colour cast,
/// sRGB-encoded: [1, 3, h, w] float64.
private func castScene(cast: [Double], h: Int = 48, w: Int = 64) throws -> Tensor {
    var values = [Double](repeating: 0, count: 3 * h * w)
    for y in 0..<h {
        for x in 0..<w {
            let grey = 0.04 + 0.6 * (0.5 + 0.5 * sin(Double(x) / 7) * cos(Double(y) / 5))
            for c in 0..<3 { values[(c * h + y) * w + x] = srgbEncode(grey * cast[c]) }
        }
    }
    return try Tensor(values, shape: [1, 3, h, w])
}

private func channelMeans(_ image: Tensor) throws -> [Double] {
    try image.to(.float64).mean(dims: [0, 2, 3]).toArray(Double.self)
}

@Suite struct ClassicEnhancerTests {
    @Test func whiteBalanceNeutralisesAGreyScene() throws {
        let image = try castScene(cast: [1.2, 1.0, 0.75])
        for method in [ClassicConfig.WhiteBalance.Method.grayWorld, .whitePatch, .combined] {
            let settings = ClassicConfig.WhiteBalance(method: method, maxGain: 2, strength: 1)
            let means = try channelMeans(autoWhiteBalance(image, settings))
            let spread = (means.max()! - means.min()!) / means.min()!
            print("white balance \(method): channel means \(means), spread \(spread)")
            #expect(spread < 0.01)
            let before = try channelMeans(image)
            #expect((before.max()! - before.min()!) / before.min()! > 0.2)
        }
    }

    @Test func whiteBalanceGainsInvertTheCastAndKeepLuminance() throws {
        let cast = [1.2, 1.0, 0.75]
        let gains = try whiteBalanceGains(castScene(cast: cast), .init(method: .grayWorld, maxGain: 2, strength: 1))
            .toArray(Double.self)
        #expect(gains.count == 3)
        // gain_c · cast_c is the same for every channel: the cast is undone.
        let products = zip(gains, cast).map { $0 * $1 }
        #expect(products.max()! - products.min()! < 1e-9)
        // A neutral scene gets unit gains.
        let neutral = try whiteBalanceGains(castScene(cast: [1, 1, 1]), .init()).toArray(Double.self)
        #expect(neutral.allSatisfy { abs($0 - 1) < 1e-9 })
    }

    @Test func whiteBalanceClampsGainsSoASunsetKeepsItsColour() throws {
        let sunset = try castScene(cast: [1.6, 0.9, 0.35])
        let settings = ClassicConfig.WhiteBalance()
        let gains = try whiteBalanceGains(sunset, settings).toArray(Double.self)
        // Relative gains are bounded by the clamp (before the common luminance scale).
        #expect(gains.max()! / gains.min()! <= pow(settings.maxGain * settings.maxGain, settings.strength) + 1e-9)
        let means = try channelMeans(autoWhiteBalance(sunset, settings))
        #expect(means[0] > means[1] && means[1] > means[2])
    }

    @Test func whiteBalanceIgnoresClippedAndBlackPixels() throws {
        let image = try castScene(cast: [1.2, 1.0, 0.75])
        let settings = ClassicConfig.WhiteBalance(maxGain: 2, strength: 1)
        let reference = try whiteBalanceGains(image, settings).toArray(Double.self)
        // Paint a clipped white band and a black band: they carry no colour information.
        let white = try Tensor.ones([1, 3, 8, 64], dtype: .float64)
        let black = try Tensor.zeros([1, 3, 8, 64], dtype: .float64)
        let polluted = try cat([white, image, black], dim: 2)
        let gains = try whiteBalanceGains(polluted, settings).toArray(Double.self)
        #expect(zip(gains, reference).allSatisfy { abs($0 - $1) < 1e-9 })
    }

    @Test func inputEncodingAndToneGamma() throws {
        let linear = try Tensor([0.0, 0.002, 0.01, 0.2, 0.5, 1.0], shape: [1, 3, 1, 2])
        let values = try linear.toArray(Double.self)
        let srgb = try ClassicEnhancer(config: ClassicConfig(inputEncoding: .srgb))(linear).toArray(Double.self)
        #expect(zip(srgb, values.map(srgbEncode)).allSatisfy { abs($0 - $1) < 1e-12 })
        let power = try ClassicEnhancer(config: ClassicConfig(inputEncoding: .power(gamma: 2.2)))(linear).toArray(Double.self)
        #expect(zip(power, values.map { pow($0, 1 / 2.2) }).allSatisfy { abs($0 - $1) < 1e-12 })
        let tone = try ClassicEnhancer(config: ClassicConfig(toneGamma: 2.2))(linear).toArray(Double.self)
        #expect(tone == power)
    }

    @Test func identityConfigReturnsTheInput() throws {
        let image = try Tensor.rand([2, 3, 9, 13], dtype: .float64)
        #expect(try ClassicEnhancer(config: .identity)(image).equal(image))
    }

    @Test func defaultKeepsShapeRangeDtypeAndIsDeterministicPerImage() throws {
        let a = try castScene(cast: [1.1, 1.0, 0.9]).to(.float32)
        let b = try (Tensor.rand([1, 3, 48, 64]) * 0.5 + 0.2)
        let batch = try cat([a, b], dim: 0)
        let enhancer = ClassicEnhancer()
        let out = try enhancer(batch)
        #expect(out.shape == [2, 3, 48, 64])
        #expect(out.dtype == .float32)
        #expect(try out.min().item() >= 0 && out.max().item() <= 1)
        #expect(try enhancer(batch).equal(out))
        // Each image is enhanced on its own statistics.
        #expect(try classicMaxDiff(enhancer(b), out.narrow(0, start: 1, length: 1)) < 1e-5)
    }

    @Test func defaultImprovesAFlatCastSoftImage() throws {
        // Low contrast (0.3...0.6), a warm cast, softened: the default stretches the range
        // and pulls the channel means together.
        let base = try castScene(cast: [1.15, 1.0, 0.85])
        let flat = try gaussianBlur(base * 0.35 + 0.25, sigma: 1.2)
        let out = try ClassicEnhancer()(flat)
        let rangeBefore = try flat.max().item() - flat.min().item()
        let rangeAfter = try out.max().item() - out.min().item()
        #expect(rangeAfter > 1.8 * rangeBefore)
        // The cast, measured against the image's own contrast, shrinks.
        let before = try channelMeans(flat), after = try channelMeans(out)
        let castBefore = (before.max()! - before.min()!) / rangeBefore
        let castAfter = (after.max()! - after.min()!) / rangeAfter
        print("default on a flat cast image: range \(rangeBefore) -> \(rangeAfter), relative cast \(castBefore) -> \(castAfter)")
        #expect(castAfter < 0.5 * castBefore)
    }

    @Test func wellExposedNeutralImageChangesLittle() throws {
        // A neutral image already spanning the range with an even histogram.
        let ramp = try Tensor.linspace(0, 1, count: 64, dtype: .float64)
        let grey = try (ramp.reshape([1, 64]) * 0.7 + ramp.reshape([64, 1]) * 0.3).reshape([1, 1, 64, 64])
        let image = try grey.expand([1, 3, 64, 64]).contiguous()
        let out = try ClassicEnhancer()(image)
        let meanChange = try (out - image).abs().mean().item()
        let maxChange = try classicMaxDiff(out, image)
        print("default on a well-exposed neutral image: mean |change| \(meanChange), max \(maxChange)")
        #expect(meanChange < 0.03)
        #expect(maxChange < 0.15)
        // Neutral stays neutral: R = G = B.
        let r = try out.narrow(1, start: 0, length: 1), bl = try out.narrow(1, start: 2, length: 1)
        #expect(try classicMaxDiff(r, bl) < 1e-3)
    }

    @Test func mpsePresetEqualisesThenAppliesGamma() throws {
        // A dark, low-contrast night scene.
        let night = try castScene(cast: [1, 1, 1]) * 0.25
        let equalizeOnly = ClassicConfig(equalization: .global(.init(method: .discrete(levels: 256))))
        let equalized = try ClassicEnhancer(config: equalizeOnly)(night)
        let out = try ClassicEnhancer(config: .mpse)(night)
        #expect(try classicMaxDiff(out, equalized.pow(1 / 2.2)) < 1e-12)
        #expect(try out.mean().item() > 2 * night.mean().item())
        #expect(ClassicConfig.mpse.toneGamma == 2.2)
    }

    @Test(arguments: [1, 2]) func denoiseSmoothsFlatNoiseAndKeepsEdges(subsample: Int) throws {
        let step = try cat([Tensor.full([1, 1, 32, 16], 0.3, dtype: .float64), Tensor.full([1, 1, 32, 16], 0.7, dtype: .float64)], dim: 3)
        let noisy = try step + Tensor.randn([1, 1, 32, 32], dtype: .float64) * 0.01
        let out = try guidedFilter(noisy, radius: 2, eps: 4e-4, subsample: subsample)
        let flatBefore = try noisy.narrow(3, start: 2, length: 10).std(dims: [0, 1, 2, 3]).item()
        let flatAfter = try out.narrow(3, start: 2, length: 10).std(dims: [0, 1, 2, 3]).item()
        #expect(flatAfter < 0.5 * flatBefore)
        let edgeBefore = try (noisy.narrow(3, start: 17, length: 1) - noisy.narrow(3, start: 14, length: 1)).mean().item()
        let edgeAfter = try (out.narrow(3, start: 17, length: 1) - out.narrow(3, start: 14, length: 1)).mean().item()
        print("guided filter, subsample \(subsample): flat std \(flatBefore) -> \(flatAfter), edge \(edgeBefore) -> \(edgeAfter)")
        #expect(edgeAfter > 0.9 * edgeBefore)
    }

    @Test func sharpenThresholdLeavesSmallDetailAlone() throws {
        let noise = try Tensor.randn([1, 1, 24, 24], dtype: .float64) * 0.002 + 0.5
        let gated = try unsharpMask(noise, sigma: 1, amount: 1, threshold: 0.01)
        #expect(try gated.equal(noise))
        #expect(try !unsharpMask(noise, sigma: 1, amount: 1).equal(noise))
    }

    @Test func equalizationKeepsHue() throws {
        // Colour differences scale with luma, so each pixel's (R − Y′, B − Y′) keeps its direction.
        let image = try castScene(cast: [1.0, 0.8, 0.6]) * 0.6 + 0.1
        var config = ClassicConfig.identity
        config.equalization = .clahe(.init(strength: 1))
        let out = try ClassicEnhancer(config: config)(image)
        func differences(_ x: Tensor) throws -> (Tensor, Tensor) {
            let y = try x.narrow(1, start: 0, length: 1) * 0.2126 + x.narrow(1, start: 1, length: 1) * 0.7152
                + x.narrow(1, start: 2, length: 1) * 0.0722
            return try (x.narrow(1, start: 0, length: 1) - y, x.narrow(1, start: 2, length: 1) - y)
        }
        let (cr0, cb0) = try differences(image)
        let (cr1, cb1) = try differences(out)
        let unclipped = try out.amax(dims: [1], keepDim: true).lt(1) * out.amin(dims: [1], keepDim: true).gt(0)
        // sin of the angle between the two difference vectors, where nothing was clipped.
        let cross = try (cr1 * cb0 - cb1 * cr0).abs()
        let norms = try ((cr0.square() + cb0.square()) * (cr1.square() + cb1.square())).sqrt() + 1e-12
        let sine = try (cross / norms).maskedFill(unclipped.logicalNot(), 0).max().item()
        print("equalisation hue change: max |sin angle| \(sine)")
        #expect(sine < 1e-6)
        #expect(try classicMaxDiff(out, image) > 0.05)
    }

    @Test func gaussianBlurHandlesRadiiLargerThanTheImage() throws {
        // radius 8 on a 3 × 4 image: the border mirrors repeatedly, as scipy's reflect mode.
        let values = (0..<12).map { Double($0 * $0 % 7) / 7 }
        let image = try Tensor(values, shape: [1, 1, 3, 4])
        let sigma = 2.0, radius = 8
        let taps = (-radius...radius).map { exp(-0.5 / (sigma * sigma) * Double($0 * $0)) }
        let kernel = taps.map { $0 / taps.reduce(0, +) }
        func mirror(_ i: Int, _ n: Int) -> Int {
            var m = i % (2 * n)
            if m < 0 { m += 2 * n }
            return m < n ? m : 2 * n - 1 - m
        }
        var vertical = [Double](repeating: 0, count: 12), expected = vertical
        for y in 0..<3 { for x in 0..<4 { for k in -radius...radius { vertical[y * 4 + x] += kernel[k + radius] * values[mirror(y + k, 3) * 4 + x] } } }
        for y in 0..<3 { for x in 0..<4 { for k in -radius...radius { expected[y * 4 + x] += kernel[k + radius] * vertical[y * 4 + mirror(x + k, 4)] } } }
        let out = try gaussianBlur(image, sigma: sigma).toArray(Double.self)
        #expect(zip(out, expected).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func rejectsBadInput() throws {
        #expect(throws: TorchError.self) { try ClassicEnhancer()(Tensor.zeros([1, 1, 8, 8])) }
        #expect(throws: TorchError.self) { try ClassicEnhancer()(Tensor.zeros([3, 8, 8])) }
        #expect(throws: TorchError.self) { try ClassicEnhancer()(Tensor.zeros([1, 3, 8, 8], dtype: .uint8)) }
        #expect(throws: TorchError.self) { try equalizeAdaptHist(Tensor.zeros([8, 8]), kernelSize: [0, 4]) }
        #expect(throws: TorchError.self) { try contrastStretch(Tensor.zeros([8]), black: 0.5, white: 0.5) }
    }
}
