import DSLREnhance
import DSLRPhoto
import DSLRTensor
import Foundation

/// One `POST /v1/enhance`, checked: which served model, how strongly, and how to encode.
public struct EnhanceRequest: Sendable, Equatable {
    public var model: String
    public var strength: Double
    /// nil: the upload's own format (JPEG when it cannot be told).
    public var format: PhotoFormat?
    public var quality: Int

    /// Reads the query parameters `model`, `strength`, `format` and `quality`; anything
    /// else is refused by name, so a misspelt parameter is not silently ignored.
    public init(parameters: [(String, String)], servedModels: [String]) throws {
        let known = ["model", "strength", "format", "quality"]
        if let unknown = parameters.first(where: { !known.contains($0.0) }) {
            throw ServeError(status: 400, "unknown parameter '\(unknown.0)' (known: \(known.joined(separator: ", ")))")
        }
        func value(_ name: String) -> String? { parameters.last(where: { $0.0 == name })?.1 }
        model = value("model") ?? servedModels[0]
        guard servedModels.contains(model) else {
            throw ServeError(status: 404, "model '\(model)' is not served here (served: \(servedModels.joined(separator: ", ")))")
        }
        strength = 1
        if let text = value("strength") {
            guard let s = Double(text), s.isFinite, (0...1).contains(s) else {
                throw ServeError(status: 400, "strength must be a number from 0 to 1, got '\(text)'")
            }
            strength = s
        }
        if let text = value("format") {
            guard let f = PhotoFormat(fileExtension: text) else {
                throw ServeError(status: 400, "format must be one of jpeg, png, tiff, webp, heic, got '\(text)'")
            }
            format = f
        }
        quality = 95
        if let text = value("quality") {
            guard let q = Int(text), (1...100).contains(q) else {
                throw ServeError(status: 400, "quality must be a whole number from 1 to 100, got '\(text)'")
            }
            quality = q
        }
    }
}

extension PhotoFormat {
    /// The format of encoded `bytes` told by their signature (nil when none matches).
    public init?(signature bytes: [UInt8]) {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<(offset + prefix.count)]) == prefix
        }
        if starts([0xFF, 0xD8, 0xFF]) { self = .jpeg }
        else if starts([0x89, 0x50, 0x4E, 0x47]) { self = .png }
        else if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { self = .tiff }
        else if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { self = .webp }
        else if starts(Array("ftyp".utf8), at: 4) { self = .heic }
        else { return nil }
    }

    /// The media type of the format.
    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .tiff: "image/tiff"
        case .webp: "image/webp"
        case .heic: "image/heic"
        }
    }
}

/// An enhanced upload, encoded.
public struct EnhancedUpload: Sendable {
    public var bytes: [UInt8]
    public var format: PhotoFormat
    public var width: Int
    public var height: Int
}

/// Decodes `upload` (refused from its header when over `maxPixels`), enhances it with the
/// request's model on the engine's workers, and encodes it with its metadata.
public func enhanceUpload(
    _ upload: [UInt8], request: EnhanceRequest, engine: EnhanceEngine, maxPixels: Int
) async throws -> EnhancedUpload {
    let photo = try decodePhoto(upload, name: "the uploaded photo", options: DecodeOptions(maxPixels: maxPixels))
    let enhanced = try await engine.enhance(
        photo: photo, model: request.model, options: EnhanceOptions(strength: request.strength))
    let format = request.format ?? PhotoFormat(signature: upload) ?? .jpeg
    let bytes = try encodePhoto(enhanced, format: format, options: EncodeOptions(quality: request.quality))
    return EnhancedUpload(bytes: bytes, format: format, width: enhanced.width, height: enhanced.height)
}
