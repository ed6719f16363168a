import DSLRTensor
import Foundation
import Testing
@testable import DSLRData

@Suite struct IntrinsicScenesTests {
    /// A scene is its albedo times its shading, in [0, 1], and a function of (seed, index) only.
    @Test func scenesAreAlbedoTimesShadingAndReproducible() throws {
        let a = try IntrinsicScene(size: 48, seed: 3, index: 5)
        #expect(a.image.shape == [3, 48, 48])
        #expect(try (a.image - a.albedo * a.shading).abs().max().item() == 0)
        for t in [a.image, a.albedo, a.shading] {
            #expect(try t.min().item() >= 0 && t.max().item() <= 1)
        }
        let again = try IntrinsicScene(size: 48, seed: 3, index: 5)
        #expect(try again.image.equal(a.image))
        let other = try IntrinsicScene(size: 48, seed: 3, index: 6)
        #expect(try (other.image - a.image).abs().max().item() > 0.1)
        let batch = try IntrinsicScene.batch(size: 48, seed: 3, first: 4, count: 3)
        #expect(batch.image.shape == [3, 3, 48, 48])
        #expect(try batch.albedo.select(0, 1).equal(a.albedo))
    }

    /// What makes the decomposition learnable: albedo changes in steps between flat regions,
    /// shading changes smoothly. Most neighbouring albedo pixels are equal up to the gentle
    /// ramp, while its few large jumps are the region borders; shading changes a little
    /// everywhere and never by as much as albedo's borders.
    @Test func albedoIsPiecewiseSmoothAndShadingIsSmooth() throws {
        for index in 0..<8 {
            let s = try IntrinsicScene(size: 96, seed: 11, index: index)
            func steps(_ t: Tensor) throws -> Tensor {
                try (t.narrow(2, start: 1, length: 95) - t.narrow(2, start: 0, length: 95)).abs().max(dim: 0).values
            }
            let albedoSteps = try steps(s.albedo), shadingSteps = try steps(s.shading)
            // Borders: some large jumps, on few pixels.
            let jumps = try albedoSteps.gt(0.05).to(.float32).mean().item()
            #expect(try albedoSteps.max().item() > 0.05, "scene \(index)")
            #expect(jumps < 0.1, "scene \(index)")
            #expect(try shadingSteps.max().item() < albedoSteps.max().item(), "scene \(index)")
            #expect(try shadingSteps.mean().item() < 0.02, "scene \(index)")
        }
    }
}
