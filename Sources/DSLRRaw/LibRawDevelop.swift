import CRaw
import DSLRPhoto
import DSLRTensor

/// How LibRaw develops a RAW file when no model does.
public struct LibRawDevelopOptions: Sendable {
    /// Bits per sample LibRaw computes (8 or 16); the photo is then encoded as its format allows.
    public var bitDepth: Int
    /// Brighten so that about 1 % of pixels are white, as dcraw does by default; false keeps
    /// the exposure as shot.
    public var autoBrightness: Bool
    public init(bitDepth: Int = 16, autoBrightness: Bool = true) {
        self.bitDepth = bitDepth; self.autoBrightness = autoBrightness
    }
}

/// Develops the RAW file at `path` as LibRaw does: the camera's as-shot white balance,
/// LibRaw's demosaicing, sRGB primaries and the sRGB tone curve, upright, with the shot's
/// EXIF (`CaptureInfo.exif`). Every sensor LibRaw reads works here, Bayer or not.
///
/// LibRaw develops the image as the sensor stores it and `upright` turns it, the same step
/// that turns a RAW model's result, so both ways of developing share one orientation rule.
/// A file over `decode.maxPixels` is refused from its header, before its pixel data is read.
public func developWithLibRaw(
    _ path: String, options: LibRawDevelopOptions = LibRawDevelopOptions(), decode: DecodeOptions = DecodeOptions()
) throws -> Photo {
    guard options.bitDepth == 8 || options.bitDepth == 16 else {
        throw PhotoError(path: path, problem: "bit depth \(options.bitDepth) is not 8 or 16", kind: .badArgument)
    }
    let file = try LibRawFile(path)
    let header = RawInfo(file: file, info: file.info)
    try decode.checkPixelCount(width: header.width, height: header.height, path: path)
    try file.unpack()
    let samples = try file.develop(libRawSettings(options, flip: 0))
    let pixels = try rgbPixels(fromInterleaved: samples, maxValue: options.bitDepth == 16 ? 65535 : 255)
    return Photo(
        pixels: try upright(pixels, orientation: header.orientation), bitDepth: options.bitDepth,
        metadata: PhotoMetadata(exif: header.capture.exif()))
}

/// LibRaw's settings for `options`; `flip` is LibRaw's orientation code (-1: the file's).
func libRawSettings(_ options: LibRawDevelopOptions, flip: Int) -> cr_develop_settings {
    cr_develop_settings(
        bits: Int32(options.bitDepth), flip: Int32(flip), gamma_power: 1 / 2.4, gamma_slope: 12.92,
        camera_white_balance: 1, auto_bright: options.autoBrightness ? 1 : 0)
}
