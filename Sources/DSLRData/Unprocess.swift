import DSLRMetrics
import DSLRPhoto
import DSLRTensor
import Foundation

// Synthetic RAW from sRGB photos by inverting a camera pipeline, after Brooks et al.,
// "Unprocessing Images for Learned Raw Denoising" (CVPR 2019): inverse tone curve, inverse
// gamma, inverse colour correction, inverse white balance, mosaic, sensor noise. The photo
// itself is the target, so a RAW-to-RGB network learns to run the camera pipeline forward.

/// The camera one photo is unprocessed with, drawn by `UnprocessParameters.draw`.
public struct UnprocessParameters: Sendable, Equatable, Codable {
    /// Linear sRGB to camera RGB, rows summing to 1 (a grey stays grey), row-major 3×3.
    public var rgbToCamera: [Double]
    /// White-balance gains the camera's pipeline would apply: overall, red, blue.
    public var rgbGain: Double, redGain: Double, blueGain: Double
    /// Noise variance: shot · x + read, for x in [0, 1].
    public var shotNoise: Double, readNoise: Double

    /// Camera-like XYZ → camera matrices of the kind DNG files carry as ColorMatrix (rows
    /// for camera R, G, B, in 1/10000): a random convex mix of them is each photo's camera.
    static let xyzToCameras: [[Double]] = [
        [4716, 603, -830, -7798, 15474, 2480, -1496, 1937, 6651],
        [8139, -2171, -663, -8747, 16541, 2295, -1925, 2008, 8093],
        [5271, -712, -347, -6153, 13653, 2763, -1601, 2366, 7242],
    ]
    /// Linear sRGB (D65) to XYZ.
    static let rgbToXYZ: [Double] = [0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.0721750,
                                     0.0193339, 0.1191920, 0.9503041]

    /// Brooks et al.'s distributions: a random mix of camera matrices; 1/rgbGain ~ N(0.8,
    /// 0.1), red gain U(1.9, 2.4), blue gain U(1.5, 1.9); log shot noise U(log 1e-4, log
    /// 0.012), log read noise = 2.18 · log shot + 1.2 + N(0, 0.26). Pure in (seed, index).
    public static func draw(seed: UInt64, index: Int) throws -> UnprocessParameters {
        var rng = SplitMix64(key: seed, UInt64(index), 0x0A9C)
        let weights = xyzToCameras.map { _ in rng.uniform(1e-8...1) }
        let total = weights.reduce(0, +)
        // float64 tensors: [Double] makes them, and rows must sum to 1 to rounding.
        let cameras = try Tensor(xyzToCameras.flatMap { $0 }, shape: [xyzToCameras.count, 3, 3]) / 10000
        let mix = try (cameras * Tensor(weights.map { $0 / total }, shape: [weights.count, 1, 1])).sum(dims: [0])
        let rgb = try matmul(mix, Tensor(rgbToXYZ, shape: [3, 3]))
        let matrix = try (rgb / rgb.sum(dims: [1], keepDim: true)).flatten().toArray(Double.self)
        let inverseGain = max(0.5, 0.8 + 0.1 * rng.standardNormal())
        let logShot = rng.uniform(Foundation.log(0.0001)...Foundation.log(0.012))
        let logRead = 2.18 * logShot + 1.2 + 0.26 * rng.standardNormal()
        return UnprocessParameters(rgbToCamera: matrix, rgbGain: 1 / inverseGain, redGain: rng.uniform(1.9...2.4),
                                   blueGain: rng.uniform(1.5...1.9), shotNoise: Foundation.exp(logShot),
                                   readNoise: Foundation.exp(logRead))
    }

    /// The gains a camera's pipeline applies per channel (R, G, B).
    var gains: [Double] { [rgbGain * redGain, rgbGain, rgbGain * blueGain] }

    /// Camera RGB to linear sRGB: the inverse of `rgbToCamera`, row-major.
    public func cameraToRGB() throws -> [Double] {
        try solve(Tensor(rgbToCamera, shape: [3, 3]), Tensor.eye(3, dtype: .float64)).flatten().toArray(Double.self)
    }
}

/// An sRGB photo [3, H, W] in [0, 1] as the RGGB mosaic [1, H, W] in [0, 1] a camera with
/// `p` would have recorded before noise: inverse smoothstep tone curve, inverse sRGB
/// encoding, linear sRGB → camera RGB, white balance undone (highlights kept from turning
/// coloured: near white the inverse gains fade to 1), clipped, RGGB sampling. Brooks et al.
/// invert a 2.2 gamma; the sRGB curve is what the photos were encoded with.
public func unprocess(_ srgb: Tensor, _ p: UnprocessParameters) throws -> Tensor {
    guard srgb.rank == 3, srgb.shape[0] == 3 else { throw DataError("unprocess: expected [3, H, W], got \(srgb.shape)") }
    let y = try srgb.clamp(min: 0, max: 1).unsqueeze(0)
    // Smoothstep 3x² − 2x³ inverted: x = 1/2 − sin(asin(1 − 2y) / 3).
    let toneless = try ((y * -2 + 1).asin() / 3).sin() * -1 + 0.5
    let linear = try srgbToLinear(toneless)
    let camera = try applyMatrix(p.rgbToCamera, to: linear)
    let gray = try camera.mean(dims: [1], keepDim: true)
    let mask = try ((gray - 0.9).clamp(min: 0) / 0.1).square()
    let inverse = try Tensor(p.gains.map { 1 / $0 }, shape: [1, 3, 1, 1]).to(camera.device, camera.dtype)
    let safe = try maximum(mask + (mask * -1 + 1) * inverse, inverse)
    return try mosaicRGGB((camera * safe).clamp(min: 0, max: 1)).squeeze(0)
}

/// The forward pipeline `unprocess` inverts, run on a mosaic [1, H, W] (or [N, 1, H, W]) with
/// the camera's own parameters: bilinear demosaicing, white balance, camera → linear sRGB,
/// sRGB encoding, smoothstep. This is the "conventional ISP" baseline: what a classic
/// pipeline that knows the camera makes of the mosaic.
public func developBilinear(_ mosaic: Tensor, _ p: UnprocessParameters) throws -> Tensor {
    let batched = mosaic.rank == 4 ? mosaic : try mosaic.unsqueeze(0)
    let rgb = try demosaicBilinear(batched)
    let gains = try Tensor(p.gains, shape: [1, 3, 1, 1]).to(rgb.device, rgb.dtype)
    let linear = try applyMatrix(p.cameraToRGB(), to: (rgb * gains).clamp(min: 0, max: 1)).clamp(min: 0, max: 1)
    let x = try linearToSrgb(linear), x2 = try x.square()
    let out = try (x2 * 3 - x2 * x * 2).clamp(min: 0, max: 1)
    return mosaic.rank == 4 ? out : try out.squeeze(0)
}

/// Sensor counts of a full-scale sample: PyNET divides the Zurich counts by 4 · 255.
public let unprocessWhiteLevel = 1020.0

/// Writes synthetic RAW-to-RGB pairs in the Zurich layout that `zurich-raw-to-rgb` reads:
/// `<output>/{train,test}/huawei_raw/NAME.png` (the unprocessed, noisy RGGB mosaic as 16-bit
/// counts, full scale `unprocessWhiteLevel`) and `.../canon/NAME.png` (the photo, cropped to
/// even sides, 8-bit), plus `<output>/unprocess.json` with every photo's camera
/// (`UnprocessParameters`, drawn from `seed` and the photo's index) so that baselines can
/// develop the mosaics with the true camera.
public func makeUnprocessedPairs(
    sources: [String], output: String, seed: UInt64 = 0, using: PhotoPairSources = PhotoPairSources(maxSide: 1024),
    progress: (Int, Int) -> Void = { _, _ in }, report: (String) -> Void = { _ in }
) throws -> PhotoPairsSummary {
    let summary = try writePhotoPairs(
        sources: sources, output: output, using: using, folders: ("huawei_raw", "canon"), multiple: 2,
        progress: progress, report: report
    ) { index, target in
        let camera = try UnprocessParameters.draw(seed: seed, index: index)
        let noisy = try poissonGaussianNoise(unprocess(target, camera), shot: camera.shotNoise,
                                             read: camera.readNoise.squareRoot(), key: seed &* 0x9E37_79B9 &+ UInt64(index))
        let counts = try (noisy.clamp(min: 0, max: 1) * unprocessWhiteLevel).round()
        return Photo(pixels: try (counts / 65535).contiguous(), bitDepth: 16)
    }
    let cameras = Dictionary(uniqueKeysWithValues: try summary.inputs.map { ($0.value, try UnprocessParameters.draw(seed: seed, index: $0.key)) })
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try writeAtomically([UInt8](encoder.encode(cameras)), to: URL(fileURLWithPath: output).appendingPathComponent("unprocess.json").path)
    return summary
}

/// The cameras `makeUnprocessedPairs` recorded, by raw file path relative to the dataset root.
public func readUnprocessCameras(_ root: String) throws -> [String: UnprocessParameters] {
    let url = URL(fileURLWithPath: root).appendingPathComponent("unprocess.json")
    do { return try JSONDecoder().decode([String: UnprocessParameters].self, from: Data(contentsOf: url)) } catch {
        throw DataError("\(url.path): not an unprocess.json written by dslr data unprocess (\(error))")
    }
}
