import DSLRMetrics
import DSLRTensor
import Foundation
import Testing
@testable import DSLRData

@Suite struct DegradeChainTests {
    /// A smooth test photo with edges and texture, [1, 3, 64, 80].
    func photo() throws -> Tensor {
        Torch.manualSeed(5)
        let ramp = try Tensor.linspace(0.1, 0.9, count: 80).reshape([1, 1, 1, 80]).expand([1, 3, 64, 80])
        let texture = try Tensor.rand([1, 3, 64, 80]) * 0.1
        return try (ramp * 0.9 + texture).clamp(min: 0, max: 1).contiguous()
    }

    @Test func chainsAreDrawnPerPhotoAndEndInJPEG() {
        let config = DegradationChainConfig(seed: 3)
        #expect(config.chain(index: 7) == config.chain(index: 7))
        let chains = (0..<400).map { config.chain(index: $0) }
        let untouched = chains.filter(\.isEmpty).count
        #expect((70...130).contains(untouched), "\(untouched) of 400 untouched, expected about 25 %")
        var exposed = 0
        for chain in chains where !chain.isEmpty {
            guard case .jpeg = chain.last! else { Issue.record("chain does not end in JPEG: \(chain)"); return }
            #expect((3...13).contains(chain.count))
            if case .exposure(let stops) = chain[0] { exposed += 1; #expect((-2...0.5).contains(stops)) }
            // Exposure, when drawn, leads; it never reappears later in the chain.
            #expect(!chain.dropFirst().contains { if case .exposure = $0 { true } else { false } })
        }
        let degraded = chains.count - untouched
        #expect(Double(exposed) / Double(degraded) > 0.75 && Double(exposed) / Double(degraded) < 0.95, "\(exposed) of \(degraded)")
        // The other steps' order differs between photos.
        let seconds = Set(chains.filter { $0.count > 2 }.map { String(describing: $0[1]).prefix(6) })
        #expect(seconds.count >= 5)
    }

    @Test func anEmptyChainKeepsThePhotoAndEveryStepStaysInRange() throws {
        let x = try photo()
        #expect(try (degrade(x, chain: []) - x).abs().max().item() == 0)
        let steps: [DegradationStep] = [
            .exposure(stops: 1.2), .colourCast(gains: [1.3, 1, 0.7]), .toneCompression(strength: 1.5),
            .localToneMapping(strength: 0.6, sigma: 10), .saturation(factor: 1.3),
            .noise(shot: 0.01, read: 0.01, chroma: 0.03, key: 9), .smear(sigma: 1.5, strength: 0.7),
            .sharpen(sigma: 1.2, amount: 2), .blur(sigma: 1), .resample(scale: 0.5), .jpeg(quality: 60),
        ]
        for step in steps {
            let y = try degrade(x, chain: [step])
            #expect(y.shape == x.shape, "\(step)")
            #expect(try y.min().item() >= 0 && y.max().item() <= 1, "\(step)")
            #expect(try (y - x).abs().mean().item() > 1e-3, "\(step) changed nothing")
        }
    }

    /// Local tone mapping flattens the large-scale brightness ramp while keeping most of the
    /// fine texture; over-sharpening raises the fine texture.
    @Test func toneMappingFlattensAndSharpeningAddsHalos() throws {
        let x = try photo()
        func rampRange(_ y: Tensor) throws -> Double {
            let columns = try y.mean(dims: [0, 1, 2])
            return try columns.max().item() - columns.min().item()
        }
        func texture(_ y: Tensor) throws -> Double {
            try (y - gaussianBlur(y, sigma: 2, truncate: 3, border: .mirror)).abs().mean().item()
        }
        let mapped = try degrade(x, chain: [.localToneMapping(strength: 0.7, sigma: 20)])
        #expect(try rampRange(mapped) < 0.75 * rampRange(x))
        #expect(try texture(mapped) > 0.6 * texture(x))
        let sharpened = try degrade(x, chain: [.sharpen(sigma: 1.5, amount: 2)])
        #expect(try texture(sharpened) > 1.5 * texture(x))
    }

    @Test func chromaNoiseLeavesLuminanceAlone() throws {
        let x = try Tensor.full([1, 3, 32, 32], 0.5)
        let y = try chromaNoise(x, amount: 0.03, key: 4)
        let weights = try Tensor([Float(0.299), 0.587, 0.114], shape: [1, 3, 1, 1])
        let luma = try (y * weights).sum(dims: [1])
        #expect(try (luma - 0.5).abs().max().item() < 1e-5)
        #expect(try (y - x).abs().max().item() > 0.01)
    }
}
