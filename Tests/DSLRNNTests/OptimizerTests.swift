import DSLRNN
import DSLRTensor
import Foundation
import Testing

/// The fixture's data and initial weights, loaded into a float64 MLP.
func referenceProblem() throws -> (model: MLP, x: Tensor, y: Tensor, reference: [String: Tensor]) {
    let (tensors, _) = try Checkpoint.load(fixture("adam_mlp.safetensors"))
    let reference = Dictionary(uniqueKeysWithValues: tensors)
    let model = try MLP()
    try model.move(to: .cpu, dtype: .float64)
    let initial = tensors.filter { $0.0.hasPrefix("init.") }.map { (String($0.0.dropFirst(5)), $0.1) }
    try model.load(initial)
    return (model, try #require(reference["x"]), try #require(reference["y"]), reference)
}

func trainStep(_ model: MLP, _ optimizer: inout Adam, _ x: Tensor, _ y: Tensor) throws -> Double {
    try optimizer.zeroGrad()
    let loss = try (model(x) - y).square().mean()
    try loss.backward()
    try optimizer.step()
    return try loss.item()
}

@Suite("Optimizers")
struct OptimizerTests {
    /// torch.optim.Adam / AdamW on the same weights and data give the same loss at every
    /// step and the same final weights.
    @Test(arguments: ["adam", "adam_l2", "adamw"])
    func matchesPyTorch(_ run: String) throws {
        let (model, x, y, reference) = try referenceProblem()
        var optimizer: Adam = switch run {
        case "adam": Adam(model.namedParameters(), learningRate: 1e-2)
        case "adam_l2": Adam(model.namedParameters(), learningRate: 1e-2, betas: (0.8, 0.99), eps: 1e-6, weightDecay: 0.05)
        default: Adam.adamW(model.namedParameters(), learningRate: 1e-2, weightDecay: 0.1)
        }
        let expected = try #require(reference["\(run).losses"]).toArray(Double.self)
        var losses: [Double] = []
        for _ in expected.indices { losses.append(try trainStep(model, &optimizer, x, y)) }
        var worst = 0.0
        for (a, b) in zip(losses, expected) { worst = max(worst, abs(a - b) / abs(b)) }
        #expect(worst < 1e-9, "worst relative loss difference \(worst)")
        for (name, p) in model.namedParameters() {
            let target = try #require(reference["\(run).final.\(name)"])
            #expect(try p.allClose(target, rtol: 1e-9, atol: 1e-12), "\(name)")
        }
        if run == "adam" {
            // The known end point of this problem: 300 Adam steps reach 8.18e-4.
            #expect(abs(losses.last! - 8.17773e-4) < 1e-8)
        }
    }

    /// Saving the optimizer and model mid-run and resuming in fresh objects continues
    /// bit-identically to a run that never stopped.
    @Test func resumeIsBitIdentical() throws {
        let dir = try temporaryDirectory()
        let (model, x, y, _) = try referenceProblem()
        var optimizer = Adam.adamW(model.namedParameters(), learningRate: 5e-3, weightDecay: 0.01)
        for _ in 0..<40 { _ = try trainStep(model, &optimizer, x, y) }
        let modelURL = dir.appendingPathComponent("model.safetensors")
        let optimizerURL = dir.appendingPathComponent("optimizer.safetensors")
        try model.save(to: modelURL)
        let state = try optimizer.stateDict()
        try Checkpoint.save(state.tensors, metadata: state.metadata, to: optimizerURL)
        for _ in 0..<40 { _ = try trainStep(model, &optimizer, x, y) }

        let (resumed, _, _, _) = try referenceProblem()
        try resumed.load(contentsOf: modelURL)
        var resumedOptimizer = Adam.adamW(resumed.namedParameters(), learningRate: 1, weightDecay: 0.01)
        let saved = try Checkpoint.load(optimizerURL)
        try resumedOptimizer.load(saved.tensors, metadata: saved.metadata)
        #expect(resumedOptimizer.learningRate == 5e-3)
        for _ in 0..<40 { _ = try trainStep(resumed, &resumedOptimizer, x, y) }

        for ((name, a), (_, b)) in zip(model.namedParameters(), resumed.namedParameters()) {
            #expect(try a.bytes() == b.bytes(), "\(name) differs after resume")
        }
        // And the restored state is really used: a fresh optimizer ends elsewhere.
        let (fresh, _, _, _) = try referenceProblem()
        try fresh.load(contentsOf: modelURL)
        var freshOptimizer = Adam.adamW(fresh.namedParameters(), learningRate: 5e-3, weightDecay: 0.01)
        for _ in 0..<40 { _ = try trainStep(fresh, &freshOptimizer, x, y) }
        #expect(try fresh.l1.weight.bytes() != model.l1.weight.bytes())
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func refusesStateOfAnotherModelOrOptimizer() throws {
        let (model, x, y, _) = try referenceProblem()
        var adam = Adam(model.namedParameters())
        _ = try trainStep(model, &adam, x, y)
        let state = try adam.stateDict()
        var adamW = Adam.adamW(model.namedParameters())
        #expect(throws: TorchError.self) { try adamW.load(state.tensors, metadata: state.metadata) }
        let other = try makeWrapper()
        var otherAdam = Adam(other.namedParameters())
        #expect(throws: TorchError.self) { try otherAdam.load(state.tensors, metadata: state.metadata) }
    }
}

@Suite("Learning-rate schedules")
struct ScheduleTests {
    @Test func stepDecay() {
        let s = StepDecaySchedule(base: 0.1, stepSize: 10, gamma: 0.5)
        #expect([0, 9, 10, 25].map(s.learningRate(at:)) == [0.1, 0.1, 0.05, 0.025])
    }

    @Test func cosine() {
        let s = CosineSchedule(base: 0.1, total: 100, minimum: 0.001)
        #expect(s.learningRate(at: 0) == 0.1)
        #expect(abs(s.learningRate(at: 50) - 0.0505) < 1e-15)
        #expect(abs(s.learningRate(at: 25) - (0.001 + 0.099 * (1 + cos(Double.pi / 4)) / 2)) < 1e-15)
        #expect(s.learningRate(at: 100) == 0.001)
        let warm = CosineSchedule(base: 1, total: 20, warmup: 4)
        #expect([0, 1, 3, 4].map(warm.learningRate(at:)) == [0.25, 0.5, 1, 1])
        #expect(ConstantSchedule(3e-4).learningRate(at: 12345) == 3e-4)
    }
}
