import DSLRLosses
import DSLRPhoto
import DSLRTensor
import Foundation

/// MPSE's reference recommendation: the reference photo whose global features are nearest to
/// the photo's.
///
/// The thesis compares VGG-16 FC-8 outputs and re-ranks with a metric trained on labelled
/// positive and negative references; neither the classifier layers nor the labels are
/// available here, so a photo is described by the per-channel mean and standard deviation of
/// one VGG layer's features (by default the deepest style layer, conv5_1: the first and
/// second moments that the Gram style loss compares), scaled to unit length, and the nearest
/// reference is the one at the smallest Euclidean distance (the order of cosine similarity).
public struct ReferenceLibrary: @unchecked Sendable {  // the feature network is only read, never changed
    /// The reference photos, in the order of `descriptors`' rows.
    public let paths: [String]
    /// [M, 2C] unit-length descriptors.
    public let descriptors: Tensor
    public let features: any FeatureExtractor
    public let layer: String
    /// Longest side photos are shrunk to before their features are taken.
    public let side: Int

    /// Describes every photo below `folder` (decoded with `decode`'s limits). An empty folder
    /// or an unreadable photo is an error naming it.
    public init(folder: String, features: any FeatureExtractor, layer: String = "conv5_1", side: Int = 256,
                decode: DecodeOptions = DecodeOptions()) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw EngineError("\(folder): no such folder of reference photos", kind: .notFound)
        }
        let (root, found) = photosBelow(folder)
        guard !found.isEmpty else { throw EngineError("\(folder): no reference photos in it", kind: .notFound) }
        let paths = found.map { root.appendingPathComponent($0).path }
        try self.init(paths: paths, features: features, layer: layer, side: side) { path in
            try readPhoto(path, options: decode).pixels.unsqueeze(0)
        }
    }

    /// Describes the photos `load` gives for `paths` ([1, 3, H, W] in [0, 1] each).
    public init(paths: [String], features: any FeatureExtractor, layer: String = "conv5_1", side: Int = 256,
                load: (String) throws -> Tensor) throws {
        guard !paths.isEmpty else { throw EngineError("no reference photos", kind: .badArgument) }
        self.paths = paths; self.features = features; self.layer = layer; self.side = side
        var rows: [Tensor] = []
        for path in paths {
            do {
                rows.append(try Self.describe(try load(path), features: features, layer: layer, side: side))
            } catch {
                throw EngineError("\(path): \(error)", kind: ErrorKind(of: error))
            }
        }
        descriptors = try stack(rows)
    }

    /// The reference nearest to `image` ([1, 3, H, W] in [0, 1]) and its distance.
    public func nearest(to image: Tensor) throws -> (index: Int, path: String, distance: Double) {
        let d = try Self.describe(image, features: features, layer: layer, side: side)
        let distances = try (descriptors - d.unsqueeze(0)).square().sum(dims: [1]).sqrt().toArray(Float.self)
        let index = distances.indices.min { distances[$0] < distances[$1] }!
        return (index, paths[index], Double(distances[index]))
    }

    /// Channel means and standard deviations of `layer` over positions, [2C], unit length.
    static func describe(_ image: Tensor, features: any FeatureExtractor, layer: String, side: Int) throws -> Tensor {
        try withNoGrad {
            let f = try features.activations(of: fitted(image.to(.float32), side: side), layers: [layer])[layer]!.squeeze(0)
                .flatten(from: 1)                                                   // [C, P]
            let moments = try cat([f.mean(dims: [1]), f.std(dims: [1], correction: 0)])
            return try moments / moments.norm().clamp(min: 1e-12)
        }
    }
}
