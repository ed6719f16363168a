import ArgumentParser
import DSLRModels
import DSLRNN
import Foundation

/// `dslr import dped-tf PREFIX -o model.safetensors`: a DPED generator from its TensorFlow
/// checkpoint (aiff22/DPED's models_orig/<phone>_orig, or one trained with its code).
struct ImportDPEDTF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dped-tf",
        abstract: "Import a DPED generator from a TensorFlow checkpoint V2 (e.g. models_orig/iphone_orig)."
    )

    @Argument(help: "Checkpoint prefix: the path without .index / .data-00000-of-00001.")
    var prefix: String

    @Option(name: .shortAndLong, help: "The safetensors file to write.")
    var output: String

    func run() throws {
        try refuseOverwritingInputs(output: output, inputs: tfCheckpointFiles(prefix), what: "a file of the checkpoint being read")
        let generator = try importDPEDGenerator(fromTFCheckpoint: prefix)
        let name = URL(fileURLWithPath: prefix).lastPathComponent
        let channels = generator.convIn.weight.shape[0]
        try generator.save(to: URL(fileURLWithPath: output), metadata: [
            architectureMetadataKey: DPEDGenerator.architectureID,
            optionsMetadataKey: try DPEDGenerator.architecture.resolve(["channels": .number(Double(channels))]).json(),
            "dslrkit.source": "TensorFlow checkpoint \(name) (aiff22/DPED generator)",
        ])
        print("wrote \(output): DPED generator, \(generator.parameterCount) parameters from \(prefix)")
    }
}
