import DSLRModels
import DSLRPhoto
import DSLRRaw
import DSLRTensor
import Foundation

// `dslr develop`: camera RAW files to photos, through a RAW-to-RGB model or LibRaw.
extension EnhanceEngine {
    /// Refuses a model that does not take packed Bayer mosaics (an RGB enhancer).
    public static func checkDevelops(_ model: LoadedModel) throws {
        guard model.inputEncoding == .packedBayer else {
            throw EngineError(
                "model '\(model.entry.card.name)' takes \(model.inputEncoding.rawValue) photos; developing RAW files needs a "
                    + "RAW-to-RGB model (packed-bayer input, such as the pynet architecture)",
                kind: .badArgument)
        }
    }

    /// `raw` through a RAW-to-RGB `model`: its normalised mosaic packed in PyNET's layout
    /// (`RawImage.packedBayer`), the network's RGB cut back to the mosaic's area, turned
    /// upright. The photo is marked 16-bit (formats that hold 16 bits keep the network's
    /// precision) and carries the shot's EXIF.
    public static func developHere(
        raw: RawImage, model: LoadedModel, tiling: TilingOptions = TilingOptions(),
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Photo {
        try checkDevelops(model)
        let packed = try raw.packedBayer()
        let output = try model.enhance(packed.channels.unsqueeze(0), tiling: tiling, progress: progress).squeeze(0)
        let pixels = try upright(packed.cropToMosaic(output), orientation: raw.info.orientation)
        return Photo(pixels: try pixels.contiguous(), bitDepth: 16, metadata: PhotoMetadata(exif: raw.info.capture.exif()))
    }

    /// One RAW file: with `model`, its mosaic through the model (`developHere`); without,
    /// LibRaw's own development (`developWithLibRaw`, at 16 bits where the output's format
    /// holds them). Encoded as the output's extension says, written atomically. The pixel
    /// limit is checked from the RAW header before any pixel data is read.
    public static func developFileHere(
        _ job: EnhanceJob, model: LoadedModel?, options: EnhanceOptions = EnhanceOptions(),
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> EnhancedFile {
        let start = Date()
        let photo: Photo
        if let model {
            photo = try developHere(raw: readRaw(job.input, options: options.decode), model: model, tiling: options.tiling,
                                    progress: progress)
        } else {
            let format = PhotoFormat(fileExtension: (job.output as NSString).pathExtension)
            let bits = options.encode.bitDepth ?? (format?.holdsSixteenBits == true ? 16 : 8)
            progress(0, 1)
            photo = try developWithLibRaw(job.input, options: LibRawDevelopOptions(bitDepth: bits), decode: options.decode)
            progress(1, 1)
        }
        try write(photo, to: job.output, options: options.encode)
        return EnhancedFile(job: job, width: photo.width, height: photo.height, seconds: Date().timeIntervalSince(start))
    }

    /// Develops `jobs` (RAW inputs, photo outputs) on the workers as `enhanceFiles` enhances
    /// photos: a failed file is reported for its job and the others go on. `model` nil:
    /// LibRaw's development.
    @discardableResult
    public func developFiles(
        _ jobs: [EnhanceJob], model: LoadedModel?, options: EnhanceOptions = EnhanceOptions(),
        progress: @escaping @Sendable (_ index: Int, _ done: Int, _ total: Int) -> Void = { _, _, _ in },
        finished: @escaping @Sendable (_ index: Int, _ result: Result<EnhancedFile, any Error>) -> Void = { _, _ in }
    ) -> [Result<EnhancedFile, any Error>] {
        processFiles(jobs, device: model?.device ?? .cpu, progress: progress, finished: finished) { job, report in
            try Self.developFileHere(job, model: model, options: options, progress: report)
        }
    }
}
