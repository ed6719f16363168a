import DSLREnhance
import DSLRLosses
import DSLRModels
import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

/// Seeded synthetic photos for the MPSE tests, [1, 3, h, w] float32 in [0, 1].
private enum Scene {
    /// `colour` everywhere, plus seeded noise of amplitude `texture`.
    static func flat(_ colour: [Double], h: Int, w: Int, texture: Double = 0, seed: UInt64 = 1) throws -> Tensor {
        Torch.manualSeed(seed)
        let base = try Tensor(colour.map(Float.init), shape: [1, 3, 1, 1]).expand([1, 3, h, w])
        return try (base + (Tensor.rand([1, 3, h, w]) - 0.5) * texture).clamp(min: 0, max: 1)
    }

    /// A smooth blue sky above textured green ground.
    static func skyOverGrass(h: Int = 64, w: Int = 64, seed: UInt64 = 1) throws -> Tensor {
        let sky = try flat([0.35, 0.55, 0.9], h: h / 2, w: w, seed: seed)
            + Tensor.linspace(0, 0.08, count: h / 2).reshape([1, 1, h / 2, 1])
        let grass = try flat([0.2, 0.55, 0.15], h: h - h / 2, w: w, texture: 0.5, seed: seed + 1)
        return try cat([sky.clamp(min: 0, max: 1), grass], dim: 2)
    }
}

/// One random-weight VGG-19 for the suite (building it draws 20 M weights).
nonisolated(unsafe) private let randomVGG = Result { VGGFeatures(try VGG.random(.vgg19)) }

@Suite struct MPSESegmentationTests {
    @Test func skyIsFoundOnTopOfGrass() throws {
        let image = try Scene.skyOverGrass()
        let segmentation = try ColourClusterSegmenter().segment(image)
        #expect(segmentation.masks.shape == [segmentation.count, 64, 64])
        let sky = try #require(segmentation.classes.firstIndex(of: .sky))
        let mask = try segmentation.masks.select(0, sky)
        let top = try mask.narrow(0, start: 0, length: 32).mean().item()
        let bottom = try mask.narrow(0, start: 32, length: 32).mean().item()
        print("sky mask covers \(top) of the top half and \(bottom) of the bottom half; classes \(segmentation.classes)")
        #expect(top > 0.95)
        #expect(bottom < 0.05)
        // Masks partition the image.
        #expect(try segmentation.masks.sum(dims: [0]).eq(1).all())
    }

    /// A storm sky is dark, but smooth and blue-grey.
    @Test func aDarkStormSkyIsSky() throws {
        let storm = try Scene.flat([0.25, 0.3, 0.42], h: 30, w: 64, seed: 13)
            + Tensor.linspace(0, 0.1, count: 64).reshape([1, 1, 1, 64])
        let image = try cat([storm, Scene.flat([0.2, 0.55, 0.15], h: 34, w: 64, texture: 0.5, seed: 14)], dim: 2)
        let segmentation = try ColourClusterSegmenter().segment(image)
        let sky = try #require(segmentation.classes.firstIndex(of: .sky))
        #expect(try segmentation.masks.select(0, sky).narrow(0, start: 0, length: 30).mean().item() > 0.95)
        #expect(try segmentation.masks.select(0, sky).narrow(0, start: 30, length: 34).mean().item() < 0.05)
    }

    @Test func noSkyInAPhotoOfGrass() throws {
        let image = try Scene.flat([0.2, 0.55, 0.15], h: 48, w: 64, texture: 0.5)
        let segmentation = try ColourClusterSegmenter().segment(image)
        #expect(!segmentation.classes.contains(.sky))
    }

    @Test func segmentationIsDeterministic() throws {
        let image = try Scene.skyOverGrass(h: 40, w: 56)
        let a = try ColourClusterSegmenter().segment(image), b = try ColourClusterSegmenter().segment(image)
        #expect(a.classes == b.classes)
        #expect(try a.masks.equal(b.masks))
    }

    @Test func regionsMatchByClassThenColour() throws {
        let masks = try Tensor.zeros([3, 2, 2])
        let photo = Segmentation(masks: masks, classes: [.sky, .other, .other], meanLab: [[70, 0, -30], [40, -30, 30], [50, 40, 20]])
        let reference = Segmentation(masks: masks, classes: [.other, .other, .sky], meanLab: [[52, 38, 22], [42, -28, 25], [90, 0, 0]])
        #expect(matchRegions(photo, to: reference) == [2, 1, 0])
        // Without a sky in the reference, the photo's sky takes the nearest colour among the others.
        let skyless = Segmentation(masks: masks, classes: [.other, .other, .other], meanLab: [[52, 38, 22], [42, -28, 25], [68, 2, -25]])
        #expect(matchRegions(photo, to: skyless) == [2, 1, 0])
    }
}

@Suite(.serialized) struct MPSEStyleTests {
    @Test func refinementLowersTheStyleLossAndKeepsTheContent() throws {
        let features = try randomVGG.get()
        let photo = try Scene.skyOverGrass(h: 72, w: 96)
        // The reference: a warmer sky over darker, redder ground.
        let reference = try cat([
            Scene.flat([0.8, 0.6, 0.45], h: 32, w: 80, texture: 0.05, seed: 7),
            Scene.flat([0.45, 0.3, 0.15], h: 32, w: 80, texture: 0.3, seed: 8),
        ], dim: 2)
        var options = SemanticStyleOptions()
        options.iterations = 12
        options.workingSide = 48
        options.learningRate = 0.02
        let refiner = SemanticStyleRefiner(features: features, options: options)
        var steps: [Int] = []
        let result = try refiner.refine(photo, reference: reference) { step, _, _ in steps.append(step) }
        #expect(steps == Array(1...12))
        #expect(result.image.shape == photo.shape)
        #expect(try result.image.min().item() >= 0 && result.image.max().item() <= 1)
        // The content loss relative to the content features' own size (what contentWeight 1 is against).
        let work = try resizeBicubic(photo, height: 36, width: 48).clamp(min: 0, max: 1)
        let target = try features.activations(of: work, layers: options.contentLayers)[options.contentLayers[0]]!
        let contentScale = try target.square().mean().item() / 2
        print("style \(result.first.style) -> \(result.last.style); content \(result.last.content) (scale \(contentScale)); regions \(result.regions) matched to \(result.matches)")
        #expect(result.last.style < 0.7 * result.first.style)
        #expect(result.first.content == 0)
        #expect(result.last.content < 0.1 * contentScale)
        #expect(result.regions.first == .sky)
        // The regions at full size, for phase 3's per-region equalisation: sky on top, ground below.
        let labels = try result.labels(height: 72, width: 96)
        #expect(labels.shape == [72, 96] && labels.dtype == .int64)
        #expect(try labels.narrow(0, start: 0, length: 30).eq(0).all())
        #expect(try !labels.narrow(0, start: 42, length: 30).eq(0).any())
        // The change is enlarged from the working size: smooth, and present.
        let change = try (result.image - photo).abs().mean().item()
        #expect(change > 0.005 && change < 0.2)
    }

    /// The guided transfer carries a change that is an affine function of each channel to the
    /// full photo exactly, whatever the photo's size: the photo's own detail is kept.
    @Test func anAffineChangeIsCarriedToTheFullPhoto() throws {
        let photo = try Scene.flat([0.4, 0.5, 0.3], h: 90, w: 120, texture: 0.5, seed: 12)
        var options = SemanticStyleOptions()
        options.transferEps = 1e-8
        let work = try resizeBicubic(photo, height: 45, width: 60).clamp(min: 0, max: 1)
        let changed = try work * 0.8 + 0.1
        let carried = try SemanticStyleRefiner(features: try randomVGG.get(), options: options)
            .transfer(changed, optimisedFrom: work, to: photo)
        let expected = try (photo * 0.8 + 0.1).clamp(min: 0, max: 1)
        #expect(try (carried - expected).abs().max().item() < 1e-3)
    }

    @Test func noStepsKeepsThePhoto() throws {
        var options = SemanticStyleOptions()
        options.iterations = 0
        options.workingSide = 32
        let photo = try Scene.skyOverGrass(h: 40, w: 48)
        let result = try SemanticStyleRefiner(features: try randomVGG.get(), options: options)
            .refine(photo, reference: Scene.flat([0.5, 0.5, 0.5], h: 32, w: 32, texture: 0.2))
        #expect(try (result.image - photo).abs().max().item() < 1e-6)
    }

    @Test func aPhotoIsItsOwnStyle() throws {
        var options = SemanticStyleOptions()
        options.iterations = 5
        options.workingSide = 32
        let photo = try Scene.skyOverGrass(h: 40, w: 48)
        var steps = 0
        let result = try SemanticStyleRefiner(features: try randomVGG.get(), options: options)
            .refine(photo, reference: photo) { _, _, _ in steps += 1 }
        #expect(result.first.style == 0)
        #expect(steps == 0)
        #expect(try (result.image - photo).abs().max().item() < 1e-6)
    }

    @Test func theNearestReferenceIsRecommended() throws {
        let features = try randomVGG.get()
        let references = [
            "sky.png": try Scene.skyOverGrass(h: 64, w: 80, seed: 3),
            "red.png": try Scene.flat([0.8, 0.15, 0.1], h: 64, w: 80, texture: 0.1, seed: 4),
            "grass.png": try Scene.flat([0.2, 0.55, 0.15], h: 64, w: 80, texture: 0.5, seed: 5),
            "night.png": try Scene.flat([0.05, 0.05, 0.1], h: 64, w: 80, texture: 0.05, seed: 6),
        ]
        let library = try ReferenceLibrary(paths: references.keys.sorted(), features: features) { references[$0]! }
        let grass = try Scene.flat([0.22, 0.5, 0.17], h: 48, w: 72, texture: 0.45, seed: 9)
        #expect(try library.nearest(to: grass).path == "grass.png")
        #expect(try library.nearest(to: Scene.skyOverGrass(h: 56, w: 64, seed: 10)).path == "sky.png")
        #expect(try library.nearest(to: Scene.flat([0.75, 0.2, 0.1], h: 40, w: 40, texture: 0.1, seed: 11)).path == "red.png")
    }

    @Test func phaseThreeAloneIsTheClassicMPSEPreset() throws {
        let pixels = try Scene.skyOverGrass(h: 32, w: 40)
        let pipeline = try MPSEPipeline(phases: [.finish], model: nil, refiner: nil, references: nil)
        let outcome = try pipeline.run(Photo(pixels: pixels.squeeze(0)))
        let expected = try ClassicEnhancer(config: .mpse)(pixels).squeeze(0)
        #expect(try outcome.photo.pixels.equal(expected))
        #expect(outcome.reference == nil)
    }

    @Test func phasesAreParsedAndChecked() throws {
        #expect(try MPSEPhase.parse("1,2,3") == [.enhance, .style, .finish])
        #expect(try MPSEPhase.parse(" 2 ") == [.style])
        #expect(throws: EngineError.self) { try MPSEPhase.parse("2,4") }
        #expect(throws: EngineError.self) { try MPSEPipeline(phases: [.style], model: nil, refiner: nil, references: nil) }
        #expect(throws: EngineError.self) { try MPSEPipeline(phases: [.enhance], model: nil, refiner: nil, references: nil) }
    }
}
