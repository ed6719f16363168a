import ArgumentParser
import DSLREnhance
import DSLRRaw

struct Develop: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Develop camera RAW files (DNG, CR2, NEF, ARW, RAF, ...) into photos.",
        discussion: """
            With --model, a RAW-to-RGB network (packed-bayer input, such as a pynet model) turns \
            each Bayer mosaic into the photo; without, LibRaw develops it (camera white balance, \
            sRGB). X-Trans, Foveon and linear DNG files have no Bayer mosaic: LibRaw develops them, \
            a model refuses them. IN may be RAW files or folders (structure kept under OUT); \
            outputs are JPEG unless --format or OUT's extension says otherwise, 16-bit in PNG and \
            TIFF, with the shot's EXIF. A file that cannot be read is reported and skipped; the \
            exit code is 1 if any failed.
            """)

    @Argument(help: "RAW files or folders of RAW files.")
    var inputs: [String]

    @Option(help: "A RAW-to-RGB model: a name (see `dslr models`) or a path to a .safetensors weights file (default: LibRaw's development).")
    var model: String?

    @OptionGroup var batch: PhotoBatchOptions

    func run() throws {
        try batch.run(inputs: inputs, verb: ("developing", "developed"), noun: "RAW file", inputExtensions: rawExtensions,
                      defaultFormat: .jpeg) { engine, device, precision in
            guard let model else {
                return PhotoBatchOptions.Work(name: "LibRaw", device: nil) { engine, jobs, options, progress, finished, _ in
                    engine.developFiles(jobs, model: nil, options: options, progress: progress, finished: finished)
                }
            }
            let loaded = try engine.model(model, device: device, precision: precision)
            try EnhanceEngine.checkDevelops(loaded)
            return PhotoBatchOptions.Work(name: loaded.entry.card.name, device: loaded.device) {
                engine, jobs, options, progress, finished, _ in
                engine.developFiles(jobs, model: loaded, options: options, progress: progress, finished: finished)
            }
        }
    }
}
