import ArgumentParser
import DSLREnhance
import Foundation

struct Upscale: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Enlarge photos four times with a super-resolution model (PPCN's, once imported).",
        discussion: """
            Without --model, the first installed ×4 model is used (import PPCN's with \
            `dslr import ppcn-tf test/ckpt_super_resolution/generator_all.ckpt -o \
            \(ModelRegistry.userFolder.path)/ppcn-sr.safetensors`). Photos run in overlapping \
            tiles whose result equals the untiled one; batches, formats, metadata and bad \
            photos are handled as by `dslr enhance`.
            """)

    @Argument(help: "Photos or folders of photos.")
    var inputs: [String]

    @Option(help: "A ×4 model: a name (see `dslr models`) or a path to a .safetensors weights file.")
    var model: String?

    @OptionGroup var batch: PhotoBatchOptions

    @OptionGroup var beforeAfter: BeforeAfterOption

    func run() throws {
        try batch.run(inputs: inputs, verb: ("upscaling", "upscaled"), report: beforeAfter.report) { engine, device, precision in
            let entry = try model.map { try engine.resolve($0) } ?? engine.registry.defaultUpscaler()
            let loaded = try engine.model(for: entry, device: device, precision: precision)
            guard loaded.scale == ModelRegistry.upscaleFactor else {
                throw ValidationError("model '\(entry.card.name)' enlarges ×\(loaded.scale), not ×\(ModelRegistry.upscaleFactor); `dslr upscale` needs a ×\(ModelRegistry.upscaleFactor) super-resolution model")
            }
            return try .enhancing(loaded)
        }
    }
}
