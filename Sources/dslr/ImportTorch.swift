import ArgumentParser
import DSLRImport
import DSLRModels
import DSLRNN
import DSLRPhoto
import Foundation

/// `dslr import torch FILE.pth -o model.safetensors --arch NAME`: a PyTorch state dict
/// (torch.save's zip format) put into a DSLRKit architecture by name and shape.
struct ImportTorch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "torch",
        abstract: "Import a PyTorch state dict (.pth / .pt written by torch.save) into a DSLRKit architecture.",
        discussion: """
            The file is read without Python and nothing in it runs: only the pickle opcodes and globals of \
            a tensor state dict are accepted, anything else is refused by name. The state dict is the file's \
            top-level dict, or the dict under --key, or under \(TorchCheckpoint.stateDictKeys.joined(separator: ", ")). \
            Its names and shapes must be exactly the network's parameters and buffers (`dslr models init NAME` \
            writes them); otherwise nothing is written and the missing, unexpected and mis-shaped names are listed.
            """
    )

    @Argument(help: "The checkpoint torch.save wrote.")
    var file: String

    @Option(name: .shortAndLong, help: "The safetensors file to write.")
    var output: String

    @Option(help: "The architecture (see `dslr models architectures`).")
    var arch: String

    @Option(name: .customLong("option"), help: "Architecture option key=value (repeatable).")
    var options: [String] = []

    @Option(help: "Remove this prefix from the names that start with it (DataParallel's 'module.').")
    var stripPrefix: String?

    @Option(help: "The top-level key of the state dict, when it is not found by itself.")
    var key: String?

    func run() throws {
        let input = URL(fileURLWithPath: file), out = URL(fileURLWithPath: output)
        try refuseOverwritingInputs(output: output, inputs: [file], what: "the checkpoint being read")
        let checkpoint = try TorchCheckpoint(contentsOf: input, key: key)
        let network = try importTorchStateDict(
            checkpoint.tensors, architecture: arch, options: architectureOptions(options), stripPrefix: stripPrefix, source: file)
        try createFolder(out.deletingLastPathComponent().path)
        let location = checkpoint.stateDictKey.map { " (state dict under '\($0)')" } ?? ""
        var metadata = network.metadata
        metadata["dslrkit.source"] = "PyTorch checkpoint \(input.lastPathComponent)\(location)"
        // Written to a temporary file and renamed, so a failure leaves any earlier output whole.
        try network.module.save(to: out, metadata: metadata)
        let skipped = checkpoint.skipped.isEmpty ? "" : "; skipped \(checkpoint.skipped.count) entries that are not tensors ("
            + checkpoint.skipped.prefix(8).joined(separator: ", ") + (checkpoint.skipped.count > 8 ? ", ...)" : ")")
        print("wrote \(output): \(network.architecture), \(checkpoint.tensors.count) tensors (\(network.module.parameterCount) parameters) from \(file)\(location)\(skipped)")
    }
}
