import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRModels

@Suite struct DPEDPlusTests {
    /// Every variant keeps the photo's size and gives RGB.
    @Test func outputKeepsThePhotosSize() throws {
        Torch.manualSeed(3)
        let x = try Tensor.rand([2, 3, 23, 31])
        for separable in ["true", "false"] {
            for norm in ["instance", "batch"] {
                let net = try DPEDPlus.architecture.build(
                    ["channels": .number(8), "separable": .text(separable), "norm": .text(norm)])
                net.module.eval()
                #expect(try withNoGrad { try net(x) }.shape == [2, 3, 23, 31])
                #expect(net.receptiveRadius == 18)
                #expect(net.normLayerCount == (norm == "instance" ? 8 : 0))
            }
        }
    }

    /// Trainable parameters counted from the layer list: the full 9×9 input layer, ten 3×3
    /// layers (eight in the blocks, two after them), the 9×9 output layer, eight norms of a
    /// scale and a shift each. A separable k×k layer i→o has k²·i depthwise weights (no bias)
    /// and i·o + o pointwise ones; a full one k²·i·o + o.
    @Test func parameterCountsFollowTheLayerList() throws {
        func full(_ i: Int, _ o: Int, _ k: Int) -> Int { k * k * i * o + o }
        func separable(_ i: Int, _ o: Int, _ k: Int) -> Int { k * k * i + i * o + o }
        for c in [8, 64] {
            for norm in DPEDPlusNormKind.allCases {
                let norms = 8 * 2 * c
                let expectSeparable = full(3, c, 9) + 10 * separable(c, c, 3) + separable(c, 3, 9) + norms
                let expectFull = full(3, c, 9) + 10 * full(c, c, 3) + full(c, 3, 9) + norms
                let s = try DPEDPlus(channels: c, separable: true, norm: norm)
                let f = try DPEDPlus(channels: c, separable: false, norm: norm)
                #expect(s.parameters().reduce(0) { $0 + $1.count } == expectSeparable)
                #expect(f.parameters().reduce(0) { $0 + $1.count } == expectFull)
            }
        }
        // The thesis's width: 5.8 times fewer parameters.
        #expect(full(3, 64, 9) + 10 * separable(64, 64, 3) + separable(64, 3, 9) + 1024 == 69_379)
        #expect(full(3, 64, 9) + 10 * full(64, 64, 3) + full(64, 3, 9) + 1024 == 401_475)
        // Batch norms also save their running statistics (not trained).
        let batch = try DPEDPlus(channels: 8, norm: .batch)
        #expect(batch.stateDict().filter { $0.0.hasSuffix("running_mean") }.count == 8)
    }

    /// A separable layer is the full convolution with the factorised kernel
    /// W[o, i, :, :] = P[o, i] · D[i, :, :] and the pointwise bias.
    @Test func separableLayerEqualsTheFactorisedFullConvolution() throws {
        Torch.manualSeed(5)
        for (i, o, k) in [(6, 5, 3), (4, 3, 9)] {
            let layer = try SeparableConv2d(i, o, kernel: k, padding: .same, weightInit: .normal(std: 0.3), biasInit: .normal(std: 0.3))
            let d = try layer.depthwise.weight.reshape([1, i, k, k])
            let p = try layer.pointwise.weight.reshape([o, i, 1, 1])
            let w = try p * d
            #expect(w.shape == [o, i, k, k])
            let x = try Tensor.rand([2, i, 17, 13])
            let reference = try conv2d(x, weight: w, bias: layer.pointwise.bias, padding: [k / 2, k / 2])
            let got = try withNoGrad { try layer(x) }
            #expect(try maxAbsDiff(got, reference) < 1e-5)
            // Not vacuous: the spatially flipped kernel (convolution instead of correlation)
            // gives something else.
            let swapped = try conv2d(x, weight: p * d.flip([2, 3]), bias: layer.pointwise.bias, padding: [k / 2, k / 2])
            #expect(try maxAbsDiff(got, swapped) > 1e-3)
        }
    }

    /// Every activation has slope 0.005 for negative inputs. All weights zero except: the
    /// input layer's bias −1, so its output is lrelu(−1) = −0.005; the two middle layers pass
    /// each channel ×100 (depthwise centre tap 1, pointwise 100·I); the output layer sums the
    /// channels ×100/C. The residual blocks, with zero kernels, add lrelu(norm(0)) = 0. So the
    /// output is 0.5 + 0.58 tanh(100 · s(100 · s(100 · s · −1))) with s = 0.005: 0.4279, where
    /// ReLU gives 0.5 and slope 0.01 gives 0.058.
    @Test func negativeInputsKeepSlope0005() throws {
        let c = 4
        let net = try DPEDPlus(channels: c)
        try withNoGrad {
            for p in try net.parameters() { try p.zero_() }
            try net.convIn.bias!.fill_(-1)
            let centre = try Tensor((0..<(c * 9)).map { Float($0 % 9 == 4 ? 1 : 0) }, shape: [c, 1, 3, 3])
            for conv in net.convMid {
                try conv.separable!.depthwise.weight.copy_(centre)
                try conv.separable!.pointwise.weight.copy_(Tensor.eye(c).reshape([c, c, 1, 1]) * 100)
            }
            let outCentre = try Tensor((0..<(c * 81)).map { Float($0 % 81 == 40 ? 1 : 0) }, shape: [c, 1, 9, 9])
            try net.convOut.separable!.depthwise.weight.copy_(outCentre)
            try net.convOut.separable!.pointwise.weight.fill_(100 / Double(c))
        }
        net.eval()
        let y = try withNoGrad { try net(Tensor.rand([1, 3, 12, 12])) }
        let s = DPEDPlus.slope
        let expected = 0.5 + 0.58 * Foundation.tanh(100 * s * (100 * s * (100 * s * -1)))
        #expect(abs(expected - 0.4279) < 1e-4)
        #expect(try (y - expected).abs().max().item() < 1e-5)
    }

    /// Loading a separable network's weights into a full one fails by name, not silently.
    @Test func separableAndFullWeightsDoNotMix() throws {
        let s = try DPEDPlus.architecture.build(["channels": .number(4)])
        let f = try DPEDPlus.architecture.build(["channels": .number(4), "separable": .text("false")])
        #expect(throws: (any Error).self) { try f.module.load(s.module.stateDict(), strict: true, source: "s.safetensors") }
        #expect(throws: OptionError("architecture 'dped-plus': option 'norm' must be one of instance, batch, got \"layer\"")) {
            try DPEDPlus.architecture.build(["norm": .text("layer")])
        }
    }

    @Test func tiledDPEDPlusEqualsUntiled() throws {
        // Separable kernels multiply two factors, so their pointwise draws are larger than DPED's test's.
        Torch.manualSeed(12)
        let net = try DPEDPlus(channels: 16, depthwiseInit: .normal(std: 0.25), weightInit: .normal(std: 0.25), biasInit: .normal(std: 0.05))
        try expectTiledEqualsUntiled("DPED+", radius: net.receptiveRadius, normLayerCount: net.normLayerCount) {
            try net($0, norms: $1)
        }
    }
}
