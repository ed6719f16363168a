import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLREnhance

@Suite struct ModelCardTests {
    /// A card written into a weights file comes back through the registry, the tensors stay
    /// bit for bit, and a card for another architecture is refused.
    @Test func cardIsWrittenIntoTheWeightsAndReadBack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dslr-card-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = folder.appendingPathComponent("plain.safetensors")
        let net = try CompactNet(width: 4, dilations: [1, 2])
        try Checkpoint.save(net.stateDict(), metadata: [architectureMetadataKey: CompactNet.architectureID], to: plain)
        #expect(try ModelRegistry.entry(forWeights: plain).card.name == "plain")

        var card = ModelCard(name: "mine", architecture: CompactNet.architectureID, summary: "a test model",
                             trainedOn: "nothing", recipe: "recipes/x.yaml", command: "dslr train x",
                             metrics: ["psnr": 30.5, "ssim": 0.9],
                             baselines: ["identity": ["psnr": 20, "ssim": 0.7], "classic": ["psnr": 21, "ssim": 0.72]],
                             evaluatedOn: "dped:d, test split, 3 image pairs", license: "MIT")
        let carded = folder.appendingPathComponent("carded.safetensors")
        try writeModelCard(card, weights: plain, to: carded)
        let entry = try ModelRegistry.entry(forWeights: carded)
        #expect(entry.card == card)
        let (a, b) = (try Checkpoint.load(plain), try Checkpoint.load(carded))
        #expect(a.tensors.map(\.0) == b.tensors.map(\.0))
        for ((_, x), (_, y)) in zip(a.tensors, b.tensors) { #expect(try x.equal(y)) }
        #expect(b.metadata[architectureMetadataKey] == CompactNet.architectureID)

        card.architecture = "dped-generator"
        #expect(throws: ModelError.self) { try writeModelCard(card, weights: plain, to: carded) }
        // The refused write left the earlier file whole.
        #expect(try ModelRegistry.entry(forWeights: carded).card.name == "mine")
    }
}
