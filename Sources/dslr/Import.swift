import ArgumentParser
import DSLRModels
import Foundation

/// Converters from other projects' weight files to DSLRKit's safetensors checkpoints.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert other projects' published weights (PyTorch state dicts, DPED and PPCN TensorFlow checkpoints, VGG) into DSLRKit safetensors.",
        subcommands: [ImportTorch.self, ImportDPEDTF.self, ImportPPCNTF.self, ImportVGG.self]
    )
}

struct ImportVGG: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vgg",
        abstract: "Convert VGG-16/19 weights: MatConvNet's .mat (DPED's imagenet-vgg-verydeep-19.mat) or torchvision-layout .safetensors.",
        discussion: """
            VGG-16 or VGG-19 is detected from the weights; only the convolutional features are kept. \
            The output records the preprocessing the weights expect (MatConvNet's mean pixel on 0-255, \
            or torchvision's ImageNet mean/std on 0-1). Recipes look for \
            \(VGGWeights.conventionalURL(.vgg19).path) unless told otherwise.
            """
    )

    @Argument(help: "The weights to convert (.mat or .safetensors).")
    var file: String

    @Option(name: .shortAndLong, help: "Where to write the safetensors file.")
    var output: String

    func run() throws {
        let input = URL(fileURLWithPath: file)
        let vgg = try VGG(contentsOf: input)
        let out = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: out.deletingLastPathComponent(), withIntermediateDirectories: true)
        try vgg.export(to: out, source: input.lastPathComponent)
        let widths = vgg.convolutions.map { $0.weight.tensor.shape[0] }
        print("\(vgg.configuration.name): \(vgg.convolutions.count) convolutions (widths \(widths.first ?? 0)...\(widths.last ?? 0)), "
            + "preprocessing \(vgg.preprocessing.metadata) -> \(out.path)")
    }
}
