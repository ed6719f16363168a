import ArgumentParser
import DSLRData
import DSLREnhance
import DSLREval
import DSLRTensor
import Foundation

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write report.html for a training run folder: loss and metric curves, held-out crops.",
        discussion: """
            Reads RUN/metrics.jsonl, RUN/recipe.yaml and RUN/samples/iter_<N>_<k>_{input,output,target}.png. \
            Charts go to RUN/report_assets/ as SVG, linked relatively, so the folder can be moved. \
            With --data and no samples, the run's model.safetensors (or --model) enhances centre \
            crops of the first held-out pairs to make them.
            """)

    @Argument(help: "The run folder.")
    var runFolder: String

    @Option(help: "Dataset for making samples when the run has none (same forms as `dslr eval --data`).")
    var data: String?

    @Option(help: "Weights for making samples (default: RUN/model.safetensors).")
    var model: String?

    @Option(help: "Number of held-out crops to make.")
    var samples: Int = 4

    @Option(help: "Side of the crops in pixels.")
    var cropSize: Int = 256

    @OptionGroup var inference: InferenceOptions

    func run() throws {
        let folder = URL(fileURLWithPath: runFolder)
        if let data, listSamples(in: folder.appendingPathComponent("samples")).isEmpty {
            let weights = model ?? folder.appendingPathComponent("model.safetensors").path
            let entry = try ModelRegistry.standard().resolve(weights)
            let loaded = try LoadedModel.load(
                entry, device: try inference.resolvedDevice(), precision: inference.resolvedPrecision)
            let pairs = try evalPairs(try parseDataArgument(data), maxImages: samples) { warn("skipped: \($0)") }
            let log = try RunMetrics.read(folder.appendingPathComponent("metrics.jsonl"))
            let iteration = (log.train.map(\.iteration) + log.eval.map(\.iteration)).max() ?? 0
            let written = try makeSamples(model: loaded, pairs: pairs, iteration: iteration, cropSize: cropSize,
                                          to: folder.appendingPathComponent("samples"), tiling: inference.tiling)
            warn("made \(written) sample\(written == 1 ? "" : "s") with \(entry.card.name) at iteration \(iteration)")
        }
        let page = try writeRunReport(runFolder: folder)
        print(page.path)
    }
}
