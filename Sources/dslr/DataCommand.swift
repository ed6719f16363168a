import ArgumentParser
import DSLRData
import Foundation

/// `dslr data`: datasets and synthetic training pairs.
struct DataCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Datasets: synthesize phone/DSLR pairs, make super-resolution or synthetic RAW pairs, align your own pairs, install free source photos, check a dataset.",
        subcommands: [DataSynth.self, DataSR.self, DataUnprocess.self, DataAlign.self, DataPhotos.self, DataCheck.self]
    )
}

/// The source photos of `data synth` and `data sr`: a folder's, or a Debian photo source's
/// (returned too, for its licences and held-out list), at most `count` of them.
private func chooseSources(folder: String?, source: String?, count: Int?) throws -> (paths: [String], source: PhotoSource?) {
    var paths: [String], photoSource: PhotoSource?
    switch (folder, source) {
    case (let folder?, nil): paths = try sourcePhotos(in: folder)
    case (nil, let name?):
        photoSource = try PhotoSource.named(name)
        paths = try photoSource!.photoPaths()
    default: throw ValidationError("give either a source folder or --source NAME")
    }
    if let count { paths = Array(paths.prefix(max(0, count))) }
    return (paths, photoSource)
}

/// The sources, output and split of `data sr` and `data unprocess`.
struct PairSourceOptions: ParsableArguments {
    @Argument(help: "Folder of photos (or use --source).")
    var sourceFolder: String?
    @Option(name: .shortAndLong, help: "Output folder.") var output: String
    @Option(help: "Use the photos of Debian packages instead of a folder: \(PhotoSource.all.map(\.name).joined(separator: ", ")).")
    var source: String?
    @Option(help: "Percent of photos held out for testing (a --source holds out its fixed list instead).")
    var testPercent = 10.0
    @Option(help: "Use at most this many source photos.") var count: Int?

    /// Runs a pair maker on the chosen sources with progress, writes the sources' licences and
    /// says what was written; a skipped photo makes the exit code 1.
    func make(maxSide: Int, what: String, note: String,
              _ maker: ([String], PhotoPairSources, @escaping (Int, Int) -> Void) throws -> PhotoPairsSummary) throws {
        let (sources, photoSource) = try chooseSources(folder: sourceFolder, source: source, count: count)
        let using = PhotoPairSources(maxSide: maxSide > 0 ? maxSide : nil, testPercent: testPercent,
                                     heldOut: photoSource.flatMap { $0.heldOutPaths.isEmpty ? nil : $0.heldOutPaths })
        let progress = ProgressReporter(total: sources.count, unit: "photos")
        let summary = try maker(sources, using, progress.update)
        if let photoSource { try writeSourceLicence(for: sources, source: photoSource, to: output, note: note) }
        print("\(output): \(summary.training) training and \(summary.test) test \(what)"
              + (summary.skipped.isEmpty ? "" : "; \(summary.skipped.count) skipped"))
        if !summary.skipped.isEmpty { throw ExitCode(1) }
    }
}

struct DataSynth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a DPED-layout dataset whose inputs look like a phone camera's output.",
        discussion: """
            Each source photo is shrunk, degraded (exposure, tone curve, white balance, saturation, \
            sensor noise, Bayer mosaic and demosaic, lens blur, vignetting, JPEG) and cut into \
            patch pairs: OUT/<phone>/training_data/{<phone>,canon}/N.jpg and \
            OUT/<phone>/test_data/patches/..., plus full-size degraded test photos.
            """
    )

    @Argument(help: "Folder of high-quality photos (or use --source).")
    var sourceFolder: String?

    @Option(name: .shortAndLong, help: "Output dped folder.")
    var output: String

    @Option(help: "Use the photos of Debian packages instead of a folder: \(PhotoSource.all.map(\.name).joined(separator: ", ")).")
    var source: String?

    @Option(help: "Seed of every random choice.") var seed: UInt64 = 0
    @Option(help: "Use at most this many source photos.") var count: Int?
    @Option(help: "Patch side in pixels.") var patchSize = 100
    @Option(help: "Patches cut from each degraded copy of a photo.") var patchesPerPhoto = 30
    @Option(help: "Independently degraded copies of each photo.") var variants = 1
    @Option(help: "Phone folder name.") var phone = "synthetic"
    @Option(help: "Shrink sources to this longer side first (0: keep).") var maxSide = 1280
    @Option(help: "Percent of photos held out for testing (a --source holds out its fixed list instead).")
    var testPercent = 10.0
    @Option(help: "JPEG quality of the written files.") var quality = 95
    @Option(help: "JSON file with a DegradationConfig (ranges of every stage); --seed overrides its seed.")
    var degradation: String?
    @Option(help: "Degrade one attribute only, for MDIE's domains: \(DegradationConfig.domainNames.joined(separator: ", ")) (all: the three together).")
    var domain: String?
    @Flag(help: "Skip the JPEG re-compression stage.") var noJpeg = false
    @Flag(help: "Skip the Bayer mosaic and demosaic stage.") var noMosaic = false
    @Flag(help: "Degrade with random chains of several degradations in random order (exposure, casts, tone mapping, noise and its smear, sharpening halos, blur, resampling, JPEG twice) instead of the camera model; a share of photos is left as it is.")
    var chain = false
    @Option(help: "With --chain: share of photos left untouched.") var identityShare = DegradationChainConfig().identityShare

    func run() throws {
        let (sources, photoSource) = try chooseSources(folder: sourceFolder, source: source, count: count)
        var model = DegradationConfig()
        if let domain {
            guard let preset = DegradationConfig.domain(domain) else {
                throw ValidationError("--domain must be one of \(DegradationConfig.domainNames.joined(separator: ", ")), got '\(domain)'")
            }
            guard degradation == nil, !chain else { throw ValidationError("--domain replaces --degradation and --chain; give one of them") }
            model = preset
        }
        if let degradation {
            do { model = try JSONDecoder().decode(DegradationConfig.self, from: Data(contentsOf: URL(fileURLWithPath: degradation))) } catch {
                throw ValidationError("\(degradation): not a degradation config (\(error))")
            }
        }
        model.seed = seed
        if noJpeg { model.jpegQuality = nil }
        if noMosaic { model.mosaic = false }
        let config = SynthConfig(
            phone: phone, patchSize: patchSize, patchesPerPhoto: patchesPerPhoto, variants: variants, maxSide: maxSide > 0 ? maxSide : nil,
            testPercent: testPercent, quality: quality, degradation: model,
            chain: chain ? DegradationChainConfig(seed: seed, identityShare: identityShare) : nil,
            heldOut: photoSource.flatMap { $0.heldOutPaths.isEmpty ? nil : $0.heldOutPaths })
        let progress = ProgressReporter(total: sources.count, unit: "photos")
        let summary = try synthesizeDPED(sources: sources, output: output, config: config,
                                         progress: progress.update, report: warn)
        if let photoSource {
            try writeSourceLicence(for: sources, source: photoSource, to: "\(output)/\(phone)")
        }
        print("""
            \(output)/\(phone): \(summary.photos) photos → \(summary.trainingPatches) training patches, \
            \(summary.testPatches) test patches, \(summary.fullSizeTestImages) full-size test images\
            \(summary.skipped.isEmpty ? "" : "; \(summary.skipped.count) skipped")
            """)
        // Skipped sources were reported one by one; the exit code says some failed.
        if !summary.skipped.isEmpty { throw ExitCode(1) }
    }
}

struct DataSR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sr",
        abstract: "Write super-resolution pairs: each photo as the target and its bicubic reduction as the input.",
        discussion: """
            OUT/{train,test}/target/NAME.png is the photo (shrunk to --max-side, cropped to a multiple \
            of --scale), OUT/{train,test}/input/NAME.png its reduction ×--scale with PIL's antialiased \
            bicubic filter, and OUT/dataset.yaml names the layout (paired-folders, option scale), \
            so `dslr eval --data OUT` and a recipe's dataset section (layout paired-folders, \
            options {scale: 4}) read them.
            """
    )

    @OptionGroup var pairs: PairSourceOptions
    @Option(help: "Inputs are this many times smaller than targets on each side.") var scale = 4
    @Option(help: "Shrink sources to this longer side first (0: keep).") var maxSide = 2040

    func run() throws {
        try pairs.make(maxSide: maxSide, what: "pairs (×\(scale))", note: ", reduced ×\(scale) into super-resolution pairs by `dslr data sr`") {
            try makeSuperResolutionPairs(sources: $0, output: pairs.output, scale: scale, using: $1, progress: $2, report: warn)
        }
    }
}

struct DataUnprocess: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unprocess",
        abstract: "Write synthetic RAW-to-RGB pairs in the Zurich layout by inverting a camera pipeline on photos.",
        discussion: """
            Each photo (shrunk to --max-side, cropped to even sides) is unprocessed as Brooks et al. \
            (2019) do: inverse tone curve, inverse sRGB encoding, a random camera's colour matrix \
            inverted, white balance undone, RGGB mosaic, shot and read noise. \
            OUT/{train,test}/huawei_raw/NAME.png holds the mosaic as 16-bit counts (full scale 1020, as PyNET \
            divides), OUT/{train,test}/canon/NAME.png the photo, OUT/unprocess.json each photo's \
            camera. Read it as dataset layout zurich-raw-to-rgb.
            """
    )

    @OptionGroup var pairs: PairSourceOptions
    @Option(help: "Seed of every random camera and noise field.") var seed: UInt64 = 0
    @Option(help: "Shrink sources to this longer side first (0: keep).") var maxSide = 1024

    func run() throws {
        try pairs.make(maxSide: maxSide, what: "RAW-to-RGB pairs", note: ", unprocessed into synthetic RAW mosaics by `dslr data unprocess`") {
            try makeUnprocessedPairs(sources: $0, output: pairs.output, seed: seed, using: $1, progress: $2, report: warn)
        }
    }
}

struct DataPhotos: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "photos",
        abstract: "Copy freely licensed photos installed by a Debian package into a folder, with their licences."
    )

    @Option(help: "Photo source: \(PhotoSource.all.map(\.name).joined(separator: ", ")).")
    var source = PhotoSource.debianMate.name

    @Argument(help: "Destination folder.") var output: String
    @Option(help: "Shrink to this longer side and re-encode (for small test photos).") var maxSide: Int?
    @Option(help: "Copy at most this many photos.") var count: Int?

    func run() throws {
        let photoSource = try PhotoSource.named(source)
        let installed = try installPhotos(from: photoSource, to: output, maxSide: maxSide, limit: count)
        print("\(output): \(installed.count) photos from \(photoSource.packages.joined(separator: ", ")) (licences in LICENSE.md)")
    }
}

struct DataCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "List and validate a dataset as training would, reporting skipped files."
    )

    @Argument(help: "Layout: \(DatasetLayout.allCases.map(\.rawValue).joined(separator: ", ")).")
    var layout: String
    @Argument(help: "Dataset root folder.") var root: String
    @Option(name: .customLong("option"), help: "Layout option key=value (repeatable), e.g. phone=iphone.")
    var options: [String] = []

    func run() throws {
        var values: [String: String] = [:]
        for option in options {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--option \(option): expected key=value") }
            values[parts[0]] = parts[1]
        }
        let dataset = try makeDataset(DatasetSpec(name: layout, root: root, options: values), report: warn)
        print("""
            \(root) (\(layout), \(dataset.kind.rawValue)): train \(dataset.train.inputs.count) inputs / \
            \(dataset.train.targets.count) targets, test \(dataset.test.inputs.count) / \(dataset.test.targets.count), \
            full-size test \(dataset.fullSizeTest.count), skipped \(dataset.problems.count)
            """)
        if !dataset.problems.isEmpty { throw ExitCode(1) }
    }
}
