import DSLRPhoto
import DSLRTensor
import Foundation

// The work one worker does for one photo, on the calling thread. The engine's methods run
// these on its pool; `enhanceFile` (the free function) runs them directly.
extension EnhanceEngine {
    /// `photo` through `model`: same size, bit depth and metadata, new pixels.
    public static func enhanceHere(
        photo: Photo, model: LoadedModel, tiling: TilingOptions = TilingOptions(),
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Photo {
        let enhanced = try model.enhance(try photo.pixels.unsqueeze(0), tiling: tiling, progress: progress).squeeze(0)
        // The source's bit depth and metadata go along; the encoder keeps 16 bits where the format can.
        return Photo(pixels: enhanced, bitDepth: photo.bitDepth, metadata: photo.metadata)
    }

    /// One photo file: decode (orientation applied), model, encode with the input's
    /// metadata, atomic write.
    public static func enhanceFileHere(
        _ job: EnhanceJob, model: LoadedModel, options: EnhanceOptions = EnhanceOptions(),
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> EnhancedFile {
        let start = Date()
        let photo = try readPhoto(job.input, options: options.decode)
        let enhanced = try enhanceHere(photo: photo, model: model, tiling: options.tiling, progress: progress)
        let parent = (job.output as NSString).deletingLastPathComponent
        if !parent.isEmpty {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        try writePhoto(enhanced, to: job.output, options: options.encode)
        return EnhancedFile(job: job, width: photo.width, height: photo.height, seconds: Date().timeIntervalSince(start))
    }
}
