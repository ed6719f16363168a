import DSLRTensor
import Foundation
import Testing

@testable import DSLRData

/// Barrel distortion about the DSLR centre: p → c + (p − c)(1 + k·r²).
private func distort(_ p: Point2, k: Double) -> Point2 {
    let c = Point2(179.5, 119.5)
    let d = p - c
    return c + d * (1 + k * (d * d).sum())
}

/// The phone view of `dslr` through `truth` followed by barrel distortion, which no single
/// homography reproduces (up to about 2.5 px at the corners).
private func distortedPhoneView(of dslr: Tensor, truth: Homography, k: Double) throws -> Tensor {
    var coords = [Double]()
    for y in 0..<200 {
        for x in 0..<300 {
            let q = distort(truth.apply(Point2(Double(x), Double(y))), k: k)
            coords += [q.x * 2 / 359 - 1, q.y * 2 / 239 - 1]
        }
    }
    let grid = try Tensor(coords, shape: [1, 200, 300, 2]).to(.float32)
    let view = try gridSample(dslr.unsqueeze(0), grid: grid, mode: .bicubic, padding: .border).squeeze(0)
    return try (view * 0.9 + 0.03).clamp(min: 0, max: 1)
}

@Suite struct AlignPatchesTests {
    /// Local shifts bring every patch centre onto its true DSLR position, where the global
    /// homography alone is off by up to a pixel or more.
    @Test func localRefinementFollowsLensDistortion() throws {
        let k = 5e-7
        let truth = knownHomography(degrees: 1.5, shift: Point2(2.2, -1.4))
        let dslr = try syntheticScene(width: 360, height: 240, seed: 31)
        let phone = try distortedPhoneView(of: dslr, truth: truth, k: k)
        let result = try alignPair(phone: phone, dslr: dslr)
        let h = Homography(rows: result.homography)
        func centreErrors(_ patches: [PatchPair]) -> [Double] {
            patches.map { p in
                let c = Point2(Double(p.x) + 19.5, Double(p.y) + 19.5)
                return distance(h.apply(c + p.shift), distort(truth.apply(c), k: k))
            }
        }
        let global = try cutPatches(result, options: PatchOptions(size: 40, localRefine: false))
        let local = try cutPatches(result, options: PatchOptions(size: 40, localRefine: true))
        let globalError = centreErrors(global).max()!, localError = centreErrors(local).max()!
        print("align patches under barrel distortion: worst centre error \(globalError) px global, \(localError) px local; "
            + "shifts refined \(local.filter(\.refined).count)/\(local.count)")
        #expect(local.count == global.count && local.count >= 20)
        #expect(globalError > 0.5)
        #expect(localError < 0.3)
        #expect(local.allSatisfy { $0.refined })
        let meanGlobal = global.map(\.correlation).reduce(0, +) / Double(global.count)
        let meanLocal = local.map(\.correlation).reduce(0, +) / Double(local.count)
        #expect(meanLocal > meanGlobal)
    }

    /// Without distortion, patches match the crops; local refinement stays within its noise.
    @Test func patchesOfAnUndistortedPair() throws {
        let truth = knownHomography(scale: 1.1, degrees: -2, shift: Point2(0.7, 1.3))
        let dslr = try syntheticScene(width: 360, height: 240, seed: 32)
        let phone = try phoneView(of: dslr, truth: truth, width: 300, height: 200, seed: 33)
        let result = try alignPair(phone: phone, dslr: dslr)
        let h = Homography(rows: result.homography)
        func centreErrors(_ patches: [PatchPair]) -> [Double] {
            patches.map { p in
                let c = Point2(Double(p.x) + 24.5, Double(p.y) + 24.5)
                return distance(h.apply(c + p.shift), truth.apply(c))
            }
        }
        let patches = try cutPatches(result, options: PatchOptions(size: 50, stride: 40))
        let refined = try cutPatches(result, options: PatchOptions(size: 50, stride: 40, localRefine: true))
        let (global, local) = (centreErrors(patches).max()!, centreErrors(refined).max()!)
        print("align patches, undistorted: \(patches.count) patches, worst centre error \(global) px global, \(local) px local")
        let origins = patchOrigins(width: result.commonRect.width, height: result.commonRect.height, size: 50, stride: 40)
        #expect(patches.count == origins.count)
        #expect(patches.allSatisfy { $0.shift == Point2(0, 0) && !$0.refined })
        #expect(global < 0.2)
        #expect(local < 0.5)
        #expect(patches.allSatisfy { $0.phone.shape == [3, 50, 50] && $0.dslr.shape == [3, 50, 50] && $0.correlation > 0.9 })
        let first = patches[0]
        #expect(try first.phone.equal(crop(phone, PixelRect(x: first.x, y: first.y, width: 50, height: 50))))
        // Without a shift, a patch is the warped DSLR photo's pixels (one resampling either way).
        let box = PixelRect(x: first.x - result.commonRect.x, y: first.y - result.commonRect.y, width: 50, height: 50)
        #expect(try (first.dslr - crop(result.croppedDSLR, box)).abs().max().item() < 1e-5)
    }
}
