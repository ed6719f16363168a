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

    /// The format a file name's extension names (case-insensitive): jpg, jpeg, png, tif,
    /// tiff, webp, heic, heif; nil for anything else.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "jpg", "jpeg": self = .jpeg
        case "png": self = .png
        case "tif", "tiff": self = .tiff
        case "webp": self = .webp
        case "heic", "heif": self = .heic
        default: return nil
        }
    }

    /// Whether the format can hold 16-bit samples (as written by DSLRKit).
    public var holdsSixteenBits: Bool { self == .png || self == .tiff }
}

/// What a file's header says, read without decoding pixels.
public struct PhotoInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Samples per pixel in the file (1 gray, 3 RGB, 4 RGBA or CMYK, ...).
    public var bands: Int
    public var bitDepth: Int
    public var format: PhotoFormat?
    /// EXIF orientation, 1...8 (1 without EXIF). `width` and `height` are as stored; the
    /// decoded photo is `uprightWidth` × `uprightHeight`.
    public var orientation: Int
    public init(width: Int, height: Int, bands: Int, bitDepth: Int, format: PhotoFormat?, orientation: Int = 1) {
        self.width = width; self.height = height; self.bands = bands; self.bitDepth = bitDepth; self.format = format
        self.orientation = orientation
    }
    /// Orientations 5...8 turn the photo a quarter, swapping width and height.
    public var uprightWidth: Int { orientation >= 5 ? height : width }
    public var uprightHeight: Int { orientation >= 5 ? width : height }
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
    /// WebP only: lossless instead of lossy compression (`quality` is then ignored).
    public var lossless: Bool = false
    public init(
        quality: Int = 95, pngCompression: Int = 6, bitDepth: Int? = nil, keepMetadata: Bool = true,
        lossless: Bool = false
    ) {
        self.quality = quality; self.pngCompression = pngCompression; self.bitDepth = bitDepth
        self.keepMetadata = keepMetadata; self.lossless = lossless
    }
}

/// A photo that could not be read or written: names the file and the problem in one line.
///
/// Most failures are the file's (`badInput`: corrupt, truncated, not a photo); the others
/// say so: a missing file, the pixel limit, a format this libvips lacks, a bad encode
/// option, a failed write.
public struct PhotoError: KindedError, Sendable, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String
    public var kind: ErrorKind
    public init(path: String, problem: String, kind: ErrorKind = .badInput) {
        self.path = path; self.problem = problem; self.kind = kind
    }
    public var description: String { "\(path): \(problem)" }
}
