import ArgumentParser
import DSLREnhance
import DSLRPhoto
import DSLRTensor
import Foundation

/// What `enhance`, `upscale` and `develop` share: where results go, how they are encoded,
/// the limits, the device and the report.
struct PhotoBatchOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output folder, or output file for a single input.")
    var output: String

    @OptionGroup var inference: InferenceOptions

    @Option(help: "Files processed at the same time.")
    var jobs: Int = 1

    @Option(help: "Output format: jpeg (jpg), png, tiff (tif), webp or heic (default: enhance keeps the input's, develop writes jpeg).")
    var format: String?

    @Option(help: "JPEG/WebP/HEIC quality, 1-100.")
    var quality: Int = 95

    @Option(help: "PNG compression level, 0-9.")
    var pngCompression: Int = 6

    @Option(help: "Refuse inputs larger than this many megapixels (checked from the header, before decoding).")
    var maxMegapixels: Double = 100

    @Flag(help: "Drop EXIF, ICC and XMP instead of carrying them to the output.")
    var stripMetadata = false

    @Option(help: "Process only part I of N (0 <= I < N) of the files, chosen by a stable hash of each output path: N machines given 0/N ... N-1/N split a library with no coordination.")
    var shard: String?

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be in 1...100") }
        guard (0...9).contains(pngCompression) else { throw ValidationError("--png-compression must be in 0...9") }
        try validateMegapixels(maxMegapixels)
        if let shard {
            do { _ = try Shard(shard) } catch { throw ValidationError("\(error)") }
        }
        if format != nil, outputFormat == nil {
            throw ValidationError("--format must be one of \(PhotoFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// `--format` by name or by extension (jpg, tif).
    var outputFormat: PhotoFormat? {
        format.flatMap { PhotoFormat(rawValue: $0.lowercased()) ?? PhotoFormat(fileExtension: $0) }
    }

    /// What a batch does to each file, decided once the engine, device and precision are known.
    struct Work {
        /// What does it, for the opening line ("dslrkit-default", "LibRaw").
        var name: String
        var device: Device?
        /// What the steps inside one file are, for the progress line ("tile", "step").
        var stepName = "tile"
        /// Runs the jobs on the engine's workers, reporting as `EnhanceEngine.processFiles` does;
        /// the last argument prints a line of its own between the progress lines.
        var files: (EnhanceEngine, [EnhanceJob], EnhanceOptions,
                    @escaping @Sendable (Int, Int, Int) -> Void,
                    @escaping @Sendable (Int, Result<EnhancedFile, any Error>) -> Void,
                    @escaping @Sendable (String) -> Void) -> [Result<EnhancedFile, any Error>]

        /// `loaded` enhancing photos; a RAW-to-RGB model is refused before any photo is read.
        static func enhancing(_ loaded: LoadedModel) throws -> Work {
            try EnhanceEngine.checkEnhances(loaded)
            return Work(name: loaded.entry.card.name, device: loaded.device) { engine, jobs, options, progress, finished, _ in
                engine.enhanceFiles(jobs, model: loaded, options: options, progress: progress, finished: finished)
            }
        }
    }

    /// Runs the work `start` chooses (given the engine, device and precision) over every file
    /// of `inputs` (photos, or files with `inputExtensions`), with progress, one line per
    /// file, a failed file reported and skipped (exit code 1), and the before/after page when
    /// `report` names one. `verb` names the work and `noun` the inputs in messages; outputs
    /// take `defaultFormat` unless `--format` says otherwise (nil: the input's own).
    func run(inputs: [String], verb: (ing: String, ed: String), noun: String = "photo",
             inputExtensions: Set<String> = photoExtensions, defaultFormat: PhotoFormat? = nil,
             strength: Double = 1, report: String? = nil,
             start: (EnhanceEngine, Device, Precision) throws -> Work) throws {
        let device = try inference.resolvedDevice()
        let engine = EnhanceEngine(configuration: EnhanceEngine.Configuration(workers: self.jobs))
        let work = try start(engine, device, inference.resolvedPrecision)
        var planned = try planEnhanceJobs(
            inputs: inputs, output: output, format: outputFormat ?? defaultFormat, inputExtensions: inputExtensions)
        let plural = { (count: Int) in "\(count) \(noun)\(count == 1 ? "" : "s")" }
        guard !planned.isEmpty else { throw ValidationError("no \(noun)s found in \(inputs.joined(separator: ", "))") }
        if let shard = try shard.map(Shard.init) {
            let all = planned.count
            planned = shard.select(planned, output: output)
            FileHandle.standardError.write(Data("shard \(shard.index)/\(shard.count): \(planned.count) of \(plural(all))\n".utf8))
            if planned.isEmpty { return }
        }
        let jobs = planned
        let options = EnhanceOptions(
            tiling: inference.tiling, decode: DecodeOptions(maxPixels: Int(maxMegapixels * 1_000_000)),
            encode: EncodeOptions(quality: quality, pngCompression: pngCompression, keepMetadata: !stripMetadata),
            strength: strength)

        let progress = ProgressReporter(total: jobs.count, unit: "\(noun)s")
        let place = work.device.map { " on \($0) (\(inference.precision))" } ?? ""
        FileHandle.standardError.write(Data("\(verb.ing) \(plural(jobs.count)) with \(work.name)\(place)\n".utf8))
        let stepName = work.stepName
        let results = work.files(engine, jobs, options, { index, done, total in
            progress.step("\((jobs[index].input as NSString).lastPathComponent) \(stepName) \(min(done + 1, total))/\(total)")
        }, { index, result in
            switch result {
            case .success(let file):
                progress.finish(String(
                    format: "%@ -> %@ (%dx%d, %.1f MP, %.1f s, %.2f MP/s)", file.job.input, file.job.output,
                    file.width, file.height, file.megapixels, file.seconds, file.megapixels / max(file.seconds, 1e-9)),
                    work: file.megapixels)
            case .failure(let error):
                progress.finish("error: \(oneLine(error, file: jobs[index].input))")
            }
        }, { line in progress.note(line) })
        let finished = results.compactMap { try? $0.get().job }
        let failed = jobs.count - finished.count
        if let report {
            try writeBeforeAfterPage(finished, to: report, model: work.name)
        }
        let summary = String(format: "%@ %d of %@ in %@", verb.ed, finished.count, plural(jobs.count),
                             formatDuration(progress.elapsed))
        FileHandle.standardError.write(Data((summary + (failed == 0 ? "" : "; \(failed) failed") + "\n").utf8))
        if failed > 0 { throw ExitCode(1) }
    }
}

/// `--report`: the before/after page of `enhance` and `upscale` (a RAW input has no
/// "before" that a browser shows, so `develop` has none).
struct BeforeAfterOption: ParsableArguments {
    @Option(help: "Write an HTML page showing each photo before and after.")
    var report: String?
}

/// `--max-megapixels` of `enhance`, `upscale`, `develop` and `serve`: larger than any camera
/// makes is refused, so the product in pixels always fits an integer.
func validateMegapixels(_ value: Double) throws {
    guard value.isFinite, value > 0, value <= 10_000 else {
        throw ValidationError("--max-megapixels must be a number above 0 and at most 10000")
    }
}

/// An error as one line that names `file` exactly once.
func oneLine(_ error: any Error, file: String) -> String {
    let text = oneLine(error)
    return text.contains(file) ? text : "\(file): \(text)"
}
