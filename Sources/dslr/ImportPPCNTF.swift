import ArgumentParser
import DSLRModels
import DSLRNN
import DSLRPhoto
import Foundation

/// `dslr import ppcn-tf PREFIX -o model.safetensors`: PPCN's teacher or student from a
/// TensorFlow checkpoint (Zheng222/PPCN test/ckpt_enhancement/*, or one trained with its code).
struct ImportPPCNTF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ppcn-tf",
        abstract: "Import a PPCN network from a TensorFlow checkpoint V2 (e.g. test/ckpt_enhancement/teacher.ckpt).",
        discussion: "Which network it is (teacher or student, by PPCN's test or training code) is recognised from the variables; anything else is refused with what differs."
    )

    @Argument(help: "Checkpoint prefix: the path without .index / .data-00000-of-00001.")
    var prefix: String

    @Option(name: .shortAndLong, help: "The safetensors file to write.")
    var output: String

    func run() throws {
        try refuseOverwritingInputs(output: output, inputs: tfCheckpointFiles(prefix), what: "a file of the checkpoint being read")
        let (network, layout) = try importPPCN(fromTFCheckpoint: prefix)
        let name = URL(fileURLWithPath: prefix).lastPathComponent
        let out = URL(fileURLWithPath: output)
        try createFolder(out.deletingLastPathComponent().path)
        var metadata = network.metadata
        metadata["dslrkit.source"] = "TensorFlow checkpoint \(name) (Zheng222/PPCN, scope \(layout.scope))"
        try network.module.save(to: out, metadata: metadata)
        print("wrote \(output): \(layout.architecture), \(network.module.parameterCount) parameters from \(prefix) (scope \(layout.scope))")
    }
}
