import DSLRPhoto

/// How photos are enhanced: tiling for the model, decoding limits and encoding settings
/// for files.
public struct EnhanceOptions: Sendable {
    public var tiling: TilingOptions
    public var decode: DecodeOptions
    public var encode: EncodeOptions
    public init(tiling: TilingOptions = TilingOptions(), decode: DecodeOptions = DecodeOptions(),
                encode: EncodeOptions = EncodeOptions()) {
        self.tiling = tiling; self.decode = decode; self.encode = encode
    }
}

/// What enhancing one file produced.
public struct EnhancedFile: Sendable, Equatable {
    public var job: EnhanceJob
    public var width: Int
    public var height: Int
    /// Wall time of decode, model and write.
    public var seconds: Double
    public var megapixels: Double { Double(width * height) / 1e6 }
}
