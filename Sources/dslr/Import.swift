import ArgumentParser
import DSLRModels
import DSLRPhoto
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
        try refuseOverwritingInputs(output: output, inputs: [file], what: "the weights being read")
        let vgg = try VGG(contentsOf: input)
        let out = URL(fileURLWithPath: output)
        try createFolder(out.deletingLastPathComponent().path)
        try vgg.export(to: out, source: input.lastPathComponent)
        let widths = vgg.convolutions.map { $0.weight.tensor.shape[0] }
        print("\(vgg.configuration.name): \(vgg.convolutions.count) convolutions (widths \(widths.first ?? 0)...\(widths.last ?? 0)), "
            + "preprocessing \(vgg.preprocessing.metadata) -> \(out.path)")
    }
}

/// Refuses an output that is one of `inputs` (spelt differently, through links, or as the
/// same inode) before anything is read or written: the import writes its result over the
/// file it is reading, and a failure or an interruption would lose the original. Like
/// `enhance`, no option overrides this: write elsewhere, then move the result.
func refuseOverwritingInputs(output: String, inputs: [String], what: String) throws {
    if let input = inputs.first(where: { sameFile($0, output) }) {
        throw ValidationError("-o \(output) is \(what) (\(input)); write elsewhere")
    }
}

/// The files of the TensorFlow checkpoint at `prefix` (given with or without `.index`):
/// its index and every data shard beside it.
func tfCheckpointFiles(_ prefix: String) -> [String] {
    let base = prefix.hasSuffix(".index") ? String(prefix.dropLast(".index".count)) : prefix
    let url = URL(fileURLWithPath: base)
    let folder = url.deletingLastPathComponent(), stem = url.lastPathComponent + ".data-"
    let shards = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasPrefix(stem) }.map { folder.appendingPathComponent($0).path }
    return [base, base + ".index"] + shards.sorted()
}
