import DSLRPhoto

/// How photos are enhanced: tiling for the model, decoding limits and encoding settings
/// for files.
public struct EnhanceOptions: Sendable {
    public var tiling: TilingOptions
    public var decode: DecodeOptions
    public var encode: EncodeOptions
    /// 0 keeps the input, 1 is the model's result (the default); between, a linear blend.
    public var strength: Double
    public init(tiling: TilingOptions = TilingOptions(), decode: DecodeOptions = DecodeOptions(),
                encode: EncodeOptions = EncodeOptions(), strength: Double = 1) {
        self.tiling = tiling; self.decode = decode; self.encode = encode; self.strength = strength
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
