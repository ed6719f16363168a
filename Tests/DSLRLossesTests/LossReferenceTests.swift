import DSLRLosses
import DSLRMetrics
import DSLRTensor
import Foundation
import Testing

/// Which tensor a case differentiates.
enum Wrt: Sendable { case output, reconstruction, big }

/// One registry loss checked against make_losses_fixture.py.
struct LossCase: Sendable, CustomStringConvertible {
    let key: String
    let spec: LossSpec
    var preprocessing: FeaturePreprocessing = .matconvnet
    var wrt: Wrt = .output
    /// The finite-difference step.
    var step = 1e-6
    var description: String { key }
}

let lossCases: [LossCase] = [
    LossCase(key: "l1", spec: LossSpec("l1")),
    LossCase(key: "mse", spec: LossSpec("mse")),
    LossCase(key: "charbonnier", spec: LossSpec("charbonnier", options: ["epsilon": .number(1e-3)])),
    LossCase(key: "ssim_pytorch", spec: LossSpec("ssim")),
    LossCase(key: "content_dped", spec: LossSpec("content", options: ["layers": .text("relu5_4")])),
    LossCase(key: "content_vgg16", spec: LossSpec("content", options: ["layers": .text("relu2_2, relu3_3")]), preprocessing: .imagenet),
    LossCase(key: "contextual", spec: LossSpec("contextual", options: ["layer": .text("conv4_2"), "bandwidth": .number(0.5)])),
    LossCase(key: "gram", spec: LossSpec("gram", options: ["layers": .text("relu2_2,relu3_3"), "weights": .text("1,0.5")]), preprocessing: .imagenet),
    LossCase(key: "texture_dped", spec: LossSpec("texture", options: ["form": .text("dped")])),
    LossCase(key: "texture_gan", spec: LossSpec("texture", options: ["form": .text("nonsaturating")])),
    LossCase(key: "cycle_l1", spec: LossSpec("cycle_l1"), wrt: .reconstruction),
    // The LAB loss's L1 term has ~10⁵ kinks on the big image; a smaller step crosses fewer.
    LossCase(key: "lab", spec: LossSpec("lab", options: ["alpha": .number(0.84)]), wrt: .big, step: 1e-8),
    LossCase(key: "ms_ssim", spec: LossSpec("ms_ssim"), wrt: .big),
]

/// The inputs of make_losses_fixture.py, and contexts over them.
struct LossInputs {
    let ref: Fixture
    let bigA: Tensor, bigB: Tensor

    init() throws {
        ref = try Fixture("losses_reference")
        let (h, w) = (170, 196)
        let smooth = try interpolate(ref["lo"], size: [h, w], mode: .bilinear(alignCorners: false))
        let tile = { (t: Tensor) throws -> Tensor in try t.repeated([1, 1, 7, 7]).narrow(2, start: 0, length: h).narrow(3, start: 0, length: w) }
        bigA = try (smooth * 0.8 + tile(ref["noise_a"]) * 0.2).clamp(min: 0, max: 1)
        bigB = try (bigA * 0.9 + tile(ref["noise_b"]) * 0.08 + 0.03).clamp(min: 0, max: 1)
    }

    /// The fixture's tiny discriminator: conv, leaky ReLU, global mean, linear (+ softmax for DPED).
    func discriminator(dped: Bool) throws -> (Tensor) throws -> Tensor {
        let conv = try ref["disc_conv"], head = try ref[dped ? "disc_dped" : "disc_gan"]
        return { gray in
            let hidden = try conv2d(gray, weight: conv, stride: [2, 2], padding: [1, 1]).leakyRelu(0.2).mean(dims: [2, 3])
            let logits = try matmul(hidden, head.transpose(0, 1))
            return dped ? try logits.softmax(dim: 1) : try logits.reshape([-1])
        }
    }

    /// The starting point of the differentiated tensor.
    func start(_ c: LossCase) throws -> Tensor {
        switch c.wrt {
        case .output: return try ref["output"]
        case .reconstruction: return try ref["reconstruction"]
        case .big: return bigA
        }
    }

    /// A context with `x` in the differentiated slot.
    func context(_ c: LossCase, _ x: Tensor) throws -> LossContext {
        if c.wrt == .big { return LossContext(output: x, target: bigB) }
        let vgg = FakeVGG(w1: try ref["w1"], w2: try ref["w2"], w3: try ref["w3"], preprocessing: c.preprocessing)
        return LossContext(
            output: c.wrt == .output ? x : try ref["output"], target: try ref["target"], input: try ref["input"],
            features: vgg, discriminator: try discriminator(dped: c.key == "texture_dped"),
            reconstruction: c.wrt == .reconstruction ? x : try ref["reconstruction"],
            // The fixture's Gram style reference is its target photo.
            styleReference: try ref["target"])
    }
}

@Suite struct LossReferenceTests {
    let inputs: LossInputs
    init() throws { inputs = try LossInputs() }

    @Test(arguments: lossCases)
    func valueAndGradientMatchPyTorch(_ c: LossCase) throws {
        let loss = try makeLoss(c.spec)
        let x = try inputs.start(c).requiringGrad()
        let value = try loss(inputs.context(c, x))
        try value.backward()
        let grad = try #require(try x.grad)
        let valueErr = relativeError(try value.item(), try inputs.ref.scalar(c.key))
        let gradErr: Double
        if c.wrt == .big {
            let pooled = try avgPool2d(grad, kernel: [10, 14])
            gradErr = max(try relativeMaxError(pooled, inputs.ref[c.key + "_grad_pooled"]),
                          relativeError(try grad.norm().item(), try inputs.ref.scalar(c.key + "_grad_norm")))
        } else {
            gradErr = try relativeMaxError(grad, inputs.ref[c.key + "_grad"])
        }
        print("\(c.key): value relative error \(valueErr), gradient relative error \(gradErr)")
        #expect(valueErr < 1e-6)
        #expect(gradErr < 1e-5)  // gradients are stored as float32
    }

    @Test(arguments: lossCases)
    func gradientMatchesFiniteDifferences(_ c: LossCase) throws {
        Torch.manualSeed(3)
        let loss = try makeLoss(c.spec)
        let x0 = try inputs.start(c)
        let f = { (x: Tensor) throws -> Double in try loss(self.inputs.context(c, x)).item() }
        let x = try x0.clone().requiringGrad()
        try loss(inputs.context(c, x)).backward()
        let grad = try #require(try x.grad)
        for _ in 0..<2 {
            let v = try Tensor.randn(x0.shape, dtype: .float64)
            let analytic = try (grad * v).sum().item()
            let numeric = try directionalDerivative(of: f, at: x0, along: v, eps: c.step)
            let err = abs(analytic - numeric) / max(abs(numeric), 1e-8)
            print("\(c.key): directional derivative relative error \(err)")
            #expect(abs(numeric) > 1e-8)
            #expect(err < 1e-5)
        }
    }

    @Test func skimageSSIMLossMatchesSkimage() throws {
        let loss = try makeLoss(LossSpec("ssim", options: ["convention": .text("skimage")]))
        let ctx = try inputs.context(lossCases[0], inputs.ref["output"])
        let err = relativeError(try loss(ctx).item(), try inputs.ref.scalar("ssim_skimage"))
        print("ssim (skimage) loss relative error: \(err)")
        #expect(err < 1e-9)
    }

    @Test(arguments: [DistillationForm.ppcn, .paper])
    func distillationMatchesPyTorch(_ form: DistillationForm) throws {
        let ref = inputs.ref
        let s0 = try ref["student0"].requiringGrad(), s1 = try ref["student1"].requiringGrad()
        let teacher = [try ref["teacher0"], try ref["teacher1"]]
        let loss = try makeLoss(LossSpec("kd", options: ["form": .text(form.rawValue)]))
        let value = try loss(LossContext(output: ref["output"], studentFeatures: [s0, s1], teacherFeatures: teacher))
        try value.backward()
        let key = "kd_\(form.rawValue)"
        let valueErr = relativeError(try value.item(), try ref.scalar(key))
        let gradErr = max(try relativeMaxError(#require(try s0.grad), ref[key + "_grad0"]),
                          try relativeMaxError(#require(try s1.grad), ref[key + "_grad1"]))
        print("\(key): value relative error \(valueErr), gradient relative error \(gradErr)")
        #expect(valueErr < 1e-9)
        #expect(gradErr < 1e-5)

        // Finite differences along a random direction of the first student map.
        Torch.manualSeed(9)
        let v = try Tensor.randn(s0.shape, dtype: .float64)
        let f = { (x: Tensor) throws -> Double in
            try knowledgeDistillationLoss(student: [x, ref["student1"]], teacher: teacher, form: form).item()
        }
        let numeric = try directionalDerivative(of: f, at: ref["student0"], along: v)
        let analytic = try (#require(try s0.grad) * v).sum().item()
        #expect(relativeError(analytic, numeric) < 1e-6)
    }
}
