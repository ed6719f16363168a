import DSLRTensor
import Foundation

/// Procedural scenes with known albedo and shading, for pre-training MDIE's intrinsic
/// decomposition where the thesis uses MPI Sintel (not available offline):
///
/// - albedo: piecewise smooth. A Voronoi partition into 3 to 8 regions, each a random colour
///   with a gentle linear gradient, so reflectance changes sharply only at region borders;
/// - shading: a Lambertian surface under one light. A height field of 2 to 6 Gaussian bumps
///   and dents, its normals lit by a random direction above the surface and a near-white
///   light colour, plus ambient light, so shading is smooth and follows geometry, not paint;
/// - the photo: their product, I = A · S.
///
/// Everything of scene `index` comes from a generator keyed on (seed, index), so a scene never
/// depends on the others, and the same seed gives the same scenes on every machine.
public struct IntrinsicScene {
    /// Photo, albedo and shading, each [3, size, size] float32 in [0, 1].
    public var image: Tensor
    public var albedo: Tensor
    public var shading: Tensor

    /// Scene `index` of the stream `seed`, `size` pixels square.
    public init(size: Int, seed: UInt64, index: Int) throws {
        guard size > 0 else { throw DataError("intrinsic scenes: size must be positive, got \(size)") }
        var rng = SplitMix64(key: seed, UInt64(index), 0x1A7E)
        let side = Double(size)
        // Pixel-centre coordinates in [0, 1], [size, size].
        let axis = try Tensor.linspace(0.5 / side, 1 - 0.5 / side, count: size)
        let ys = try axis.reshape([size, 1]).expand([size, size])
        let xs = try axis.reshape([1, size]).expand([size, size])

        // Albedo: each pixel takes the colour field of its nearest site.
        let regions = Int(rng.uniform(3...8.999))
        var nearest = try Tensor.full([size, size], 1e9)
        var albedo = try Tensor.zeros([3, size, size])
        for _ in 0..<regions {
            let (sx, sy) = (rng.uniform(0...1), rng.uniform(0...1))
            let base = (0..<3).map { _ in rng.uniform(0.15...0.95) }
            let (gx, gy) = (rng.uniform(-0.3...0.3), rng.uniform(-0.3...0.3))
            let distance = try (xs - sx) * (xs - sx) + (ys - sy) * (ys - sy)
            let closer = try distance.lt(nearest).to(.float32)
            nearest = try minimum(distance, nearest)
            let ramp = try (xs - sx) * gx + (ys - sy) * gy
            let colour = try cat((0..<3).map { c in try (ramp + base[c]).unsqueeze(0) }, dim: 0)
            albedo = try albedo * (1 - closer) + colour * closer
        }
        albedo = try albedo.clamp(min: 0.05, max: 1)

        // Shading: normals of z = Σ a·exp(−r²/2σ²) from its analytic gradient.
        var dzdx = try Tensor.zeros([size, size]), dzdy = try Tensor.zeros([size, size])
        for _ in 0..<Int(rng.uniform(2...6.999)) {
            let (u, v) = (rng.uniform(0...1), rng.uniform(0...1))
            let sigma = rng.uniform(0.08...0.35)
            let height = rng.uniform(0.1...0.5) * (rng.uniform(0...1) < 0.3 ? -1 : 1)
            let bump = try (((xs - u) * (xs - u) + (ys - v) * (ys - v)) * (-0.5 / (sigma * sigma))).exp() * height
            dzdx = try dzdx - bump * (xs - u) / (sigma * sigma)
            dzdy = try dzdy - bump * (ys - v) / (sigma * sigma)
        }
        let length = try (dzdx * dzdx + dzdy * dzdy + 1).sqrt()
        let elevation = rng.uniform(0.35...1.3), azimuth = rng.uniform(0...(2 * Double.pi))
        let light = [cos(elevation) * cos(azimuth), cos(elevation) * sin(azimuth), sin(elevation)]
        let lambert = try ((dzdx * -light[0] - dzdy * light[1] + light[2]) / length).clamp(min: 0, max: 1)
        let ambient = rng.uniform(0.1...0.3), intensity = rng.uniform(0.7...1.0)
        let tint = (0..<3).map { _ in rng.uniform(0.85...1.0) }
        let peak = tint.max()!
        let grey = try lambert * ((1 - ambient) * intensity) + ambient * intensity
        shading = try cat(tint.map { t in try (grey * (t / peak)).unsqueeze(0) }, dim: 0).clamp(min: 0, max: 1)
        self.albedo = albedo
        image = try albedo * shading
    }

    /// Scenes `first..<first + count` stacked: photos, albedos and shadings, [count, 3, size, size].
    public static func batch(size: Int, seed: UInt64, first: Int, count: Int) throws -> (image: Tensor, albedo: Tensor, shading: Tensor) {
        let scenes = try (first..<first + count).map { try IntrinsicScene(size: size, seed: seed, index: $0) }
        return (try stack(scenes.map(\.image)), try stack(scenes.map(\.albedo)), try stack(scenes.map(\.shading)))
    }
}
