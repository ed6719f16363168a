import ArgumentParser
import DSLRData
import DSLRPhoto
import DSLRTensor
import Foundation

/// `dslr data align`: builds a DPED-style training set from a user's own phone/DSLR pairs.
struct DataAlign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "Align phone/DSLR photo pairs (paired by file name) and cut aligned training patches.",
        discussion: """
            Writes OUT/training_data/<phone-name>/N.jpg and OUT/training_data/canon/N.jpg (the DPED \
            layout; numbering continues after the highest N already there) and appends one JSON \
            line per pair to OUT/align_report.jsonl: file, accepted, score, inliers, or the reason \
            for rejection.
            """
    )

    @Argument(help: "Folder of phone photos.")
    var phoneDirectory: String

    @Argument(help: "Folder of DSLR photos (same file names, any photo extension).")
    var dslrDirectory: String

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String

    @Option(help: "Patch side in pixels.")
    var patchSize = 100

    @Option(help: "Step between patches in pixels (default: the patch size, no overlap).")
    var stride: Int?

    @Option(help: "Smallest alignment score (ECC correlation of the gray photos) accepted.")
    var minScore = AlignOptions().minScore

    @Option(help: "Smallest common area, as a fraction of the phone photo, accepted.")
    var minOverlap = AlignOptions().minOverlap

    @Option(help: "Smallest number of RANSAC inlier matches accepted.")
    var minInliers = AlignOptions().minInliers

    @Option(help: ArgumentHelp(
        "Skip patches whose gray correlation between the two photos is below this (parallax, moving objects).",
        discussion: "Off by default: flat patches (sky, walls) correlate poorly even when aligned."))
    var minPatchScore: Double?

    @Flag(help: "Refine each DSLR patch by a sub-pixel shift (follows lens distortion and parallax).")
    var localRefine = false

    @Option(help: "Folder name of the phone patches under training_data (DPED: iphone, sony, blackberry).")
    var phoneName = "iphone"

    @Option(help: "JPEG quality of the patches.")
    var quality = 95

    @Flag(help: "Also write each accepted pair's aligned, cropped photos to OUT/aligned/.")
    var saveAligned = false

    func validate() throws {
        guard patchSize > 0 else { throw ValidationError("--patch-size must be positive") }
        if let stride, stride <= 0 { throw ValidationError("--stride must be positive") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be in 1...100") }
        guard (-1...1).contains(minScore) else { throw ValidationError("--min-score must be in -1...1") }
        guard (0...1).contains(minOverlap) else { throw ValidationError("--min-overlap must be in 0...1") }
        if let minPatchScore, !(-1...1).contains(minPatchScore) {
            throw ValidationError("--min-patch-score must be in -1...1")
        }
        guard !phoneName.isEmpty, !phoneName.contains("/"), phoneName != "canon" else {
            throw ValidationError("--phone-name must be a plain folder name other than canon")
        }
    }

    func run() throws {
        let pairing = try pairPhotos(phoneDirectory: phoneDirectory, dslrDirectory: dslrDirectory)
        for path in pairing.unpairedPhone { warn("\(path): no DSLR photo of the same name, skipped") }
        for path in pairing.unpairedDSLR { warn("\(path): no phone photo of the same name, skipped") }
        guard !pairing.pairs.isEmpty else {
            throw ValidationError("no photo pairs: \(phoneDirectory) and \(dslrDirectory) share no file names")
        }
        let phoneDir = "\(output)/training_data/\(phoneName)", dslrDir = "\(output)/training_data/canon"
        for dir in [phoneDir, dslrDir] + (saveAligned ? ["\(output)/aligned"] : []) {
            try createFolder(dir)
        }
        var next = max(nextIndex(in: phoneDir), nextIndex(in: dslrDir))
        let reportPath = "\(output)/align_report.jsonl"
        // Appended to, like the patch numbering, so several runs build one dataset.
        var report = (try? String(contentsOfFile: reportPath, encoding: .utf8)) ?? ""
        var options = AlignOptions()
        options.minScore = minScore
        options.minOverlap = minOverlap
        options.minInliers = minInliers
        var accepted = 0, patches = 0, failed = 0
        let progress = ProgressReporter(total: pairing.pairs.count, unit: "pairs")
        for (k, pair) in pairing.pairs.enumerated() {
            let prefix = "[\(k + 1)/\(pairing.pairs.count)] \(pair.name):"
            var line = ReportLine(file: pair.name, phone: pair.phone, dslr: pair.dslr, accepted: false)
            progress.step("aligning \(pair.name)")
            do {
                let phone = try readPhoto(pair.phone), dslr = try readPhoto(pair.dslr)
                let result = try alignPair(phone: phone.pixels, dslr: dslr.pixels, options: options)
                let (written, skipped) = try writePatches(result, startingAt: next, phoneDir: phoneDir, dslrDir: dslrDir)
                if saveAligned { try writeAligned(result, name: pair.name) }
                line.record(result, firstPatch: next, patches: written)
                line.skippedPatches = minPatchScore == nil ? nil : skipped
                next += written
                patches += written
                accepted += 1
                let skipNote = skipped > 0 ? " (\(skipped) below --min-patch-score)" : ""
                progress.finish("\(prefix) aligned, score \(format(result.score)), \(result.inliers) inliers, \(written) patches\(skipNote)")
            } catch let rejection as AlignmentRejection {
                line.reason = rejection.reason
                line.score = rejection.score
                line.inliers = rejection.inliers
                progress.finish("\(prefix) rejected: \(rejection.reason)")
            } catch {
                // Unreadable files are errors (the exit code says so); a rejection above is a result.
                failed += 1
                line.reason = "\(error)"
                progress.finish("\(prefix) skipped: \(error)")
            }
            report += try line.json() + "\n"
            // Rewritten after every pair so an interrupted run keeps its report.
            try writeAtomically(report, to: reportPath)
        }
        print("\(accepted) of \(pairing.pairs.count) pairs aligned, \(patches) patch pairs in \(output)/training_data; report: \(reportPath)")
        if failed > 0 { throw ExitCode(1) }
    }

    /// Cuts the patch pairs of `result` and writes them as N.jpg, numbered from `first`;
    /// returns how many were written and how many fell below `--min-patch-score`.
    private func writePatches(
        _ result: AlignmentResult, startingAt first: Int, phoneDir: String, dslrDir: String
    ) throws -> (written: Int, skipped: Int) {
        let all = try cutPatches(result, options: PatchOptions(size: patchSize, stride: stride, localRefine: localRefine))
        let kept = all.filter { $0.correlation >= minPatchScore ?? -.infinity }
        let encode = EncodeOptions(quality: quality, keepMetadata: false)
        for (k, patch) in kept.enumerated() {
            try writePhoto(Photo(pixels: patch.phone.contiguous()), to: "\(phoneDir)/\(first + k).jpg", options: encode)
            try writePhoto(Photo(pixels: patch.dslr.contiguous()), to: "\(dslrDir)/\(first + k).jpg", options: encode)
        }
        return (kept.count, all.count - kept.count)
    }

    private func writeAligned(_ result: AlignmentResult, name: String) throws {
        let encode = EncodeOptions(quality: quality, keepMetadata: false)
        try writePhoto(Photo(pixels: result.croppedPhone.contiguous()), to: "\(output)/aligned/\(name)_phone.jpg", options: encode)
        try writePhoto(Photo(pixels: result.croppedDSLR.contiguous()), to: "\(output)/aligned/\(name)_canon.jpg", options: encode)
    }
}

/// One pair's line in align_report.jsonl.
private struct ReportLine: Encodable {
    var file: String
    var phone: String
    var dslr: String
    var accepted: Bool
    var reason: String?
    var score: Double?
    var inliers: Int?
    var matches: Int?
    var overlap: Double?
    var commonRect: [Int]?
    var homography: [[Double]]?
    var refined: Bool?
    var firstPatch: Int?
    var patches: Int?
    var skippedPatches: Int?

    enum CodingKeys: String, CodingKey {
        case file, phone, dslr, accepted, reason, score, inliers, matches, overlap, homography, refined, patches
        case commonRect = "common_rect", firstPatch = "first_patch", skippedPatches = "skipped_patches"
    }

    mutating func record(_ result: AlignmentResult, firstPatch: Int, patches: Int) {
        accepted = true
        score = result.score
        inliers = result.inliers
        matches = result.matches
        overlap = result.overlap
        let r = result.commonRect
        commonRect = [r.x, r.y, r.width, r.height]
        homography = result.homography
        refined = result.refined
        self.firstPatch = firstPatch
        self.patches = patches
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// One more than the largest N of the N.jpg files in `directory` (0 when there are none).
private func nextIndex(in directory: String) -> Int {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    let numbers = names.compactMap { name -> Int? in
        guard name.lowercased().hasSuffix(".jpg") else { return nil }
        return Int(name.dropLast(4))
    }
    return (numbers.max() ?? -1) + 1
}

private func format(_ x: Double) -> String { String(format: "%.3f", x) }

