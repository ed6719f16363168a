import DSLRLosses
import Foundation
import DSLRTensor
import Testing

/// DPED's losses against its own TensorFlow formulas (make_dped_losses_fixture.py), float64 on both
/// sides.
@Suite struct DPEDLossTests {
    let ref: Fixture
    init() throws { ref = try Fixture("dped_losses_reference") }

    @Test func blurKernelIsDPEDs() throws {
        let kernel = try Tensor(dpedBlurKernel(), shape: [21, 21])
        let err = try relativeMaxError(kernel, ref["blur_kernel"])
        print("DPED blur kernel relative error: \(err)")
        #expect(err < 1e-12)
        let blurred = try dpedBlur(ref["enhanced"])
        #expect(try relativeMaxError(blurred, ref["blur_enhanced"]) < 1e-12)
    }

    @Test(arguments: ["color", "tv"])
    func lossAndGradientMatchTensorFlow(_ name: String) throws {
        let loss = try makeLoss(LossSpec(name))
        let x = try ref["enhanced"].requiringGrad()
        let value = try loss(LossContext(output: x, target: ref["dslr"]))
        try value.backward()
        let valueErr = relativeError(try value.item(), try ref.scalar(name))
        let gradErr = try relativeMaxError(#require(try x.grad), ref[name + "_grad"])
        print("\(name) vs DPED TensorFlow: value \(valueErr), gradient \(gradErr)")
        #expect(valueErr < 1e-9)
        #expect(gradErr < 1e-9)
    }

    @Test func textureLossMatchesTensorFlow() throws {
        let p = try ref["probs"].requiringGrad()
        let value = try dpedTextureLoss(probabilities: p)
        try value.backward()
        #expect(relativeError(try value.item(), try ref.scalar("texture")) < 1e-12)
        #expect(try relativeMaxError(#require(try p.grad), ref["texture_grad"]) < 1e-12)
    }

    @Test func discriminatorLossMatchesTensorFlow() throws {
        let p = try ref["probs"]
        let fake = try dpedDiscriminatorLoss(probabilities: p, isReal: Tensor.zeros([2], dtype: .float64))
        let real = try dpedDiscriminatorLoss(probabilities: p, isReal: Tensor.ones([2], dtype: .float64))
        #expect(relativeError(try fake.item(), try ref.scalar("discrim_fake")) < 1e-12)
        #expect(relativeError(try real.item(), try ref.scalar("discrim_real")) < 1e-12)
        // The generator's texture loss is the negated discriminator loss on enhanced images.
        #expect(abs(try fake.item() + dpedTextureLoss(probabilities: p).item()) < 1e-12)
    }

    @Test func nonSaturatingDiscriminatorLossIsBinaryCrossEntropy() throws {
        let real = try Tensor([2.0, -1.0], shape: [2]), fake = try Tensor([0.5, -3.0], shape: [2])
        let value = try nonSaturatingDiscriminatorLoss(realLogits: real, fakeLogits: fake).item()
        // -mean log σ(real) - mean log(1 - σ(fake)), written out by hand.
        let sigmoid = { (x: Double) in 1 / (1 + exp(-x)) }
        let expected = -(log(sigmoid(2)) + log(sigmoid(-1))) / 2 - (log(1 - sigmoid(0.5)) + log(1 - sigmoid(-3))) / 2
        #expect(abs(value - expected) < 1e-12)
    }
}
