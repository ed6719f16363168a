import CRaw
import DSLRPhoto
import DSLRTensor
import Foundation

/// One RAW file open in LibRaw, closed when Swift drops it, so every exit path (errors
/// included) closes it exactly once. Not shared between threads: each decode opens its own.
final class LibRawFile {
    let path: String
    private let handle: OpaquePointer

    /// Opens `path` and reads its header. A missing file or a folder is reported before
    /// LibRaw is asked, as DSLRPhoto does for photos.
    init(_ path: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw PhotoError(path: path, problem: "no such file", kind: .notFound)
        }
        guard !isFolder.boolValue else { throw PhotoError(path: path, problem: "is a folder, not a RAW file") }
        if let problem = notARegularFile(path) { throw PhotoError(path: path, problem: problem) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard size != 0 else { throw PhotoError(path: path, problem: "empty, not a RAW file") }
        try Self.probe(path)
        var status: Int32 = 0
        guard let handle = cr_open(path, &status) else {
            throw PhotoError(path: path, problem: Self.openProblem(status))
        }
        self.path = path
        self.handle = handle
    }

    deinit { cr_close(handle) }

    /// How long LibRaw may take to read a header before the file is refused as one it loops on.
    static let probeTimeoutMilliseconds: Int32 = 10_000

    /// Reads the header once in a child process first (`cr_in_child`): Debian's LibRaw 0.20
    /// overflows a buffer on some crafted headers and aborts (found by fuzzing, issue 19), and
    /// a crash there must cost one file, not the batch or the process.
    static func probe(_ path: String) throws {
        let outcome = cr_in_child(cr_open_only, path, probeTimeoutMilliseconds)
        try check(probe: outcome, path: path)
    }

    /// The error for `cr_in_child`'s `outcome`, if any.
    static func check(probe outcome: Int32, path: String) throws {
        if outcome == -1 {
            throw PhotoError(path: path, problem: "LibRaw did not finish reading its header in \(probeTimeoutMilliseconds / 1000) s; refused")
        }
        if outcome > 0 {
            let name = strsignal(outcome).map { String(cString: $0) } ?? "signal \(outcome)"
            throw PhotoError(path: path, problem: "LibRaw crashed reading its header (\(name)), a bug in LibRaw that this file triggers; refused")
        }
    }

    /// LibRaw's fields, copied out.
    var info: cr_info {
        var info = cr_info()
        cr_get_info(handle, &info)
        return info
    }

    /// The colour index (into `cdesc`) of visible pixel (row, column).
    func color(row: Int, column: Int) -> Int { Int(cr_color(handle, Int32(row), Int32(column))) }

    /// Entry `index` of LibRaw's black-level pattern (its rows and columns are `cblack.4/5`).
    func blackPattern(_ index: Int) -> Double { Double(cr_black_pattern(handle, UInt32(index))) }

    /// Reads the pixel data. LibRaw recovers from short reads and corrupt data by filling in
    /// zeros, so any error it reported on the way fails the file too.
    func unpack() throws {
        let status = cr_unpack(handle)
        if cr_data_errors(handle) > 0 || status == ioError {
            throw PhotoError(path: path, problem: "damaged or truncated, its pixel data cannot be read in full")
        }
        guard status == 0 else { throw failure("cannot decode its pixel data", status) }
    }

    /// The visible part of the unpacked single-channel mosaic as float32 counts [H, W]; nil
    /// for sensors LibRaw decodes into several channels per pixel.
    func visibleMosaic(_ info: cr_info) throws -> Tensor? {
        var pitch = 0
        guard let samples = cr_mosaic(handle, &pitch), pitch >= Int(info.left_margin + info.width) else { return nil }
        let rows = Int(info.raw_height)
        let frame = try Tensor(
            bytes: UnsafeRawBufferPointer(start: samples, count: rows * pitch * 2), shape: [rows, pitch], dtype: .int16)
        let visible = try frame.narrow(0, start: Int(info.top_margin), length: Int(info.height))
            .narrow(1, start: Int(info.left_margin), length: Int(info.width))
        return try unsignedSamples(visible)
    }

    /// LibRaw's own development: interleaved samples [H, W, 3] (uint8, or float32 counts for
    /// 16 bits) as it computed them with `settings`.
    func develop(_ settings: cr_develop_settings) throws -> Tensor {
        var settings = settings
        var image = cr_image()
        let status = cr_develop(handle, &settings, &image)
        guard status == 0, let data = image.data else { throw failure("LibRaw cannot develop it", status) }
        defer { cr_image_free(&image) }
        let shape = [Int(image.height), Int(image.width), Int(image.colors)]
        guard image.colors == 3, image.bits == settings.bits,
              image.size == shape.reduce(1, *) * Int(image.bits / 8) else {
            throw PhotoError(
                path: path, problem: "LibRaw developed it into \(image.colors) channels of \(image.bits) bits", kind: .internal)
        }
        let bytes = UnsafeRawBufferPointer(start: data, count: image.size)
        return image.bits == 16
            ? try unsignedSamples(Tensor(bytes: bytes, shape: shape, dtype: .int16))
            : try Tensor(bytes: bytes, shape: shape, dtype: .uint8)
    }

    private func failure(_ what: String, _ status: Int32) -> PhotoError {
        PhotoError(path: path, problem: "\(what): \(String(cString: cr_message(status)))")
    }

    private static func openProblem(_ status: Int32) -> String {
        let reason = String(cString: cr_message(status))
        switch status {
        case unsupportedFile: return "not a RAW file LibRaw can read (\(reason))"
        // Reading the header ran past the end of the file.
        case ioError: return "damaged or truncated, its header cannot be read"
        default: return "cannot be opened as a RAW file: \(reason)"
        }
    }
}

// LibRaw's status codes (libraw_const.h) that get their own message.
private let unsupportedFile: Int32 = -2
private let ioError: Int32 = -100009

/// 16-bit unsigned samples held in an int16 tensor (libtorch has little uint16 support) as
/// float32 values 0...65535: the negative halves are the upper range. float32 holds every
/// 16-bit count exactly.
func unsignedSamples(_ samples: Tensor) throws -> Tensor {
    let values = try samples.to(.float32)
    return try `where`(values.lt(0), values + 65536, values)
}
