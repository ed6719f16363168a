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
                  ("student_train", "ppcn-student", "generator_s")])
func importedPPCNMatchesTensorFlow(file: String, architecture: String, scope: String) throws {
    let reference = try PPCNFixture.reference()
    let (network, layout) = try importPPCN(fromTFCheckpoint: PPCNFixture.prefix(file))
    #expect(network.architecture == architecture)
    #expect(layout.scope == scope)
    let input = try #require(reference["input"])
    #expect(input.shape == [2, 3, 23, 31])
    let output = try withNoGrad { try network(input) }
    let expected = try #require(reference[architecture == "ppcn-teacher" ? "teacher_output" : "student_output"])
    #expect(output.shape == expected.shape)
    let error = try maxAbsDiff(output, expected)
    print("\(file) vs TensorFlow: max abs error \(error)")
    #expect(error < 1e-4)
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

@Test func ppcnArchitecturesHaveThePublishedSizes() throws {
    // Parameter counts of PPCN's published checkpoints (teacher.ckpt, student.ckpt).
    #expect(try PPCNTeacher.architecture.build().module.parameterCount == 21843)
    #expect(try PPCNStudent.architecture.build().module.parameterCount == 2715)
}

@Test(arguments: ["ppcn-teacher", "ppcn-student"])
func tiledPPCNEqualsUntiled(name: String) throws {
    Torch.manualSeed(12)
    let network = try Architectures.named(name).build()
    // PPCN's initial weights (σ 0.01) give a nearly constant output; larger ones make every layer count.
    for (_, p) in network.module.namedParameters() where p.rank == 4 {
        try withNoGrad { try p.copy_(Tensor.randn(p.shape) * (2.0 / Double(p.shape[1] * p.shape[2] * p.shape[3])).squareRoot()) }
    }
    try expectTiledEqualsUntiled(name, radius: network.receptiveRadius, normLayerCount: network.normLayerCount) {
        try network.enhance($0, norms: $1)
    }
}
