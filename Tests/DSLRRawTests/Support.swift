import DSLRNN
import DSLRTensor
import Foundation

/// The path of a fixture file (scripts/fixtures/make_dng_fixture.py).
func fixture(_ name: String) -> String {
    Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)?.path ?? "/missing-fixture/\(name)"
}

/// What the fixture script wrote into the DNGs, by name ("rggb.mosaic", "gbrg.black", ...).
func expected(_ name: String) throws -> Tensor {
    let (tensors, _) = try Checkpoint.load(URL(fileURLWithPath: fixture("raw_expected.safetensors")))
    guard let tensor = tensors.first(where: { $0.0 == name })?.1 else { throw TorchError("fixture has no tensor \(name)") }
    return tensor
}

/// An expected tensor's values, row-major.
func expectedValues(_ name: String) throws -> [Double] { try expected(name).to(.float64).toArray(Double.self) }

/// Largest absolute elementwise difference.
func maxAbsDiff(_ a: Tensor, _ b: Tensor) throws -> Double {
    try (a.to(.float64) - b.to(.float64)).abs().max().item()
}

func maxAbsDiff(_ a: [Double], _ b: [Double]) -> Double {
    a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
}

/// A fresh empty folder, removed when `body` returns.
func withTemporaryFolder<R>(_ body: (String) throws -> R) throws -> R {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dslrraw-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder.path)
}

/// The entries of an EXIF block's IFD0 and EXIF IFD by tag, written as text: ASCII as it
/// reads, SHORT and LONG as numbers, RATIONAL as "n/d". A reader written for the tests
/// only, independent of the writer under test; either byte order.
func exifEntries(_ exif: [UInt8]) -> [Int: String] {
    guard exif.count >= 8 else { return [:] }
    let big = exif[0] == 0x4D
    func u16(_ at: Int) -> Int {
        guard at + 2 <= exif.count else { return 0 }
        return big ? Int(exif[at]) << 8 | Int(exif[at + 1]) : Int(exif[at + 1]) << 8 | Int(exif[at])
    }
    func u32(_ at: Int) -> Int { big ? u16(at) << 16 | u16(at + 2) : u16(at + 2) << 16 | u16(at) }
    var entries: [Int: String] = [:]
    func read(ifd: Int) {
        guard ifd > 0, ifd + 2 <= exif.count else { return }
        for index in 0..<u16(ifd) {
            let entry = ifd + 2 + 12 * index
            guard entry + 12 <= exif.count else { return }
            let (tag, type, count) = (u16(entry), u16(entry + 2), u32(entry + 4))
            let size = [1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1][type, default: 0] * count
            let at = size <= 4 ? entry + 8 : u32(entry + 8)
            guard at + size <= exif.count else { continue }
            switch type {
            case 2: entries[tag] = String(decoding: exif[at..<(at + size)].prefix { $0 != 0 }, as: UTF8.self)
            case 3: entries[tag] = "\(u16(at))"
            case 4: entries[tag] = "\(u32(at))"
            case 5: entries[tag] = "\(u32(at))/\(u32(at + 4))"
            default: entries[tag] = String(decoding: exif[at..<(at + size)], as: UTF8.self)
            }
            if tag == 0x8769 { read(ifd: u32(entry + 8)) }
        }
    }
    read(ifd: u32(4))
    return entries
}
