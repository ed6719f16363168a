import DSLREnhance
import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRTrain

@Suite struct CompactNetTests {
    @Test func untrainedNetworkIsTheIdentity() throws {
        Torch.manualSeed(3)
        let net = try CompactNet(width: 8, dilations: [1, 2])
        let x = try Tensor.rand([2, 3, 20, 24])
        #expect(try net(x).equal(x))
    }

    @Test func defaultSizeAndRadius() throws {
        let net = try CompactNet()
        #expect(net.parameterCount < 2_500_000)
        #expect(net.parameterCount * 4 < 2_000_000)  // float32 weights under 2 MB
        #expect(net.receptiveRadius == 67)
        #expect(net.normLayerCount == 0)
    }

    /// The gradient of one output pixel reaches exactly `receptiveRadius` pixels of input on
    /// each side and no further.
    @Test func receptiveRadiusIsExact() throws {
        Torch.manualSeed(5)
        let net = try CompactNet(width: 4, dilations: [1, 2, 4])
        try withNoGrad { try net.convOut.weight.normal_(std: 0.3) }
        let r = net.receptiveRadius, side = 2 * r + 9, c = side / 2
        let x = try Tensor.rand([1, 3, side, side]).requiringGrad()
        try net(x).narrow(2, start: c, length: 1).narrow(3, start: c, length: 1).sum().backward()
        let g = try x.grad!.abs().sum(dims: [0, 1])
        let rows = try g.sum(dims: [1]).toArray(Float.self), cols = try g.sum(dims: [0]).toArray(Float.self)
        let touchedRows = rows.indices.filter { rows[$0] != 0 }, touchedCols = cols.indices.filter { cols[$0] != 0 }
        #expect(touchedRows.first == c - r && touchedRows.last == c + r)
        #expect(touchedCols.first == c - r && touchedCols.last == c + r)
    }

    /// Rebuilt from its state dict through the architecture table, and run in tiles, the
    /// network gives exactly its untiled output.
    @Test func buildsFromWeightsAndTilesExactly() throws {
        Torch.manualSeed(6)
        let net = try CompactNet(width: 4, dilations: [1, 3])
        try withNoGrad { for p in net.parameters() { try p.normal_(std: 0.2) } }
        let rebuilt = try Architectures.build(CompactNet.architectureID, state: net.stateDict(), source: "test")
        #expect(rebuilt.receptiveRadius == net.receptiveRadius)
        let x = try Tensor.rand([1, 3, 45, 52])
        let whole = try withNoGrad { try net.enhance(x, norms: nil) }
        let tiled = try runTiled(x, network: rebuilt, options: TilingOptions(tile: 16))
        #expect(try (tiled - whole).abs().max().item() <= 1e-6)
    }
}

@Suite struct PrecisionTests {
    @Test func lossScalerSkipsOverflowAndGrows() throws {
        var scaler = LossScaler(scale: 1024, growthInterval: 2)
        let g1 = try Tensor([Float(2), 4], shape: [2]), bad = try Tensor([Float.infinity, 1], shape: [2])
        #expect(try !scaler.unscale([g1, bad]))
        #expect(scaler.scale == 512 && scaler.goodSteps == 0)
        #expect(try g1.toArray(Float.self) == [2, 4])  // untouched when skipped
        #expect(try scaler.unscale([g1]))
        #expect(try g1.toArray(Float.self) == [2.0 / 512, 4.0 / 512])
        #expect(scaler.scale == 512 && scaler.goodSteps == 1)
        #expect(try scaler.unscale([try Tensor([Float(1)], shape: [1])]))
        #expect(scaler.scale == 1024 && scaler.goodSteps == 0)
        let nan = try Tensor([Float.nan], shape: [1])
        #expect(try !scaler.unscale([nan]))
        #expect(scaler.scale == 512)
    }

    /// fp16 on a tiny model: a huge scale overflows the fp16 gradients, so the step is skipped
    /// and the scale halved each time until the gradients fit; then the master weights (float32) move.
    @Test func fp16StepsSkipUntilTheScaleFits() throws {
        Torch.manualSeed(8)
        let side = try TrainedSide(
            name: "generator",
            make: { try makeNetwork(NetworkSpec(architecture: "dslrkit-compact", options: ["width": .number(4), "dilations": .text("1")]), section: "generator", role: .enhancer) },
            optimizer: OptimizerSpec(lr: 0.01), schedule: ConstantSchedule(0.01), device: .cpu, precision: .fp16)
        side.scaler = LossScaler(scale: 1e9, growthInterval: 1000)
        let weights = side.master.module.parameters()
        #expect(weights.allSatisfy { $0.dtype == .float32 })
        let before = try weights.map { try $0.clone() }
        let x = try Tensor.rand([2, 3, 8, 8]), y = try (x * 0.5 + 0.2)
        var skipped = 0
        for _ in 0..<60 {
            try side.begin()
            let out = try side.forward(x)
            #expect(out.dtype == .float32)
            try side.backward(try (out - y).abs().mean())
            if try side.step(iteration: 0, hook: nil) { break }
            skipped += 1
        }
        #expect(skipped > 0, "\(skipped)")
        #expect(side.scaler!.scale == 1e9 * Foundation.pow(0.5, Double(skipped)))
        #expect(try zip(before, weights).contains { try !$0.equal($1) })
        #expect(weights.allSatisfy { $0.dtype == .float32 })
    }

    @Test func bf16RunKeepsFloat32MasterWeights() throws {
        let folder = try temporaryFolder("bf16")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try tinyDataset(in: folder, train: 4, test: 1)
        var recipe = try tinyRecipe(dataset: data, iterations: 2, checkpointEvery: 2)
        recipe.precision = .bf16
        let trainer = try Trainer.evaluating(recipe: recipe, run: RunFolder(folder.appendingPathComponent("run")))
        let before = try trainer.generator.master.module.parameters().map { try $0.clone() }
        try trainer.train()
        let after = trainer.generator.master.module.parameters()
        #expect(after.allSatisfy { $0.dtype == .float32 })
        #expect(try zip(before, after).contains { try !$0.equal($1) })
    }

    @Test func cudaFailsClearlyWhenAbsent() throws {
        guard !Torch.cudaAvailable else { return }
        #expect {
            try trainingDevice("cuda")
        } throws: { error in
            (error as? RecipeError)?.message.hasPrefix("device 'cuda': CUDA is not available") == true
        }
    }
}
