import ArgumentParser
import DSLREnhance
import DSLRPhoto
import DSLRTensor
import Foundation

/// What `enhance` and `upscale` share: where results go, how they are encoded, the limits,
/// the device and the report.
struct PhotoBatchOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output folder, or output file for a single photo.")
    var output: String

    @OptionGroup var inference: InferenceOptions

    @Option(help: "Photos processed at the same time.")
    var jobs: Int = 1

    @Option(help: "Output format: jpeg, png, tiff, webp or heic (default: the input's).")
    var format: String?

    @Option(help: "JPEG/WebP/HEIC quality, 1-100.")
    var quality: Int = 95

    @Option(help: "PNG compression level, 0-9.")
    var pngCompression: Int = 6

    @Option(help: "Refuse photos larger than this many megapixels.")
    var maxMegapixels: Double = 100

    @Flag(help: "Drop EXIF, ICC and XMP instead of carrying them to the output.")
    var stripMetadata = false

    @Option(help: "Write an HTML page showing each photo before and after.")
    var report: String?

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be in 1...100") }
        guard (0...9).contains(pngCompression) else { throw ValidationError("--png-compression must be in 0...9") }
        // Larger than any camera makes; the product in pixels must fit an integer.
        guard maxMegapixels.isFinite, maxMegapixels > 0, maxMegapixels <= 10_000 else {
            throw ValidationError("--max-megapixels must be a number above 0 and at most 10000")
        }
        if let format, PhotoFormat(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format must be one of \(PhotoFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Runs `model` (chosen from `engine` by `pick`) over every photo of `inputs`, with
    /// progress, one line per photo, a failed photo reported and skipped (exit code 1), and
    /// the before/after page when asked for. `verb` names the work in messages.
    func run(inputs: [String], verb: (ing: String, ed: String), strength: Double = 1,
             pick: (EnhanceEngine, Device, Precision) throws -> LoadedModel) throws {
        let device = try inference.resolvedDevice()
        let engine = EnhanceEngine(configuration: EnhanceEngine.Configuration(workers: self.jobs))
        let loaded = try pick(engine, device, inference.resolvedPrecision)
        let jobs = try planEnhanceJobs(inputs: inputs, output: output, format: format.flatMap { PhotoFormat(rawValue: $0.lowercased()) })
        guard !jobs.isEmpty else { throw ValidationError("no photos found in \(inputs.joined(separator: ", "))") }
        let options = EnhanceOptions(
            tiling: inference.tiling, decode: DecodeOptions(maxPixels: Int(maxMegapixels * 1_000_000)),
            encode: EncodeOptions(quality: quality, pngCompression: pngCompression, keepMetadata: !stripMetadata),
            strength: strength)

        let progress = ProgressReporter(total: jobs.count, unit: "photos")
        FileHandle.standardError.write(Data(
            "\(verb.ing) \(jobs.count) photo\(jobs.count == 1 ? "" : "s") with \(loaded.entry.card.name) on \(device) (\(inference.precision))\n".utf8))
        let results = engine.enhanceFiles(jobs, model: loaded, options: options, progress: { index, done, total in
            progress.step("\((jobs[index].input as NSString).lastPathComponent) tile \(min(done + 1, total))/\(total)")
        }, finished: { index, result in
            switch result {
            case .success(let file):
                progress.finish(String(
                    format: "%@ -> %@ (%dx%d, %.1f MP, %.1f s, %.2f MP/s)", file.job.input, file.job.output,
                    file.width, file.height, file.megapixels, file.seconds, file.megapixels / max(file.seconds, 1e-9)),
                    work: file.megapixels)
            case .failure(let error):
                progress.finish("error: \(oneLine(error, file: jobs[index].input))")
            }
        })
        let finished = results.compactMap { try? $0.get().job }
        let failed = jobs.count - finished.count
        if let report {
            try writeBeforeAfterPage(finished, to: report, model: loaded.entry.card.name)
        }
        let summary = String(format: "%@ %d of %d photos in %@", verb.ed, finished.count, jobs.count,
                             formatDuration(progress.elapsed))
        FileHandle.standardError.write(Data((summary + (failed == 0 ? "" : "; \(failed) failed") + "\n").utf8))
        if failed > 0 { throw ExitCode(1) }
    }
}

/// An error as one line that names `file` exactly once.
func oneLine(_ error: any Error, file: String) -> String {
    let text = oneLine(error)
    return text.contains(file) ? text : "\(file): \(text)"
}
