import DSLRImport
import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRModels

/// Fixtures of scripts/fixtures/make_ppcn_fixture.py (TensorFlow 2.21, PPCN's graphs).
enum PPCNFixture {
    static func prefix(_ name: String) throws -> String { try DPEDFixture.prefix("ppcn_tf", name) }
    static func reference() throws -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: try Checkpoint.load(DPEDFixture.url("ppcn_reference.safetensors")).tensors)
    }
}

@Test(arguments: [("teacher", "ppcn-teacher", "generator_s"), ("student", "ppcn-student", "generator_little"),
                  ("student_train", "ppcn-student", "generator_s"), ("sr", "ppcn-sr", "generator")])
func importedPPCNMatchesTensorFlow(file: String, architecture: String, scope: String) throws {
    let reference = try PPCNFixture.reference()
    let (network, layout) = try importPPCN(fromTFCheckpoint: PPCNFixture.prefix(file))
    #expect(network.architecture == architecture)
    #expect(layout.scope == scope)
    let sr = architecture == "ppcn-sr"
    let input = try #require(reference[sr ? "sr_input" : "input"])
    #expect(input.shape == (sr ? [2, 3, 28, 36] : [2, 3, 23, 31]))
    let output = try withNoGrad { try network(input) }
    let expected = try #require(reference[sr ? "sr_output" : architecture == "ppcn-teacher" ? "teacher_output" : "student_output"])
    #expect(output.shape == expected.shape)
    // Relative to the output's range (the random super-resolution network's spans ±11).
    let range = try expected.abs().max().item()
    let error = try maxAbsDiff(output, expected)
    print("\(file) vs TensorFlow: max abs error \(error), output range \(range)")
    #expect(error < 1e-4 * max(1, range))
    #expect(try expected.max().item() - expected.min().item() > 0.5)
    // The two images differ, so per-image statistics (contrast means, instance norms) matter.
    #expect(try maxAbsDiff(expected.select(0, 0), expected.select(0, 1)) > 0.1)
}

@Test func ppcnImportRefusesOtherCheckpoints() throws {
    // DPED's generator: nothing of PPCN's is there, so the message says what the file holds.
    let dped = try DPEDFixture.prefix("dped_tf", "dped_generator")
    #expect { try importPPCN(fromTFCheckpoint: dped) } throws: { error in
        let message = "\(error)"
        return message.contains("not a PPCN checkpoint") && message.contains("generator/Variable")
            && message.contains("ppcn-teacher (scope generator_s")
    }
    // A checkpoint naming PPCN's variables with other shapes: the closest layout's differences.
    let wrong = try DPEDFixture.prefix("not_dped", "not_dped")
    #expect(throws: (any Error).self) { try importPPCN(fromTFCheckpoint: wrong) }
}

@Test func ppcnDiscriminatorMatchesTensorFlow() throws {
    try expectDiscriminatorMatchesTensorFlow(
        PPCNDiscriminator(weightInit: .constant(0), biasInit: .constant(0)), reference: PPCNFixture.reference(), variableCount: 26)
    // 256·7·7 features from 100×100 patches; other sizes are refused by name.
    #expect(try PPCNDiscriminator.architecture.build().module.parameterCount == 14_646_402)  // 12.8M of them in the dense layer
    let error = try #require(throws: TorchError.self) {
        try PPCNDiscriminator(weightInit: .constant(0.01)).logits(grayscale: Tensor.rand([1, 1, 64, 64]))
    }
    #expect(error.message.hasPrefix("PPCN discriminator: 64×64 patches give 256×4×4 features"))
}

@Test func ppcnArchitecturesHaveThePublishedSizes() throws {
    // Parameter counts of PPCN's published checkpoints (teacher.ckpt, student.ckpt, generator_all.ckpt).
    #expect(try PPCNTeacher.architecture.build().module.parameterCount == 21843)
    #expect(try PPCNStudent.architecture.build().module.parameterCount == 2715)
    #expect(try PPCNSuperResolution.architecture.build().module.parameterCount == 236_560)
    #expect(try PPCNSuperResolution.architecture.contract() == ArchitectureContract(sizeMultiple: 4, inputUpscale: 4))
}

@Test(arguments: ["ppcn-teacher", "ppcn-student", "ppcn-sr"])
func tiledPPCNEqualsUntiled(name: String) throws {
    Torch.manualSeed(12)
    let network = try Architectures.named(name).build()
    // PPCN's initial weights (σ 0.01) give a nearly constant output; larger ones make every layer count.
    for (_, p) in network.module.namedParameters() where p.rank == 4 {
        try withNoGrad { try p.copy_(Tensor.randn(p.shape) * (2.0 / Double(p.shape[1] * p.shape[2] * p.shape[3])).squareRoot()) }
    }
    // The super-resolution network's context (63 pixels) needs a photo larger than two of it.
    let (height, width) = name == "ppcn-sr" ? (160, 192) : (48, 64)
    // Windows start on multiples of the size multiple (4 for its stride-2 convolutions), as the tiler's do.
    let m = network.sizeMultiple
    try expectTiledEqualsUntiled(name, radius: (network.receptiveRadius + m - 1) / m * m, normLayerCount: network.normLayerCount,
                                 height: height, width: width,
                                 // The random SR network's activations reach thousands (it works on 0-255), so
                                 // float32 rounding of the tiled mean shows at 6e-5 (the teacher with 4 pixels of context too few: 0.12).
                                 tolerance: name == "ppcn-sr" ? 2e-4 : 1e-5) {
        try network.enhance($0, norms: $1)
    }
}
