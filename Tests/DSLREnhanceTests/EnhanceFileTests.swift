import DSLRModels
import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

@testable import DSLREnhance

@Suite struct EnhanceFileTests {
    func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dslr-enhance-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A small DPED generator with weights large enough that its instance norms matter.
    func dpedModel(precision: Precision = .fp32) throws -> LoadedModel {
        Torch.manualSeed(3)
        let generator = try DPEDGenerator(channels: 8, weightInit: .normal(std: 0.15), biasInit: .normal(std: 0.05))
        generator.eval()
        let card = ModelCard(name: "tiny-dped", architecture: DPEDGenerator.architectureID, summary: "test")
        return try LoadedModel(entry: ModelEntry(card: card, weights: nil, origin: .file), network: generator,
                               precision: precision)
    }

    @Test func tiledFileEqualsUntiledFileWithin1Over255() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        Torch.manualSeed(5)
        let pixels = try gaussianBlur(Tensor.rand([1, 3, 90, 130]), sigma: 2).squeeze(0)
        try writePhoto(Photo(pixels: pixels), to: dir + "/in.png")
        let model = try dpedModel()
        _ = try enhanceFile(EnhanceJob(input: dir + "/in.png", output: dir + "/whole.png"), model: model,
                            tiling: TilingOptions(tile: 0))
        var tiles = 0
        _ = try enhanceFile(EnhanceJob(input: dir + "/in.png", output: dir + "/tiled.png"), model: model,
                            tiling: TilingOptions(tile: 40)) { _, total in tiles = total }
        #expect(tiles == 12 * (8 + 1))  // 3x4 tiles, 8 statistics passes and the final pass
        let whole = try readPhoto(dir + "/whole.png").pixels, tiled = try readPhoto(dir + "/tiled.png").pixels
        let worst = try (whole - tiled).abs().max().item()
        #expect(worst <= 1.0 / 255 + 1e-6)
        // The network really changed the photo, so equality above is not trivial.
        #expect(try (whole - pixels).abs().max().item() > 0.05)
    }

    @Test func sixteenBitsAndMetadataAreCarried() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pixels = try Tensor.rand([3, 20, 30])
        let xmp = Array("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"></x:xmpmeta>".utf8)
        try writePhoto(Photo(pixels: pixels, bitDepth: 16, metadata: PhotoMetadata(xmp: xmp)), to: dir + "/in.png")
        let size = try enhanceFile(EnhanceJob(input: dir + "/in.png", output: dir + "/sub/out.png"), model: try dpedModel(),
                                   tiling: TilingOptions())
        #expect(size.width == 30 && size.height == 20)
        let out = try readPhoto(dir + "/sub/out.png")
        #expect(out.bitDepth == 16)
        #expect(out.metadata.xmp != nil)
    }

    @Test func corruptInputIsAnErrorNamingItAndWritesNothing() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/bad.jpg", contents: Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16]))
        do {
            _ = try enhanceFile(EnhanceJob(input: dir + "/bad.jpg", output: dir + "/out.jpg"), model: try dpedModel(),
                                tiling: TilingOptions())
            Issue.record("a corrupt photo was enhanced")
        } catch let error as PhotoError {
            #expect(error.path == dir + "/bad.jpg")
            #expect(!error.description.contains("\n"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.jpg"))
    }

    @Test func bfloat16RunsAndStaysClose() throws {
        Torch.manualSeed(9)
        let image = try gaussianBlur(Tensor.rand([1, 3, 48, 64]), sigma: 2)
        let fp32 = try dpedModel().enhance(image, tiling: TilingOptions(tile: 32))
        let bf16 = try dpedModel(precision: .bf16).enhance(image, tiling: TilingOptions(tile: 32))
        #expect(bf16.dtype == .float32)
        // bf16 keeps 8 bits of mantissa: close on average, not equal.
        let mean = try (fp32 - bf16).abs().mean().item()
        print("bf16 vs fp32: mean abs difference \(mean), worst \(try (fp32 - bf16).abs().max().item())")
        #expect(mean < 0.02 && mean > 0)
    }
}
