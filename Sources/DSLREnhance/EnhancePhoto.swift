import DSLRPhoto
import DSLRTensor
import Foundation

// The work one worker does for one photo, on the calling thread. The engine's methods run
// these on its pool; `enhanceFile` (the free function) runs them directly.
extension EnhanceEngine {
    /// `photo` through `model`: same bit depth and metadata, new pixels. `strength` blends
    /// the input and the model's result: 0 keeps the input, 1 is the model (the default),
    /// values between move part of the way.
    public static func enhanceHere(
        photo: Photo, model: LoadedModel, tiling: TilingOptions = TilingOptions(), strength: Double = 1,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Photo {
        guard strength.isFinite, (0...1).contains(strength) else {
            throw EngineError("strength must be between 0 and 1, got \(strength)", kind: .badArgument)
        }
        try checkEnhances(model)
        let input = try photo.pixels.unsqueeze(0)
        var enhanced = try model.enhance(input, tiling: tiling, progress: progress)
        if strength < 1 {
            guard enhanced.shape == input.shape else {
                throw EngineError("strength below 1 needs a model whose output has its input's size (\(model.entry.card.name) gives \(enhanced.shape) for \(input.shape))", kind: .unsupported)
            }
            // A linear blend in the photo's own (sRGB) values, so strength 0 is the input exactly.
            enhanced = try withNoGrad { try input.lerp(enhanced, strength) }
        }
        enhanced = try enhanced.squeeze(0)
        // The source's bit depth and metadata go along; the encoder keeps 16 bits where the format can.
        return Photo(pixels: enhanced, bitDepth: photo.bitDepth, metadata: photo.metadata)
    }

    /// Refuses a model that does not take RGB photos (a RAW-to-RGB network, which develops
    /// RAW files instead).
    public static func checkEnhances(_ model: LoadedModel) throws {
        guard model.inputEncoding != .packedBayer else {
            throw EngineError(
                "model '\(model.entry.card.name)' turns RAW mosaics into photos; develop RAW files with it (`dslr develop --model`)",
                kind: .badArgument)
        }
    }

    /// One photo file: decode (orientation applied), model, encode with the input's
    /// metadata, atomic write.
    public static func enhanceFileHere(
        _ job: EnhanceJob, model: LoadedModel, options: EnhanceOptions = EnhanceOptions(),
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> EnhancedFile {
        let start = Date()
        let photo = try readPhoto(job.input, options: options.decode)
        let enhanced = try enhanceHere(photo: photo, model: model, tiling: options.tiling, strength: options.strength,
                                       progress: progress)
        try write(enhanced, to: job.output, options: options.encode)
        return EnhancedFile(job: job, width: photo.width, height: photo.height, seconds: Date().timeIntervalSince(start))
    }

    /// Writes a result atomically, making its folder first.
    static func write(_ photo: Photo, to output: String, options: EncodeOptions) throws {
        let parent = (output as NSString).deletingLastPathComponent
        if !parent.isEmpty { try createFolder(parent) }
        try writePhoto(photo, to: output, options: options)
    }
}
