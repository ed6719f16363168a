import DSLRTensor
import Foundation
import Testing

@testable import DSLRData

// Synthetic pairs: a procedural textured "DSLR" photo and a "phone" photo rendered from it
// through a known homography, with a colour/brightness change and noise. The truth maps
// phone pixels to DSLR pixels, as `AlignmentResult.homography` does.

/// Uniform [0, 1) floats from the seeded generator (tests may run in parallel, so they do
/// not share libtorch's global generator).
private func uniform(_ count: Int, seed: UInt64) -> [Float] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Float.random(in: 0..<1, using: &rng) }
}

/// Zero-mean Gaussian noise (Box–Muller).
func gaussian(_ count: Int, sigma: Float, seed: UInt64) -> [Float] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
        let u = Float.random(in: Float.ulpOfOne..<1, using: &rng), v = Float.random(in: 0..<1, using: &rng)
        return sigma * (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Float.pi * v)
    }
}

/// Multi-octave value noise plus a few flat rectangles: blobs, edges and corners at several
/// sizes, like a natural scene. [3, height, width] in [0, 1].
func syntheticScene(width: Int, height: Int, seed: UInt64) throws -> Tensor {
    var image = try Tensor.zeros([1, 3, height, width])
    for (octave, (cell, amplitude)) in [(28, 1.0), (11, 0.5), (5, 0.3)].enumerated() {
        let gh = height / cell + 2, gw = width / cell + 2
        let noise = try Tensor(uniform(3 * gh * gw, seed: seed &* 31 &+ UInt64(octave)), shape: [1, 3, gh, gw])
        image = try image + interpolate(noise, size: [height, width], mode: .bicubic(alignCorners: false)) * amplitude
    }
    let xs = try Tensor.arange(0, Double(width)).reshape([1, -1])
    let ys = try Tensor.arange(0, Double(height)).reshape([-1, 1])
    let r = uniform(12 * 7, seed: seed &+ 1000)
    for k in 0..<12 {
        let v = Array(r[7 * k..<7 * k + 7]).map(Double.init)
        let x0 = v[0] * Double(width), y0 = v[1] * Double(height)
        let mask = try xs.ge(x0).to(.float32) * xs.lt(x0 + 10 + 40 * v[2]).to(.float32)
            * ys.ge(y0).to(.float32) * ys.lt(y0 + 10 + 40 * v[3]).to(.float32)
        let colour = try Tensor([Float(v[4]), Float(v[5]), Float(v[6])], shape: [1, 3, 1, 1]) * 2.0
        image = try image * (1 - mask) + colour * mask
    }
    let lo = try image.min().item(), hi = try image.max().item()
    return try ((image - lo) / (hi - lo)).squeeze(0)
}

/// The phone view of `dslr` under `truth` (phone pixel → DSLR pixel), with a colour cast,
/// a brightness/contrast change and Gaussian noise.
func phoneView(of dslr: Tensor, truth: Homography, width: Int, height: Int, seed: UInt64) throws -> Tensor {
    let warped = try warpPerspective(dslr, homography: truth, width: width, height: height).squeeze(0)
    let cast = try Tensor([Float(1.08), 0.95, 0.9], shape: [3, 1, 1])
    let noise = try Tensor(gaussian(3 * width * height, sigma: 0.01, seed: seed), shape: [3, height, width])
    return try (warped * cast * 0.85 + 0.04 + noise).clamp(min: 0, max: 1)
}

/// Phone → DSLR: about the phone centre, scale by `scale`, rotate by `degrees`, add the
/// perspective terms, and land on the DSLR centre moved by `shift`.
func knownHomography(
    scale: Double = 1, degrees: Double = 0, shift: Point2 = Point2(0, 0), perspective: Point2 = Point2(0, 0),
    phone: (Int, Int) = (300, 200), dslr: (Int, Int) = (360, 240)
) -> Homography {
    let a = degrees * Double.pi / 180
    let pc = Point2(Double(phone.0 - 1) / 2, Double(phone.1 - 1) / 2)
    let dc = Point2(Double(dslr.0 - 1) / 2, Double(dslr.1 - 1) / 2) + shift
    let toCentre = Homography.scaleShift(sx: 1, sy: 1, tx: -pc.x, ty: -pc.y)
    let similarity = Homography([
        scale * cos(a), -scale * sin(a), 0, scale * sin(a), scale * cos(a), 0, perspective.x, perspective.y, 1,
    ])
    let toDSLR = Homography.scaleShift(sx: 1, sy: 1, tx: dc.x, ty: dc.y)
    return (toDSLR * similarity * toCentre).normalized()
}

private let phoneCorners = imageCorners(width: 300, height: 200)

/// Pearson correlation of two equally shaped tensors' values.
func correlation(_ a: Tensor, _ b: Tensor) throws -> Double {
    let x = try a.to(.float64) - a.to(.float64).mean(), y = try b.to(.float64) - b.to(.float64).mean()
    return try (x * y).sum().item() / ((x * x).sum().item() * (y * y).sum().item()).squareRoot()
}

@Suite struct AlignPairTests {
    /// Recovers each known transform to within 0.5 px at the phone photo's corners.
    @Test(arguments: [
        ("sub-pixel translation", knownHomography(shift: Point2(12.3, -7.6))),
        ("rotation 4 degrees", knownHomography(degrees: 4, shift: Point2(-3.4, 2.7))),
        ("scale 1.15", knownHomography(scale: 1.15, degrees: -1.5, shift: Point2(0.6, -1.2))),
        ("scale 0.9", knownHomography(scale: 0.9, degrees: -3, shift: Point2(8.25, 5.5))),
        ("mild perspective", knownHomography(scale: 1.05, degrees: 2, perspective: Point2(2.5e-4, -2e-4))),
    ])
    func recoversKnownHomography(name: String, truth: Homography) throws {
        let dslr = try syntheticScene(width: 360, height: 240, seed: 7)
        let phone = try phoneView(of: dslr, truth: truth, width: 300, height: 200, seed: 11)
        let result = try alignPair(phone: phone, dslr: dslr)
        let estimate = Homography(rows: result.homography)
        let error = estimate.maxDistance(to: truth, at: phoneCorners)
        let featureError = Homography(rows: result.featureHomography).maxDistance(to: truth, at: phoneCorners)
        print(
            "align \(name): corner error \(String(format: "%.4f", error)) px (features alone \(String(format: "%.3f", featureError)) px),"
                + " inliers \(result.inliers)/\(result.matches) at scale \(result.matchScale), score \(String(format: "%.4f", result.score)),"
                + " common \(result.commonRect)")
        #expect(result.refined)
        #expect(error < 0.5)
        #expect(result.score > 0.9)
        #expect(result.croppedPhone.shape == [3, result.commonRect.height, result.commonRect.width])
        #expect(result.croppedDSLR.shape == result.croppedPhone.shape)
        #expect(try correlation(result.croppedPhone, result.croppedDSLR) > 0.97)
    }

    /// A DSLR photo of twice the phone's resolution: features and refinement run on pooled
    /// images, and the homography comes back in full-resolution pixels.
    @Test func recoversAcrossResolutions() throws {
        let truth = knownHomography(scale: 2.2, degrees: 2, shift: Point2(3.3, -2.1), dslr: (720, 480))
        let dslr = try syntheticScene(width: 720, height: 480, seed: 12)
        let phone = try phoneView(of: dslr, truth: truth, width: 300, height: 200, seed: 13)
        var options = AlignOptions()
        options.featureSize = 360  // DSLR pooled by 2 for matching
        options.refineSize = 480  // and by 2 for ECC; the phone stays whole
        let result = try alignPair(phone: phone, dslr: dslr, options: options)
        let error = Homography(rows: result.homography).maxDistance(to: truth, at: phoneCorners)
        print("align across resolutions: corner error \(String(format: "%.4f", error)) DSLR px, inliers \(result.inliers), scale \(result.matchScale)")
        #expect(result.refined)
        #expect(error < 0.5 * 2.2)  // half a phone pixel, in DSLR pixels
        #expect(result.warpedDSLR.shape == [3, 200, 300])
        // The pooled, resampled DSLR photo lines up with the phone photo pixel for pixel (the
        // phone view was point-sampled from the DSLR photo, the aligned one is pooled, so
        // they differ in fine detail).
        let match = try correlation(result.croppedPhone, result.croppedDSLR)
        print("align across resolutions: crop correlation \(match)")
        #expect(match > 0.95)
    }

    /// A phone rendering unlike the DSLR's: softer (blurred), a different tone curve (gamma),
    /// stronger noise. Intensities are no longer an affine function of each other, which ECC
    /// assumes, yet the transform is still recovered within half a pixel.
    @Test func recoversUnderADifferentRendering() throws {
        let truth = knownHomography(scale: 1.08, degrees: -2.5, shift: Point2(-4.6, 3.1), perspective: Point2(-1.5e-4, 1e-4))
        let dslr = try syntheticScene(width: 360, height: 240, seed: 41)
        let sharp = try warpPerspective(dslr, homography: truth, width: 300, height: 200)
        let soft = try gaussianBlur(sharp, sigma: 1.2).squeeze(0).clamp(min: 0, max: 1).pow(0.7)
        let noise = try Tensor(gaussian(3 * 200 * 300, sigma: 0.03, seed: 42), shape: [3, 200, 300])
        let phone = try (soft + noise).clamp(min: 0, max: 1)
        let result = try alignPair(phone: phone, dslr: dslr)
        let error = Homography(rows: result.homography).maxDistance(to: truth, at: phoneCorners)
        print("align different rendering: corner error \(String(format: "%.4f", error)) px, score \(String(format: "%.4f", result.score))")
        #expect(error < 0.5)
    }

    /// The crop lies where the warped DSLR photo has real pixels, and covers most of it.
    @Test func cropIsInsideTheValidRegion() throws {
        let truth = knownHomography(scale: 1.1, degrees: 5, shift: Point2(4, -3))
        let dslr = try syntheticScene(width: 360, height: 240, seed: 3)
        let phone = try phoneView(of: dslr, truth: truth, width: 300, height: 200, seed: 4)
        let result = try alignPair(phone: phone, dslr: dslr)
        let mask = try validMask(homography: truth, width: 300, height: 200, imageWidth: 360, imageHeight: 240, margin: 0)
        let rect = result.commonRect
        #expect(try crop(mask, rect).all())
        let validArea = try mask.to(.float32).sum().item()
        print("align crop: \(rect) covers \(Double(rect.area) / validArea) of the valid region")
        #expect(Double(rect.area) > 0.6 * validArea)
        #expect(try result.croppedPhone.equal(crop(phone, rect)))
    }

    /// Unrelated photos (and a featureless one) are refused with a reason.
    @Test func rejectsUnrelatedPairs() throws {
        let scene = try syntheticScene(width: 300, height: 200, seed: 21)
        let other = try syntheticScene(width: 300, height: 200, seed: 22)
        let noise = try Tensor(uniform(3 * 200 * 300, seed: 5), shape: [3, 200, 300])
        let flat = try Tensor.full([3, 200, 300], 0.5)
        for (phone, dslr) in [(scene, other), (noise, scene), (flat, scene)] {
            do {
                _ = try alignPair(phone: phone, dslr: dslr)
                Issue.record("an unrelated pair was accepted")
            } catch let rejection as AlignmentRejection {
                print("align rejection: \(rejection.reason)")
                #expect(!rejection.reason.isEmpty)
            }
        }
    }

    /// A good pair is rejected, for the right reason, by a demanding score or overlap threshold.
    @Test func rejectsBelowMinimumScoreOrOverlap() throws {
        let truth = knownHomography(degrees: 6, shift: Point2(31.5, 12.5))
        let dslr = try syntheticScene(width: 360, height: 240, seed: 8)
        let phone = try phoneView(of: dslr, truth: truth, width: 300, height: 200, seed: 9)
        var strictScore = AlignOptions()
        strictScore.minScore = 1.01
        var strictOverlap = AlignOptions()
        strictOverlap.minOverlap = 0.99
        for (options, expected) in [(strictScore, "alignment score"), (strictOverlap, "common area")] {
            #expect {
                try alignPair(phone: phone, dslr: dslr, options: options)
            } throws: { error in
                guard let rejection = error as? AlignmentRejection else { return false }
                print("align rejection: \(rejection.reason)")
                return rejection.reason.contains(expected) && rejection.score != nil && rejection.inliers != nil
            }
        }
    }
}
