import DSLREval
import DSLRLosses
import DSLRPhoto
import DSLRTensor
import Foundation
@testable import DSLRTrain

/// A fresh temporary folder, removed by the caller.
func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dslrtrain-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A tiny DPED-layout dataset: smooth random `side`² (40²) inputs whose targets are a fixed colour
/// and exposure change of them (something a network can learn in a few steps); a large
/// `targetOffset` makes targets brighter than inputs, which a discriminator learns to spot.
func tinyDataset(in folder: URL, train: Int = 8, test: Int = 2, targetOffset: Double = 0.05, side: Int = 40) throws -> URL {
    let root = folder.appendingPathComponent("tiny")
    Torch.manualSeed(1234)
    for (part, count) in [("training_data", train), ("test_data/patches", test)] {
        for sub in ["tiny", "canon"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("\(part)/\(sub)"), withIntermediateDirectories: true)
        }
        for i in 0..<count {
            let low = try Tensor.rand([1, 3, 5, 5])
            let x = try interpolate(low, size: [side, side], mode: .bilinear(alignCorners: false)).squeeze(0).clamp(min: 0, max: 1)
            let gain = try Tensor([Float(0.9), 1.1, 0.8], shape: [3, 1, 1])
            let y = try (x * gain + targetOffset).clamp(min: 0, max: 1)
            try writePhoto(Photo(pixels: x.contiguous()), to: root.appendingPathComponent("\(part)/tiny/\(i).png").path)
            try writePhoto(Photo(pixels: y.contiguous()), to: root.appendingPathComponent("\(part)/canon/\(i).png").path)
        }
    }
    return root
}

/// A recipe for a tiny run on `dataset`.
func tinyRecipe(dataset: URL, gan: Bool = false, iterations: Int = 12, checkpointEvery: Int = 6,
                extra: String = "") throws -> Recipe {
    let d = gan ? """
        discriminator:
          architecture: patch
          options: {width: 4, layers: 2}
          loss: dped
        """ : ""
    let texture = gan ? "\n  - {name: texture, weight: 0.01}" : ""
    let yaml = """
        name: tiny
        generator:
          architecture: dslrkit-compact
          options: {width: 4, dilations: "1,2"}
        \(d)
        losses:
          - {name: l1, weight: 1}
          - {name: tv, weight: 0.1}\(texture)
        dataset: {layout: dped, root: \(dataset.path)}
        patch_size: 32
        batch_size: 4
        workers: 1
        optimizer: {kind: adam, lr: 0.01}
        schedule: {kind: step, step_size: 5, gamma: 0.5}
        iterations: \(iterations)
        eval: {every: 0, max_images: 2}
        checkpoint: {every: \(checkpointEvery)}
        log: {every: 1}
        seed: 7
        \(extra)
        """
    return try Recipe.parse(yaml, source: "tiny.yaml")
}

/// The repository's recipes folder.
var recipesFolder: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("recipes")
}

extension Trainer {
    /// The trainer as `dslr train` builds it: evaluated on the recipe's held-out split.
    static func evaluating(recipe: Recipe, run: RunFolder, resume: Bool = false, extraLosses: [Loss] = []) throws -> Trainer {
        try Trainer(recipe: recipe, run: run, resume: resume, extraLosses: extraLosses, evaluator: HeldOutEvaluator(recipe: recipe))
    }
}
