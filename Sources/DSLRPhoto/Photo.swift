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
