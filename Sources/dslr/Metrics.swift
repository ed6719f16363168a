import ArgumentParser
import DSLRMetrics
import DSLRPhoto
import DSLRTensor
import Foundation

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print PSNR, SSIM and MS-SSIM of two photos, or of two folders of photos paired by name.",
        discussion: """
            A is the result, B the reference. psnr: dB on [0, 1] (equal to data range 255 on 8-bit \
            values); ssim: scikit-image's SSIM per RGB channel (Gaussian σ 1.5); ssim_luma: the same \
            on TensorFlow grayscale; ms_ssim: pytorch-msssim's 5-scale MS-SSIM (images over 160 px); \
            ms_ssim_dped: DPED's MultiScaleSSIM, the variant behind DPED's published numbers. \
            Folders are paired by relative path; a photo without a partner or of another size is \
            reported and skipped.
            """)

    @Argument(help: "Result photo or folder.") var a: String
    @Argument(help: "Reference photo or folder.") var b: String
    @Flag(help: "Print JSON instead of a table.") var json = false

    static let columns = ["psnr", "ssim", "ssim_luma", "ms_ssim", "ms_ssim_dped"]

    func run() throws {
        let pairs = try pairPhotos(a, b)
        guard !pairs.isEmpty else { throw ValidationError("no photos of \(a) have a partner in \(b)") }
        var rows: [(String, [String: Double])] = []
        var failed = 0
        for (name, pathA, pathB) in pairs {
            do {
                let x = try readPhoto(pathA).pixels, y = try readPhoto(pathB).pixels
                guard x.shape == y.shape else {
                    throw PhotoError(path: pathA, problem: "is \(x.shape[2])x\(x.shape[1]) but \(pathB) is \(y.shape[2])x\(y.shape[1])")
                }
                rows.append((name, try qualityMetrics(output: x.unsqueeze(0), target: y.unsqueeze(0))))
            } catch {
                failed += 1
                FileHandle.standardError.write(Data("error: \(oneLine(error, file: pathA))\n".utf8))
            }
        }
        var mean: [String: Double] = [:]
        for column in Self.columns {
            let values = rows.compactMap { $0.1[column] }
            if !values.isEmpty { mean[column] = values.reduce(0, +) / Double(values.count) }
        }
        if json {
            // JSON has no infinity (identical photos have infinite PSNR): such values are null.
            func finite(_ m: [String: Double]) -> [String: Any] { m.mapValues { $0.isFinite ? $0 as Any : NSNull() } }
            let object: [String: Any] = [
                "pairs": rows.map { ["name": $0.0, "metrics": finite($0.1)] as [String: Any] },
                "mean": finite(mean), "count": rows.count, "failed": failed,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            let width = max(4, rows.map(\.0.count).max() ?? 0)
            func line(_ name: String, _ m: [String: Double]) -> String {
                name.padding(toLength: width, withPad: " ", startingAt: 0) + Self.columns.map { c in
                    m[c].map { String(format: c == "psnr" ? "%14.3f" : "%14.5f", $0) } ?? String(repeating: " ", count: 13) + "-"
                }.joined()
            }
            print("".padding(toLength: width, withPad: " ", startingAt: 0) + Self.columns.map { $0.leftPadded(14) }.joined())
            for (name, m) in rows { print(line(name, m)) }
            if rows.count > 1 { print(line("mean", mean)) }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

/// (name, a, b) for two photos, or for the photos of folder `a` with the same relative path in `b`.
func pairPhotos(_ a: String, _ b: String) throws -> [(String, String, String)] {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: a, isDirectory: &isDir) else { throw ValidationError("\(a): no such file or folder") }
    let aIsDir = isDir.boolValue
    guard fm.fileExists(atPath: b, isDirectory: &isDir) else { throw ValidationError("\(b): no such file or folder") }
    guard aIsDir == isDir.boolValue else { throw ValidationError("give two photos or two folders, not one of each") }
    if !aIsDir { return [((a as NSString).lastPathComponent, a, b)] }
    let (root, relatives) = photosBelow(a)
    var pairs: [(String, String, String)] = []
    for relative in relatives {
        let partner = (b as NSString).appendingPathComponent(relative)
        if fm.fileExists(atPath: partner) {
            pairs.append((relative, root.appendingPathComponent(relative).path, partner))
        } else {
            FileHandle.standardError.write(Data("skipped: \(root.appendingPathComponent(relative).path) has no partner \(partner)\n".utf8))
        }
    }
    return pairs
}
