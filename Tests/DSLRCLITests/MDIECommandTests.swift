import DSLRModels
import DSLRNN
import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

/// `dslr enhance --pipeline mdie`, run as a user runs it.
@Suite(.enabled(if: dslr != nil, "dslr is not built beside the tests"))
struct MDIECommandTests {
    /// DSLRPhotoTests' photo with EXIF (camera "Fixture camera") and orientation 6.
    let photo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DSLRPhotoTests/Fixtures/orient6.jpg").path

    /// A tiny `mdie` network whose translator changes its input, written as `dslr train` would.
    func mdieFile(in folder: String) throws -> String {
        Torch.manualSeed(9)
        let net = try MDIENetwork.architecture.build(["intrinsic_width": .number(4), "width": .number(4), "blocks": .number(1),
                                                      "residual": .text("false")])
        // Batch norms' running statistics away from their start, so every part shapes the result.
        try withNoGrad {
            for (name, p) in net.module.stateDict() {
                if name.hasSuffix("running_var") { try p.copy_(Tensor.rand(p.shape) * 0.5 + 0.5) }
                else if name.hasSuffix("running_mean") { try p.copy_(Tensor.randn(p.shape) * 0.1) }
            }
        }
        let path = folder + "/mdie.safetensors"
        try Checkpoint.save(net.module.stateDict(), metadata: net.metadata, to: URL(fileURLWithPath: path))
        return path
    }

    @Test func domainsChangeTheResultAndTheMetadataStays() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = try mdieFile(in: folder)
        var results: [Tensor] = []
        for domains in [nil, "color", "noise,texture"] {
            let output = folder + "/out-\(domains ?? "all").jpg"
            let outcome = try runDSLR(["enhance", photo, "-o", output, "--pipeline", "mdie", "--model", model]
                                      + (domains.map { ["--domains", $0] } ?? []), in: folder)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let input = try readPhoto(photo), result = try readPhoto(output)
            #expect(result.width == input.width && result.height == input.height)
            #expect(String(decoding: try #require(result.metadata.exif), as: UTF8.self).contains("Fixture camera"))
            results.append(result.pixels)
        }
        let spread = try results[0].std(dims: [0, 1, 2]).item()
        #expect(spread > 0.005)
        // Visible after JPEG rounding (1/255).
        #expect(try (results[0] - results[1]).abs().max().item() > 0.008)
        #expect(try (results[1] - results[2]).abs().max().item() > 0.008)
    }

    @Test func carelessPipelineArgumentsAreOneLine() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = try mdieFile(in: folder)
        let out = folder + "/out.jpg"
        let cases: [([String], String)] = [
            (["--pipeline", "mdie"], "Error: --pipeline mdie needs --model: an mdie network (trained by recipes/mdie-intrinsic.yaml, then recipes/mdie-stargan.yaml)"),
            (["--pipeline", "mdie", "--model", model, "--domains", "color,sharpness"],
             "Error: --domains: unknown domain 'sharpness' (known: color, texture, noise)"),
            (["--domains", "color"], "Error: --domains belongs to --pipeline mdie"),
            (["--pipeline", "mdie", "--model", "classic"], "Error: --pipeline mdie: model 'classic' is a classic network, not an mdie one"),
            (["--pipeline", "mdei"], "Error: --pipeline must be mpse or mdie"),
        ]
        for (arguments, message) in cases {
            let outcome = try runDSLR(["enhance", photo, "-o", out] + arguments, in: folder)
            #expect(outcome.status != 0, "\(arguments)")
            #expect(outcome.errorLines.first == message, "\(arguments): \(outcome.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
