import DSLRLosses
import DSLRTensor
import Foundation
import Testing

/// MPSE's semantic style loss and enhancement factors against make_mpse_fixture.py.
@Suite struct RegionStyleLossTests {
    let ref: Fixture
    let vgg: FakeVGG
    let layers = ["relu2_2", "relu3_3", "relu5_4"]

    init() throws {
        ref = try Fixture("mpse_reference")
        vgg = FakeVGG(w1: try ref["w1"], w2: try ref["w2"], w3: try ref["w3"], preprocessing: .none)
    }

    func loss(_ x: Tensor, factors: Tensor) throws -> Tensor {
        let fo = try vgg.features(x, layers: layers)
        let fr = try vgg.features(ref["reference"], layers: layers)
        return try regionGramStyleLoss(
            output: layers.map { fo[$0]! }, reference: layers.map { fr[$0]! },
            outputMasks: ref["output_masks"], referenceMasks: ref["reference_masks"], factors: factors)
    }

    @Test func factorsMatchPyTorch() throws {
        let factors = try enhancementFactors(areas: ref["areas"], importance: ref["importance"])
        let err = try (factors - ref["factors"]).abs().max().item()
        print("enhancement factors: max abs error \(err)")
        #expect(err < 1e-12)
        // The absent region of layer 1 gets nothing; each layer's factors sum to its region count.
        #expect(try factors[1, 0] == 0)
        let sums = try factors.sum(dims: [1]).toArray(Double.self)
        #expect(abs(sums[0] - 3) < 1e-12 && abs(sums[1] - 2) < 1e-12 && abs(sums[2] - 3) < 1e-12)
    }

    @Test func valueAndGradientMatchPyTorch() throws {
        let factors = try enhancementFactors(areas: ref["areas"], importance: ref["importance"])
        let x = try ref["output"].requiringGrad()
        let value = try loss(x, factors: factors)
        try value.backward()
        let grad = try #require(try x.grad)
        let valueErr = relativeError(try value.item(), try ref.scalar("region_style"))
        let gradErr = try relativeMaxError(grad, ref["region_style_grad"])
        print("region style: value relative error \(valueErr), gradient relative error \(gradErr)")
        #expect(valueErr < 1e-6)
        #expect(gradErr < 1e-5)
    }

    @Test func oneWholeRegionIsTheAreaNormalisedGramLoss() throws {
        // With a single all-ones region, the region loss is gramStyleLoss with Gatys' H·W normalisation.
        let x = try ref["output"], r = try ref["reference"]
        let fo = try vgg.features(x, layers: layers), fr = try vgg.features(r, layers: layers)
        let region = try regionGramStyleLoss(
            output: layers.map { fo[$0]! }, reference: layers.map { fr[$0]! },
            outputMasks: Tensor.ones([1, 16, 20], dtype: .float64), referenceMasks: Tensor.ones([1, 12, 14], dtype: .float64),
            factors: Tensor.ones([3, 1], dtype: .float64)).item()
        let whole = try gramStyleLoss(x, reference: r, extractor: vgg, layers: layers, normalizeGram: true).item()
        #expect(relativeError(region, whole) < 1e-10)
    }

    @Test func mismatchedShapesAreRefused() throws {
        let f = try Tensor.rand([1, 4, 5, 5])
        #expect(throws: LossError.self) {
            try regionGramStyleLoss(output: [f], reference: [f], outputMasks: Tensor.ones([2, 5, 5]),
                                    referenceMasks: Tensor.ones([3, 5, 5]), factors: Tensor.ones([1, 2]))
        }
    }
}

private extension Tensor {
    subscript(_ i: Int, _ j: Int) -> Double {
        get throws { try select(0, i).select(0, j).item() }
    }
}
