import DSLRLosses
import DSLRModels
import DSLRPhoto
import DSLRTensor
import Foundation

/// A phase of MPSE (Huang & Liu's Multi-Phase Semantic Enhancement).
public enum MPSEPhase: Int, Sendable, CaseIterable, Comparable {
    /// Phase 1: a trained enhancer (the thesis' DPED+; here any enhancing model).
    case enhance = 1
    /// Phase 2: semantic style refinement against a recommended reference photo.
    case style = 2
    /// Phase 3: histogram equalisation, then gamma 1/2.2 (`ClassicConfig.mpse`).
    case finish = 3

    public static func < (a: MPSEPhase, b: MPSEPhase) -> Bool { a.rawValue < b.rawValue }

    /// Phases from text such as "1,2,3" or "2".
    public static func parse(_ text: String) throws -> Set<MPSEPhase> {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let phases = parts.compactMap { Int($0).flatMap(MPSEPhase.init(rawValue:)) }
        guard !parts.isEmpty, phases.count == parts.count else {
            throw EngineError("phases '\(text)': expected a comma-separated list of 1, 2 and 3", kind: .badArgument)
        }
        return Set(phases)
    }
}

/// The feature network of phase 2 and of the reference recommendation.
public struct MPSEFeatureNetwork: @unchecked Sendable {  // the feature network is only read, never changed
    public let extractor: any FeatureExtractor
    /// What it is, for the user: the weights file, or what stands in for missing weights.
    public let description: String

    /// VGG-19 with the ImageNet weights `dslr import vgg` put in the conventional place, or,
    /// when there are none, VGG-19 with seeded random weights (`VGG.random`). Random
    /// convolutions still measure colour and local texture statistics, which is most of what
    /// a Gram style loss transfers; they give up the object-level features that make an
    /// ImageNet VGG's content loss keep the scene recognisable and its reference similarity
    /// semantic.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MPSEFeatureNetwork {
        let url = VGGWeights.conventionalURL(.vgg19, environment: environment)
        if FileManager.default.fileExists(atPath: url.path) {
            let vgg = try VGGWeights.load(.vgg19, environment: environment)
            return MPSEFeatureNetwork(extractor: VGGFeatures(vgg), description: "VGG-19 with ImageNet weights from \(url.path)")
        }
        return MPSEFeatureNetwork(
            extractor: VGGFeatures(try VGG.random(.vgg19)),
            description: "VGG-19 with random weights (seed 0): no ImageNet weights at \(url.path) (dslr import vgg); "
                + "style statistics of colour and texture only, no semantic features")
    }
}

/// MPSE's three phases over photos: phase 1 a model, phase 2 `SemanticStyleRefiner` against
/// the nearest reference of a `ReferenceLibrary`, phase 3 `ClassicEnhancer(config: .mpse)`.
/// Any subset of the phases runs, in order.
public final class MPSEPipeline: Sendable {
    public let phases: Set<MPSEPhase>
    public let model: LoadedModel?
    public let refiner: SemanticStyleRefiner?
    public let references: ReferenceLibrary?
    public let finisher = ClassicEnhancer(config: .mpse)

    /// Phase 1 needs `model`; phase 2 needs `refiner` and `references`.
    public init(phases: Set<MPSEPhase>, model: LoadedModel?, refiner: SemanticStyleRefiner?, references: ReferenceLibrary?) throws {
        guard !phases.isEmpty else { throw EngineError("MPSE: no phase to run", kind: .badArgument) }
        if phases.contains(.enhance), model == nil {
            throw EngineError("MPSE phase 1 needs an enhancing model", kind: .badArgument)
        }
        if phases.contains(.style), refiner == nil || references == nil {
            throw EngineError("MPSE phase 2 needs reference photos (--references)", kind: .badArgument)
        }
        if let model { try EnhanceEngine.checkEnhances(model) }
        self.phases = phases; self.model = model; self.refiner = refiner; self.references = references
    }

    /// What the pipeline did to one photo.
    public struct Outcome: Sendable {
        public var photo: Photo
        /// The reference phase 2 used.
        public var reference: String?
        public var style: SemanticStyleResult?
    }

    /// Runs the phases on `photo`; the result keeps its bit depth and metadata. `progress`
    /// counts phase 2's steps; `log` gets a few lines per photo (the reference chosen, the
    /// losses).
    public func run(
        _ photo: Photo, options: EnhanceOptions = EnhanceOptions(), name: String = "photo",
        progress: (Int, Int) -> Void = { _, _ in }, log: (String) -> Void = { _ in }
    ) throws -> Outcome {
        var current = photo
        var outcome = Outcome(photo: photo)
        if phases.contains(.enhance), let model {
            current = try EnhanceEngine.enhanceHere(photo: current, model: model, tiling: options.tiling, strength: options.strength)
        }
        if phases.contains(.style), let refiner, let references {
            let image = try current.pixels.unsqueeze(0)
            let chosen = try references.nearest(to: image)
            log(String(format: "%@: reference %@ (feature distance %.3f)", name, chosen.path, chosen.distance))
            let reference = try readPhoto(chosen.path, options: options.decode).pixels.unsqueeze(0)
            let every = max(1, refiner.options.iterations / 4)
            let result = try refiner.refine(image, reference: reference) { step, steps, losses in
                progress(step, steps)
                if step % every == 0 || step == steps {
                    log(String(format: "%@: phase 2 step %d/%d: objective %.4g (style %.4g, content %.4g, tv %.4g)",
                               name, step, steps, losses.objective, losses.style, losses.content, losses.totalVariation))
                }
            }
            log(String(format: "%@: phase 2 style loss %.4g -> %.4g, content loss %.4g, %d regions (%@)", name,
                       result.first.style, result.last.style, result.last.content, result.regions.count,
                       result.regions.map(\.rawValue).joined(separator: ", ")))
            current.pixels = try result.image.squeeze(0)
            outcome.reference = chosen.path
            outcome.style = result
        }
        if phases.contains(.finish) {
            // Global, not per region as the paper: equalising phase 2's hard regions each on its
            // own histogram left visible seams along their borders in Storm.jpg (the regions
            // stay available: `SemanticStyleResult.labels`, `ClassicEnhancer(_:regions:)`).
            current.pixels = try finisher(current.pixels.unsqueeze(0).to(.float32)).squeeze(0)
        }
        outcome.photo = current
        return outcome
    }

    /// One photo file: decode (orientation applied), the phases, encode with the input's
    /// metadata, atomic write.
    public func processFile(
        _ job: EnhanceJob, options: EnhanceOptions = EnhanceOptions(),
        progress: (Int, Int) -> Void = { _, _ in }, log: (String) -> Void = { _ in }
    ) throws -> EnhancedFile {
        let start = Date()
        let photo = try readPhoto(job.input, options: options.decode)
        let outcome = try run(photo, options: options, name: job.input, progress: progress, log: log)
        try EnhanceEngine.write(outcome.photo, to: job.output, options: options.encode)
        return EnhancedFile(job: job, width: photo.width, height: photo.height, seconds: Date().timeIntervalSince(start))
    }
}
