import CRaw
import DSLRPhoto
import DSLRTensor
import Foundation

/// File extensions DSLRKit reads as camera RAW files (lower case), for finding them in
/// folders: DNG and the vendor formats LibRaw decodes.
public let rawExtensions: Set<String> = [
    "dng", "cr2", "cr3", "crw", "nef", "nrw", "arw", "srf", "sr2", "raf", "rw2", "rwl", "orf", "pef", "srw", "x3f",
    "3fr", "fff", "iiq", "mos", "mrw", "erf", "kdc", "dcr", "mef", "raw",
]

/// The four 2×2 arrangements of a Bayer colour filter array, named by the colours of the
/// cell at the mosaic's top left, read row by row.
public enum CFAPattern: String, Sendable, CaseIterable {
    case rggb = "RGGB", bggr = "BGGR", grbg = "GRBG", gbrg = "GBRG"

    /// The pattern whose cell reads `letters` (row by row); nil for anything that is not one
    /// red, one blue and two greens with the greens on a diagonal.
    public init?(cell letters: String) {
        guard let pattern = CFAPattern(rawValue: letters.uppercased()) else { return nil }
        self = pattern
    }

    /// Where red sits in the cell; blue is diagonally opposite.
    public var red: (row: Int, column: Int) {
        switch self {
        case .rggb: (0, 0)
        case .grbg: (0, 1)
        case .gbrg: (1, 0)
        case .bggr: (1, 1)
        }
    }
}

/// How a sensor records colour, as far as DSLRKit's RAW models care: a Bayer mosaic can be
/// packed for them, the others are developed by LibRaw only.
public enum SensorLayout: Sendable, Equatable, CustomStringConvertible {
    case bayer(CFAPattern)
    /// Fujifilm's 6×6 X-Trans filter array.
    case xTrans
    /// Three colours at every pixel: Foveon sensors, linear (demosaiced) DNGs, sRAW.
    case fullColour
    /// Any other filter array (four colours such as CMYG, or patterns larger than 2×2).
    case otherFilter(String)

    public var description: String {
        switch self {
        case .bayer(let pattern): "a \(pattern.rawValue) Bayer mosaic"
        case .xTrans: "an X-Trans sensor"
        case .fullColour: "full-colour pixels (Foveon, linear DNG or sRAW)"
        case .otherFilter(let letters): "a \(letters) colour filter array"
        }
    }
}

/// What the camera recorded about the shot, as LibRaw reads it; nil where the file does not say.
public struct CaptureInfo: Sendable, Equatable {
    public var make: String
    public var model: String
    /// Seconds.
    public var exposureTime: Double?
    public var fNumber: Double?
    public var iso: Double?
    /// Millimetres.
    public var focalLength: Double?
    /// "YYYY:MM:DD HH:MM:SS" as EXIF writes it, in the camera's own clock.
    public var date: String?
    public init(make: String, model: String, exposureTime: Double? = nil, fNumber: Double? = nil, iso: Double? = nil,
                focalLength: Double? = nil, date: String? = nil) {
        self.make = make; self.model = model; self.exposureTime = exposureTime; self.fNumber = fNumber
        self.iso = iso; self.focalLength = focalLength; self.date = date
    }
}

/// What a RAW file's header says, read without decoding its pixel data.
public struct RawInfo: Sendable, Equatable {
    /// The visible area as the sensor stores it (before orientation).
    public var width: Int
    public var height: Int
    /// EXIF orientation, 1...8: what turns the sensor's image upright.
    public var orientation: Int
    public var sensor: SensorLayout
    public var capture: CaptureInfo
    /// Orientations 5...8 turn the image a quarter, swapping width and height.
    public var uprightWidth: Int { orientation >= 5 ? height : width }
    public var uprightHeight: Int { orientation >= 5 ? width : height }
}

/// A Bayer RAW image: the visible mosaic as the sensor counted it, and what is needed to
/// turn counts into colour.
public struct RawImage: Sendable {
    public var info: RawInfo
    /// Sensor counts, float32 [H, W] holding integers exactly, before orientation.
    public var mosaic: Tensor
    public var pattern: CFAPattern
    /// The black level of each position of the cell at the mosaic's top left, row by row
    /// (top left, top right, bottom left, bottom right).
    public var blackLevels: [Double]
    /// The count at which the sensor saturates.
    public var whiteLevel: Double
    /// As-shot white balance: multipliers for R, G, B, green 1.
    public var whiteBalance: [Double]
    /// The camera maker's daylight multipliers (R, G, B, green 1), when LibRaw knows them.
    public var daylightBalance: [Double]?
    /// Camera RGB to linear sRGB, 3×3 row-major, as LibRaw computed it for its development.
    public var cameraToSRGB: [Double]
    /// XYZ to camera RGB (DNG's ColorMatrix, D65 where the file has it), 3×3 row-major.
    public var xyzToCamera: [Double]?

    public var width: Int { info.width }
    public var height: Int { info.height }

    /// The mosaic as a fraction of the sensor's range: (count − black) / (white − black) per
    /// cell position, clamped to [0, 1]. Counts below black are noise around zero light and
    /// counts above white are defects, neither scene light a model was trained on.
    public func normalizedMosaic() throws -> Tensor {
        let black = try Tensor(blackLevels.map(Float.init), shape: [2, 2])
            .repeated([(height + 1) / 2, (width + 1) / 2])
            .narrow(0, start: 0, length: height).narrow(1, start: 0, length: width)
        return try ((mosaic - black) / (whiteLevel - black)).clamp(min: 0, max: 1)
    }
}

/// Reads the header of the RAW file at `path` (no pixel data).
public func rawInfo(_ path: String) throws -> RawInfo {
    let file = try LibRawFile(path)
    return RawInfo(file: file, info: file.info)
}

/// Decodes the Bayer mosaic of the RAW file at `path` with its levels, pattern, white balance
/// and colour matrices.
///
/// A file over `options.maxPixels` is refused from its header, before its pixel data is
/// read. Sensors that are not 2×2 Bayer mosaics (X-Trans, Foveon, linear DNG, four-colour
/// arrays) are refused as `unsupported`: only `developWithLibRaw` develops them.
public func readRaw(_ path: String, options: DecodeOptions = DecodeOptions()) throws -> RawImage {
    let file = try LibRawFile(path)
    let header = RawInfo(file: file, info: file.info)
    try options.checkPixelCount(width: header.width, height: header.height, path: path)
    guard case .bayer(let pattern) = header.sensor else {
        throw PhotoError(
            path: path,
            problem: "has \(header.sensor), not a Bayer mosaic: RAW models take Bayer mosaics only (without a model, LibRaw develops it)",
            kind: .unsupported)
    }
    try file.unpack()
    // Some formats measure their black level from masked pixels while unpacking.
    let info = file.info
    guard let mosaic = try file.visibleMosaic(info) else {
        throw PhotoError(path: path, problem: "LibRaw decoded no single-channel mosaic from it", kind: .unsupported)
    }
    let white = Double(info.maximum)
    let blacks = blackLevels(file, info)
    guard white > (blacks.max() ?? 0) else {
        throw PhotoError(path: path, problem: "its white level \(Int(white)) is not above its black level \(Int(blacks.max() ?? 0))")
    }
    return RawImage(
        info: RawInfo(file: file, info: info), mosaic: mosaic, pattern: pattern, blackLevels: blacks, whiteLevel: white,
        whiteBalance: greenNormalized(info.cam_mul) ?? [1, 1, 1], daylightBalance: greenNormalized(info.pre_mul),
        cameraToSRGB: withUnsafeBytes(of: info.rgb_cam) { Array($0.bindMemory(to: Float.self)) }
            .enumerated().filter { $0.offset % 4 < 3 }.map { Double($0.element) },
        xyzToCamera: xyzToCamera(info))
}

/// The black level at each position of the top-left 2×2 cell: LibRaw's common level, its
/// level per colour, and its repeating pattern (DNG's BlackLevelRepeatDim, indexed from the
/// visible area's top left as LibRaw subtracts it). A pattern that does not repeat within
/// 2×2 is averaged over the pixels that share a cell position.
private func blackLevels(_ file: LibRawFile, _ info: cr_info) -> [Double] {
    let rows = Int(info.cblack.4), columns = Int(info.cblack.5)
    let perColour = withUnsafeBytes(of: info.cblack) { Array($0.bindMemory(to: UInt32.self)) }
    return (0..<4).map { position in
        let (row, column) = (position / 2, position % 2)
        var pattern = 0.0
        if rows > 0, columns > 0 {
            // Two periods in each direction hold every pixel of this cell position once per
            // common period of the pattern and the 2×2 cell.
            let values = stride(from: row, to: 2 * rows, by: 2).flatMap { r in
                stride(from: column, to: 2 * columns, by: 2).map { c in file.blackPattern((r % rows) * columns + c % columns) }
            }
            pattern = values.reduce(0, +) / Double(values.count)
        }
        let colour = file.color(row: row, column: column)
        return Double(info.black) + Double(perColour[min(max(colour, 0), 3)]) + pattern
    }
}

/// R, G, B multipliers scaled to green 1; nil when LibRaw has none (zeros).
private func greenNormalized(_ multipliers: (Float, Float, Float, Float)) -> [Double]? {
    let (r, g, b) = (Double(multipliers.0), Double(multipliers.1), Double(multipliers.2))
    guard r > 0, g > 0, b > 0 else { return nil }
    return [r / g, 1, b / g]
}

/// LibRaw's camera matrix from its tables, else the DNG's: the one calibrated for D65 (EXIF
/// illuminant 21), else the first present.
private func xyzToCamera(_ info: cr_info) -> [Double]? {
    func rows(_ matrix: ((Float, Float, Float), (Float, Float, Float), (Float, Float, Float), (Float, Float, Float))) -> [Double] {
        [matrix.0, matrix.1, matrix.2].flatMap { [Double($0.0), Double($0.1), Double($0.2)] }
    }
    let candidates = [rows(info.cam_xyz)]
        + [(info.dng_color_matrix.0, info.dng_illuminant.0), (info.dng_color_matrix.1, info.dng_illuminant.1)]
            .sorted { ($0.1 == 21 ? 0 : 1) < ($1.1 == 21 ? 0 : 1) }.map { rows($0.0) }
    return candidates.first { $0.contains { $0 != 0 } }
}

extension RawInfo {
    init(file: LibRawFile, info: cr_info) {
        let sensor: SensorLayout
        let letters = withUnsafeBytes(of: info.cdesc) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch info.filters {
        case 0: sensor = .fullColour
        case 9: sensor = .xTrans
        case 1000...:
            let cell = (0..<4).map { position -> Character in
                let index = file.color(row: position / 2, column: position % 2)
                return index >= 0 && index < letters.count ? Array(letters)[index] : "?"
            }
            let pattern = info.colors == 3 ? CFAPattern(cell: String(cell)) : nil
            sensor = pattern.map { .bayer($0) } ?? .otherFilter(info.colors == 3 ? String(cell) : letters)
        default: sensor = .otherFilter(letters)
        }
        self.init(
            width: Int(info.width), height: Int(info.height), orientation: exifOrientation(libRawFlip: Int(info.flip)),
            sensor: sensor, capture: CaptureInfo(info))
    }
}

extension CaptureInfo {
    init(_ info: cr_info) {
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                .trimmingCharacters(in: .whitespaces)
        }
        func known(_ value: Float) -> Double? { value > 0 && value.isFinite ? Double(value) : nil }
        self.init(
            make: text(info.make), model: text(info.model), exposureTime: known(info.shutter), fNumber: known(info.aperture),
            iso: known(info.iso_speed), focalLength: known(info.focal_len),
            date: info.timestamp > 0 ? exifDate(info.timestamp) : nil)
    }
}

/// LibRaw made its timestamp from the file's date read as local time (mktime), so reading
/// it back as local time gives the camera's own date and time again.
private func exifDate(_ timestamp: Int64) -> String? {
    var seconds = time_t(timestamp)
    var parts = tm()
    guard localtime_r(&seconds, &parts) != nil else { return nil }
    return String(format: "%04d:%02d:%02d %02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                  Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
}
