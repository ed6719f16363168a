import ArgumentParser
import DSLREnhance
import DSLRPhoto
import DSLRTensor
import Foundation

struct Enhance: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Enhance photos with a model (the default model when none is named).",
        discussion: """
            IN may be photos or folders; folders keep their structure under OUT. With one photo \
            and an OUT ending in a photo extension, the result is written to OUT itself. \
            Large photos run in overlapping tiles whose result equals the untiled one. A photo \
            that cannot be read is reported and skipped; the exit code is 1 if any failed.
            """)

    @Argument(help: "Photos or folders of photos.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output folder, or output file for a single photo.")
    var output: String

    @Option(help: "Model name (see `dslr models`) or path to a .safetensors weights file.")
    var model: String?

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
        if let format, PhotoFormat(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format must be one of \(PhotoFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let device = try inference.resolvedDevice()
        let entry = try ModelRegistry.standard().resolve(model)
        let loaded = try LoadedModel.load(entry, device: device, precision: inference.resolvedPrecision)
        let jobs = try planEnhanceJobs(inputs: inputs, output: output, format: format.flatMap { PhotoFormat(rawValue: $0.lowercased()) })
        guard !jobs.isEmpty else { throw ValidationError("no photos found in \(inputs.joined(separator: ", "))") }

        let tiling = inference.tiling
        let decode = DecodeOptions(maxPixels: Int(maxMegapixels * 1_000_000))
        let encode = EncodeOptions(quality: quality, pngCompression: pngCompression, keepMetadata: !stripMetadata)
        let workers = min(self.jobs, jobs.count)
        if workers > 1 && device == .cpu {
            // Photos in parallel share the cores instead of each asking for all of them.
            Torch.setThreadCount(max(1, ProcessInfo.processInfo.activeProcessorCount / workers))
        }

        let progress = ProgressReporter(total: jobs.count, unit: "photos")
        FileHandle.standardError.write(Data(
            "enhancing \(jobs.count) photo\(jobs.count == 1 ? "" : "s") with \(entry.card.name) on \(device) (\(inference.precision))\n".utf8))
        let failures = LockedList<String>()
        let done = LockedList<Int>()
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = next.take(below: jobs.count) {
                let job = jobs[i]
                let name = (job.input as NSString).lastPathComponent
                let start = Date()
                do {
                    let size = try enhanceFile(job, model: loaded, tiling: tiling, decode: decode, encode: encode) { done, total in
                        progress.step("\(name) tile \(min(done + 1, total))/\(total)")
                    }
                    done.add(i)
                    let seconds = Date().timeIntervalSince(start)
                    let megapixels = Double(size.width * size.height) / 1e6
                    progress.finish(String(
                        format: "%@ -> %@ (%dx%d, %.1f MP, %.1f s, %.2f MP/s)", job.input, job.output,
                        size.width, size.height, megapixels, seconds, megapixels / max(seconds, 1e-9)), work: megapixels)
                } catch {
                    failures.add(job.input)
                    progress.finish("error: \(oneLine(error, file: job.input))")
                }
            }
        }
        let failed = failures.items
        if let report {
            let finished = done.items.sorted().map { jobs[$0] }
            try writeBeforeAfterPage(finished, to: report, model: entry.card.name)
        }
        let summary = String(format: "enhanced %d of %d photos in %@", jobs.count - failed.count, jobs.count,
                             formatDuration(progress.elapsed))
        FileHandle.standardError.write(Data((summary + (failed.isEmpty ? "" : "; \(failed.count) failed") + "\n").utf8))
        if !failed.isEmpty { throw ExitCode(1) }
    }
}

/// An error as one line that names `file` exactly once.
func oneLine(_ error: any Error, file: String) -> String {
    let text = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    return text.contains(file) ? text : "\(file): \(text)"
}

/// Hands out indices to worker threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

/// Items collected from worker threads (failed inputs, finished jobs).
final class LockedList<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Element] = []
    func add(_ item: Element) { lock.lock(); list.append(item); lock.unlock() }
    var items: [Element] { lock.lock(); defer { lock.unlock() }; return list }
}
