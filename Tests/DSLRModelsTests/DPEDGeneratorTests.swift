import DSLRImport
import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRModels

/// Fixtures of scripts/fixtures/make_dped_fixture.py (TensorFlow 2.21, DPED's graph).
enum DPEDFixture {
    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            throw TorchError("fixture \(name) is missing")
        }
        return url
    }

    /// The prefix of checkpoint `name` in Fixtures/`folder`.
    static func prefix(_ folder: String, _ name: String) throws -> String {
        String(try url("\(folder)/\(name).index").path.dropLast(".index".count))
    }

    /// The reference tensors (inputs, TensorFlow outputs, raw variables), by name.
    static func reference() throws -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: try Checkpoint.load(url("dped_reference.safetensors")).tensors)
    }

    static func generator() throws -> DPEDGenerator {
        try importDPEDGenerator(fromTFCheckpoint: prefix("dped_tf", "dped_generator"))
    }
}

func maxAbsDiff(_ a: Tensor, _ b: Tensor) throws -> Double {
    try (a.to(.float64) - b.to(.float64)).abs().max().item()
}

@Test func importedGeneratorMatchesTensorFlow() throws {
    let reference = try DPEDFixture.reference()
    let generator = try DPEDFixture.generator()
    let input = try #require(reference["generator_input"])
    #expect(input.shape == [1, 3, 29, 37])
    let output = try withNoGrad { try generator(input) }
    let expected = try #require(reference["generator_output"])
    #expect(output.shape == expected.shape)
    let error = try maxAbsDiff(output, expected)
    print("DPED generator vs TensorFlow: max abs error \(error)")
    #expect(error < 1e-4)
    // Not a degenerate comparison: the output spreads over tanh's range.
    #expect(try expected.max().item() - expected.min().item() > 0.8)
}

@Test func checkpointHoldsExactlyTheValuesTensorFlowWrote() throws {
    let reference = try DPEDFixture.reference()
    let checkpoint = try TFCheckpoint(prefix: DPEDFixture.prefix("dped_tf", "dped_generator"))
    #expect(checkpoint.entries.count == 40)
    #expect(try checkpoint.tensor(named: "generator/b12").equal(#require(reference["tf/generator/b12"])))
    #expect(try checkpoint.tensor(named: "generator/Variable_3").equal(#require(reference["tf/generator/Variable_3"])))
    let w2 = try checkpoint.tensor(named: "generator/W2")
    #expect(w2.shape == [3, 3, 64, 64])
    #expect(try w2.select(0, 0).select(0, 1).equal(#require(reference["tf/generator/W2[0,1]"])))
}

/// TF kernels are HWIO, ours OIHW; DPED's 4th unnamed variable is block 0's second norm scale.
@Test func importRearrangesKernelsAndNamesNorms() throws {
    let reference = try DPEDFixture.reference()
    let generator = try DPEDFixture.generator()
    let tap = try generator.blocks[0].conv1.weight.select(2, 0).select(2, 1)  // [out, in]
    #expect(try tap.equal(#require(reference["tf/generator/W2[0,1]"]).transpose(0, 1)))
    #expect(try generator.blocks[0].norm2.scale.equal(#require(reference["tf/generator/Variable_3"])))
    #expect(try generator.convOut.bias!.equal(#require(reference["tf/generator/b12"])))
}

/// The imported state dict is complete: saved and loaded into a fresh generator, it gives
/// the same output.
@Test func importedGeneratorSurvivesSafetensorsRoundTrip() throws {
    let reference = try DPEDFixture.reference()
    let input = try #require(reference["generator_input"])
    let imported = try DPEDFixture.generator()
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dped-\(UUID().uuidString).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    try imported.save(to: url, metadata: ["dslrkit.architecture": DPEDGenerator.architectureID])
    let fresh = try DPEDGenerator(weightInit: .constant(0), biasInit: .constant(0))
    try fresh.load(contentsOf: url)
    #expect(try Checkpoint.load(url).metadata == ["dslrkit.architecture": "dped-generator"])
    let (a, b) = try withNoGrad { (try fresh(input), try imported(input)) }
    #expect(try a.equal(b))
}

@Test func nonDPEDCheckpointIsRefusedWithEverythingThatDiffers() throws {
    let prefix = try DPEDFixture.prefix("not_dped", "not_dped")
    let error = try #require(throws: DPEDImportError.self) { try importDPEDGenerator(fromTFCheckpoint: prefix) }
    #expect(error.source == prefix)
    // W1 has the wrong shape, b1 is right, W99 is foreign; W1/Adam (a slot) and
    // discriminator/Variable (another scope) are ignored; the other 38 are missing.
    #expect(error.shapeMismatches.map(\.name) == ["generator/W1"])
    #expect(error.shapeMismatches.first?.found == [3, 3, 3, 16])
    #expect(error.shapeMismatches.first?.expected == [9, 9, 3, 64])
    #expect(error.unexpected == ["generator/W99"])
    #expect(error.missing.count == 38)
    #expect(error.missing.first.map { "\($0.name) \($0.shape)" } == "generator/W2 [3, 3, 64, 64]")
    #expect(error.description.hasPrefix("\(prefix): not a DPED generator checkpoint: missing generator/W2 [3, 3, 64, 64], generator/b2 [64], "))
    #expect(error.description.hasSuffix("; unexpected generator/W99; generator/W1 is [3, 3, 3, 16], expected [9, 9, 3, 64]"))
}

/// A checkpoint of some other network: the message says what it holds instead of listing
/// all 40 missing names.
@Test func unrelatedCheckpointIsRefusedWithWhatItHolds() throws {
    let generator = try DPEDGenerator(weightInit: .constant(0))
    let shapes = ["encoder/kernel": [3, 3, 2, 4], "encoder/bias": [4]]
    let error = try #require(throws: DPEDImportError.self) { try generator.checkTFVariables(shapes, source: "other.ckpt") }
    #expect(error.missing.count == 40)
    #expect(error.description == "other.ckpt: not a DPED generator checkpoint: none of its 40 variables (generator/W1, ...) is present; it holds encoder/bias, encoder/kernel")
}

@Test func generatorHasDPEDsLayoutAndInitialisation() throws {
    Torch.manualSeed(7)
    let generator = try DPEDGenerator()
    #expect(generator.parameterCount == 401_475)
    #expect(generator.receptiveRadius == 18)
    #expect(DPEDGenerator.normLayerCount == 8)
    let names = generator.namedParameters().map(\.0)
    #expect(names.count == 40)
    #expect(Array(names.prefix(7)) == [
        "conv_in.weight", "conv_in.bias", "blocks.0.conv1.weight", "blocks.0.conv1.bias",
        "blocks.0.norm1.scale", "blocks.0.norm1.shift", "blocks.0.conv2.weight",
    ])
    #expect(Array(names.suffix(4)) == ["conv_mid.1.weight", "conv_mid.1.bias", "conv_out.weight", "conv_out.bias"])
    #expect(Set(generator.tfVariables.map(\.name)) == Set(names))
    for (name, t) in generator.namedParameters() {
        if name.hasSuffix(".bias") {
            #expect(try t.eq(0.01).all(), "\(name)")
        } else if name.hasSuffix(".scale") {
            #expect(try t.eq(1).all(), "\(name)")
        } else if name.hasSuffix(".shift") {
            #expect(try t.eq(0).all(), "\(name)")
        } else {
            // Truncated normal, σ 0.01 before truncation at 2σ (σ ≈ 0.0088 after).
            #expect(try t.abs().max().item() <= 0.02, "\(name)")
            let std = try t.std(dims: [0, 1, 2, 3]).item()
            #expect(abs(std - 0.0088) < 0.0006, "\(name) std \(std)")
        }
    }
}

@Test func generatorGradientsReachEveryParameter() throws {
    let generator = try DPEDFixture.generator()
    Torch.manualSeed(3)
    let x = try Tensor.rand([2, 3, 12, 15])
    let target = try Tensor.rand([2, 3, 12, 15])
    let loss = try (generator(x) - target).square().mean()
    try loss.backward()
    for (name, p) in generator.namedParameters() {
        let grad = try #require(try p.grad, "\(name) has no gradient")
        #expect(try grad.isfinite().all(), "\(name)")
        #expect(try grad.abs().max().item() > 0, "\(name) gradient is zero")
    }
    try generator.zeroGrad()
}

@Test func badInputShapeIsExplained() throws {
    let generator = try DPEDGenerator()
    let error = try #require(throws: TorchError.self) { try generator(Tensor.rand([1, 1, 8, 8])) }
    #expect(error.message == "DPED generator: input must be NCHW RGB [N, 3, H, W], got [1, 1, 8, 8]")
}
