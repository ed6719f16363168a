import DSLRLosses
import DSLRTensor
import Foundation
import Testing

@Suite struct RegistryTests {
    @Test func everyDocumentedLossIsRegistered() {
        let names: Set<String> = ["l1", "mse", "charbonnier", "color", "tv", "ssim", "ms_ssim", "lab", "content",
                                  "contextual", "texture", "kd", "gram", "cycle_l1"]
        #expect(Set(lossRegistry.keys) == names)
    }

    @Test func specsDecodeFromJSON() throws {
        let json = #"[{"name": "color", "weight": 0.5}, {"name": "lab", "options": {"alpha": 0.3}}, {"name": "content", "weight": 10, "options": {"layers": "relu5_4"}}]"#
        let specs = try JSONDecoder().decode([LossSpec].self, from: Data(json.utf8))
        #expect(specs == [LossSpec("color", weight: 0.5), LossSpec("lab", options: ["alpha": .number(0.3)]),
                          LossSpec("content", weight: 10, options: ["layers": .text("relu5_4")])])
        let roundTrip = try JSONDecoder().decode([LossSpec].self, from: JSONEncoder().encode(specs))
        #expect(roundTrip == specs)
    }

    @Test func badConfigurationsAreRejectedWithTheirReason() throws {
        #expect(throws: LossError.self) { try makeLoss(LossSpec("perceptual")) }
        #expect(throws: LossError("loss 'l1': unknown option(s) alpha")) { try makeLoss(LossSpec("l1", options: ["alpha": .number(1)])) }
        #expect(throws: LossError("loss 'charbonnier': option 'epsilon' must be a number, got \"small\"")) {
            try makeLoss(LossSpec("charbonnier", options: ["epsilon": .text("small")]))
        }
        #expect(throws: LossError.self) { try makeLoss(LossSpec("texture", options: ["form": .text("wgan")])) }
        #expect(throws: LossError.self) { try makeLoss(LossSpec("lab", options: ["alpha": .number(1.5)])) }
        #expect(throws: LossError.self) { try makeLoss(LossSpec("gram", options: ["layers": .text("a,b"), "weights": .text("1")])) }
    }

    @Test func missingContextIsNamed() throws {
        let x = try Tensor.rand([1, 3, 16, 16], dtype: .float64)
        let ctx = LossContext(output: x)
        #expect(throws: LossError("loss 'l1' needs a target in its context")) { try makeLoss(LossSpec("l1"))(ctx) }
        let withTarget = LossContext(output: x, target: x)
        #expect(throws: LossError("loss 'content' needs a feature extractor in its context")) { try makeLoss(LossSpec("content"))(withTarget) }
        #expect(throws: LossError("loss 'texture' needs a discriminator in its context")) { try makeLoss(LossSpec("texture"))(withTarget) }
        #expect(throws: LossError.self) { try makeLoss(LossSpec("cycle_l1"))(withTarget) }
        #expect(throws: LossError.self) { try makeLoss(LossSpec("kd"))(withTarget) }
    }

    @Test func evaluateSumsWeightedPartsAndReportsEach() throws {
        Torch.manualSeed(1)
        let x = try Tensor.rand([2, 3, 16, 16], dtype: .float64), y = try Tensor.rand([2, 3, 16, 16], dtype: .float64)
        let losses = try [LossSpec("l1", weight: 2), LossSpec("tv", weight: 0.5)].map(makeLoss)
        let (total, parts) = try evaluate(losses, LossContext(output: x, target: y))
        let l1 = try l1Loss(x, y).item(), tv = try totalVariationLoss(x).item()
        #expect(parts == ["l1": l1, "tv": tv])
        #expect(abs(try total.item() - (2 * l1 + 0.5 * tv)) < 1e-12)
    }

    @Test func extractorMissingALayerIsAnError() throws {
        let w1 = try Tensor.randn([8, 3, 3, 3], dtype: .float64), w = try Tensor.randn([8, 8, 3, 3], dtype: .float64)
        let vgg = FakeVGG(w1: w1, w2: w, w3: w, preprocessing: .none)
        let x = try Tensor.rand([1, 3, 8, 8], dtype: .float64)
        let loss = try makeLoss(LossSpec("content", options: ["layers": .text("relu9_9")]))
        #expect(throws: LossError("feature extractor returned no layer 'relu9_9'")) {
            try loss(LossContext(output: x, target: x, features: vgg))
        }
    }
}
