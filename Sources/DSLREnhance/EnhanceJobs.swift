import DSLRPhoto
import DSLRTensor
import Foundation

/// One photo to enhance and where its result goes.
public struct EnhanceJob: Sendable, Equatable {
    public var input: String
    public var output: String
}


/// The usual file extension of each format.
public func fileExtension(of format: PhotoFormat) -> String {
    switch format {
    case .jpeg: "jpg"
    case .png: "png"
    case .tiff: "tif"
    case .webp: "webp"
    case .heic: "heic"
    }
}

/// Turns `dslr enhance` (or `develop`) arguments into jobs.
///
/// A single file with an output that has a photo extension is written to that path. Otherwise
/// `output` is a folder: files land in it by name, and a folder given as input keeps its
/// sub-folder structure below it. Inside folders only files with `inputExtensions` are taken
/// (photos; `rawExtensions` for `develop`), hidden files skipped; a missing input is an error.
/// `format` replaces the output extension. Two inputs that would write the same output, and
/// an output that is one of the inputs, are refused before any work.
public func planEnhanceJobs(
    inputs: [String], output: String, format: PhotoFormat? = nil, inputExtensions: Set<String> = photoExtensions
) throws -> [EnhanceJob] {
    let fm = FileManager.default
    func isDirectory(_ path: String) -> Bool {
        var dir: ObjCBool = false
        return fm.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
    }
    func retarget(_ path: String) -> String {
        guard let format else { return path }
        return (path as NSString).deletingPathExtension + "." + fileExtension(of: format)
    }
    let outputExtension = (output as NSString).pathExtension.lowercased()
    if inputs.count == 1, !isDirectory(inputs[0]), photoExtensions.contains(outputExtension), !isDirectory(output) {
        guard fm.fileExists(atPath: inputs[0]) else { throw ModelError("\(inputs[0]): no such file", kind: .notFound) }
        let jobs = [EnhanceJob(input: inputs[0], output: output)]
        try refuseOverwritingInputs(jobs)
        return jobs
    }
    // An output folder inside an input folder is left out of that folder's listing, so this
    // run and every later one over the input never read the results as photos; the output
    // folder being the input folder would replace every photo, and is refused.
    let outputPath = canonicalPath(output)
    var excluded: [String: String] = [:]  // input folder -> the output's path relative to it
    for input in inputs where isDirectory(input) {
        let folder = canonicalPath(input)
        if outputPath == folder {
            throw ModelError("-o \(output) is the input folder \(input); the results would replace its photos: write elsewhere",
                             kind: .badArgument)
        }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        if outputPath.hasPrefix(prefix) { excluded[input] = String(outputPath.dropFirst(prefix.count)) }
    }
    var jobs: [EnhanceJob] = []
    for input in inputs {
        if isDirectory(input) {
            let (root, found) = files(below: input, extensions: inputExtensions)
            let skipped = excluded[input]
            for relative in found where skipped.map({ !relative.hasPrefix($0 + "/") }) ?? true {
                jobs.append(EnhanceJob(input: root.appendingPathComponent(relative).path,
                                       output: retarget((output as NSString).appendingPathComponent(relative))))
            }
        } else if fm.fileExists(atPath: input) {
            let name = (input as NSString).lastPathComponent
            jobs.append(EnhanceJob(input: input, output: retarget((output as NSString).appendingPathComponent(name))))
        } else {
            throw ModelError("\(input): no such file or folder", kind: .notFound)
        }
    }
    // Two inputs with the same name would overwrite each other's result.
    var owners: [String: String] = [:]
    for job in jobs {
        if let other = owners[job.output] {
            throw ModelError("\(job.input) and \(other) would both be written to \(job.output)", kind: .badArgument)
        }
        owners[job.output] = job.input
    }
    try refuseOverwritingInputs(jobs)
    return jobs
}

/// An output written over an input would lose the original if the run were interrupted or
/// the result disappointed. Paths are compared with symbolic links resolved, and an output
/// that already exists also by its file identity, so a hard link to an input is caught too.
private func refuseOverwritingInputs(_ jobs: [EnhanceJob]) throws {
    let inputs = Set(jobs.map { canonicalPath($0.input) })
    let identities = Dictionary(jobs.compactMap { job in FileIdentity(path: job.input).map { ($0, job.input) } }) { a, _ in a }
    for job in jobs {
        if inputs.contains(canonicalPath(job.output)) {
            throw ModelError("\(job.output) is an input; refusing to overwrite it with the result of \(job.input)", kind: .badArgument)
        }
        if let identity = FileIdentity(path: job.output), let input = identities[identity] {
            throw ModelError("\(job.output) is the same file as the input \(input) (a hard link); refusing to overwrite it with the result of \(job.input)", kind: .badArgument)
        }
    }
}

/// Enhances one photo file on the calling thread: decode (orientation applied), model,
/// encode with the input's metadata, atomic write. Returns the photo's size. Batches and
/// services go through `EnhanceEngine`, which adds the worker pool and the model cache.
public func enhanceFile(
    _ job: EnhanceJob, model: LoadedModel, tiling: TilingOptions,
    decode: DecodeOptions = DecodeOptions(), encode: EncodeOptions = EncodeOptions(),
    progress: (Int, Int) -> Void = { _, _ in }
) throws -> (width: Int, height: Int) {
    let options = EnhanceOptions(tiling: tiling, decode: decode, encode: encode)
    let done = try EnhanceEngine.enhanceFileHere(job, model: model, options: options, progress: progress)
    return (done.width, done.height)
}

/// One part of a photo library split across machines with no coordination (`--shard I/N`):
/// a job belongs to part I of N by a stable hash of its output path relative to the output
/// folder, so every machine agrees without talking, the parts are about equal, and adding
/// photos later does not move the ones already assigned.
public struct Shard: Sendable, Equatable {
    /// 0..<count.
    public var index: Int
    public var count: Int

    /// Parses "I/N" with 0 ≤ I < N (Kubernetes' JOB_COMPLETION_INDEX, a Slurm array from 0).
    public init(_ text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 1_000_000, (0..<n).contains(i) else {
            throw EngineError("--shard must be I/N with 0 <= I < N (for example 0/4), got '\(text)'", kind: .badArgument)
        }
        index = i; count = n
    }

    /// Whether the job writing `relativeOutput` is this shard's.
    public func contains(_ relativeOutput: String) -> Bool {
        // FNV-1a, 64 bit: fixed across runs and machines, unlike Swift's seeded Hasher.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in relativeOutput.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(count)) == index
    }

    /// The jobs of this shard, judged by their outputs relative to `output`.
    public func select(_ jobs: [EnhanceJob], output: String) -> [EnhanceJob] {
        let root = URL(fileURLWithPath: output).standardizedFileURL.path
        return jobs.filter { job in
            let path = URL(fileURLWithPath: job.output).standardizedFileURL.path
            let relative = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : (path as NSString).lastPathComponent
            return contains(relative)
        }
    }
}
