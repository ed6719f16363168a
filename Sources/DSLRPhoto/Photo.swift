import DSLRTensor

/// Metadata carried from an input photo to its output, as raw blobs.
public struct PhotoMetadata: Sendable, Equatable {
    /// The EXIF block (TIFF structure, without the "Exif\0\0" APP1 prefix), orientation
    /// already reset to 1 because pixels are stored upright after decoding.
    public var exif: [UInt8]?
    /// The embedded ICC colour profile.
    public var icc: [UInt8]?
    /// The XMP packet.
    public var xmp: [UInt8]?
    public init(exif: [UInt8]? = nil, icc: [UInt8]? = nil, xmp: [UInt8]? = nil) {
        self.exif = exif; self.icc = icc; self.xmp = xmp
    }
}

/// A decoded photo: upright RGB pixels as a float32 tensor [3, H, W] in [0, 1]
/// (sRGB-encoded values, as stored in the file), plus what to carry to the output.
public struct Photo: Sendable {
    public var pixels: Tensor
    /// Bits per sample of the source (8 or 16).
    public var bitDepth: Int
    public var metadata: PhotoMetadata
    public init(pixels: Tensor, bitDepth: Int = 8, metadata: PhotoMetadata = PhotoMetadata()) {
        self.pixels = pixels; self.bitDepth = bitDepth; self.metadata = metadata
    }
    public var height: Int { pixels.shape[1] }
    public var width: Int { pixels.shape[2] }
}

/// File formats DSLRKit reads and writes.
public enum PhotoFormat: String, Sendable, CaseIterable {
    case jpeg, png, tiff, webp, heic
}

/// What a file's header says, read without decoding pixels.
public struct PhotoInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Samples per pixel in the file (1 gray, 3 RGB, 4 RGBA or CMYK, ...).
    public var bands: Int
    public var bitDepth: Int
    public var format: PhotoFormat?
    public init(width: Int, height: Int, bands: Int, bitDepth: Int, format: PhotoFormat?) {
        self.width = width; self.height = height; self.bands = bands; self.bitDepth = bitDepth; self.format = format
    }
}

/// Decoding options.
public struct DecodeOptions: Sendable {
    /// Photos with more pixels than this are refused before their pixels are decoded.
    public var maxPixels: Int = 100_000_000
    public init(maxPixels: Int = 100_000_000) { self.maxPixels = maxPixels }
}

/// Encoding options.
public struct EncodeOptions: Sendable {
    /// JPEG / WebP / HEIC quality, 1...100.
    public var quality: Int = 95
    /// PNG deflate level, 0...9.
    public var pngCompression: Int = 6
    /// Bits per sample of the output (8 or 16); nil keeps the source's where the format allows.
    public var bitDepth: Int? = nil
    /// Carry EXIF / ICC / XMP into the output.
    public var keepMetadata: Bool = true
    public init(quality: Int = 95, pngCompression: Int = 6, bitDepth: Int? = nil, keepMetadata: Bool = true) {
        self.quality = quality; self.pngCompression = pngCompression; self.bitDepth = bitDepth
        self.keepMetadata = keepMetadata
    }
}

/// A photo that could not be read or written: names the file and the problem in one line.
public struct PhotoError: Error, Sendable, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String
    public init(path: String, problem: String) { self.path = path; self.problem = problem }
    public var description: String { "\(path): \(problem)" }
}

// The functions below are the module's contract; the libvips implementation replaces the
// bodies (photo I/O work in progress).

/// The header of the photo at `path` (no pixel decoding).
public func photoInfo(_ path: String) throws -> PhotoInfo {
    throw PhotoError(path: path, problem: "photo I/O is not implemented yet")
}

/// Decodes the photo at `path`: upright (EXIF orientation applied), RGB, float [3, H, W] in [0, 1].
public func readPhoto(_ path: String, options: DecodeOptions = DecodeOptions()) throws -> Photo {
    throw PhotoError(path: path, problem: "photo I/O is not implemented yet")
}

/// Decodes a photo held in memory; `name` is used in errors.
public func decodePhoto(_ bytes: [UInt8], name: String, options: DecodeOptions = DecodeOptions()) throws -> Photo {
    throw PhotoError(path: name, problem: "photo I/O is not implemented yet")
}

/// Encodes `photo` into `format` in memory.
public func encodePhoto(_ photo: Photo, format: PhotoFormat, options: EncodeOptions = EncodeOptions()) throws -> [UInt8] {
    throw PhotoError(path: "<memory>", problem: "photo I/O is not implemented yet")
}

/// Writes `photo` to `path` in the format its extension names, atomically (temp file + rename).
public func writePhoto(_ photo: Photo, to path: String, options: EncodeOptions = EncodeOptions()) throws {
    throw PhotoError(path: path, problem: "photo I/O is not implemented yet")
}
