import ArgumentParser
import DSLRData
import DSLREnhance
import DSLREval
import DSLRTensor
import Foundation

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score models on held-out photo pairs: PSNR, SSIM, MS-SSIM and time per megapixel.",
        discussion: """
            Every model runs on the same pairs, next to two baselines: identity (the input \
            itself) and classic (the untrained enhancer). --data takes LAYOUT:ROOT[?KEY=VALUE&...] \
            (e.g. dped:/data/dped?phone=iphone, paired-folders:/data/pairs?test-percent=20), a \
            .json or .yaml file with name, root and options, a folder holding such a dataset.yaml \
            (as `dslr data sr` writes), a DPED phone folder, or a folder with input/ and target/ \
            (then every pair is evaluated, unless it holds train/ and test/). Metrics are means \
            over images (MS-SSIM only over images whose shorter side exceeds 160 px); time covers \
            the model call alone. Super-resolution pairs (targets k× the inputs) add psnr_y (Y \
            channel, k-pixel border shaved); models that keep the size, identity and classic \
            among them, are followed by bicubic enlargement. A pair that cannot be read or whose \
            sizes do not match is reported and skipped. Writes eval.md, eval.csv, eval.json, eval.html and \
            centre crops into --out.
            """)

    @Option(help: "Comma-separated model names (see `dslr models`) or .safetensors paths.")
    var models: String = ""

    @Option(help: "The dataset (see above).")
    var data: String

    @Option(help: "test (held out) or train.")
    var split: String = "test"

    @Option(help: "Evaluate at most this many pairs.")
    var maxImages: Int?

    @Option(help: "Folder for eval.md, eval.csv, eval.json, eval.html and crops.")
    var out: String = "eval"

    @Option(help: "Pairs whose centre crops go into eval.html.")
    var crops: Int = 4

    @OptionGroup var inference: InferenceOptions

    func validate() throws {
        guard DatasetPart(rawValue: split) != nil else { throw ValidationError("--split must be test or train") }
        guard (maxImages ?? 1) >= 1 else { throw ValidationError("--max-images must be at least 1") }
    }

    func run() throws {
        let device = try inference.resolvedDevice()
        let precision = inference.precision
        let source = try parseDataArgument(data)
        let pairs = try evalPairs(source, split: DatasetPart(rawValue: split)!, maxImages: maxImages) { warn("skipped: \($0)") }
        let names = models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let loaded = try evalModels(names, device: device, precision: Precision(rawValue: precision)!)
        let outFolder = URL(fileURLWithPath: out)
        warn("evaluating \(loaded.map(\.entry.card.name).joined(separator: ", ")) on \(pairs.count) pair\(pairs.count == 1 ? "" : "s") of \(data) on \(device)")

        let progress = ProgressReporter(total: pairs.count, unit: "pairs")
        let result = evaluate(
            models: loaded, pairs: pairs, dataset: data, split: source.allPairs ? "all" : split,
            options: EvalOptions(tiling: inference.tiling, cropFolder: outFolder.appendingPathComponent("crops"), cropCount: crops),
            progress: { event in
                switch event {
                case .step(let label): progress.step(label)
                case .pairDone(_, let line): progress.finish(line)
                }
            })
        print(result.textTable(), terminator: "")
        let written = try result.write(to: outFolder)
        warn("wrote \(written.map(\.path).joined(separator: ", "))")
        let failed = result.skipped.count + result.models.map(\.failures.count).reduce(0, +)
        if result.models.allSatisfy(\.images.isEmpty) { throw ExitCode(1) }
        if failed > 0 { warn("\(failed) problem\(failed == 1 ? "" : "s"): see eval.md") }
    }
}

/// Where and how models run, for the commands that evaluate them.
