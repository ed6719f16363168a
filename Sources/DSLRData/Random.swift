import DSLRTensor
import Foundation

/// SplitMix64: a small, fast generator whose whole state is one integer, so positions are
/// trivially saveable and every random choice can be derived from a (seed, counter) key.
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable, Equatable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator keyed by several integers (seed, epoch, index, stage, ...): the same key
    /// always gives the same stream, whatever thread asks and in whatever order.
    public init(key: UInt64...) {
        var g = SplitMix64(seed: 0x5DEE_CE66_D1CE_4E5B)
        for k in key { g.state ^= k; _ = g.next() }
        state = g.next()
    }

    /// Uniform in `range` (a degenerate range returns its bound without drawing).
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        if range.lowerBound == range.upperBound { return range.lowerBound }
        return Double.random(in: range, using: &self)
    }

    /// Standard normal, by Box-Muller from two uniform draws.
    public mutating func standardNormal() -> Double {
        let u = uniform(Double.ulpOfOne...1), v = uniform(0...1)
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }
}

/// Per-pixel random numbers computed as tensors from a counter-based hash, so that noise is
/// reproducible for a key on any device and from any thread (libtorch's global generator
/// is shared by all threads, so prefetch workers would make it order-dependent).
public enum CounterNoise {
    private static let xor = Operator("aten::bitwise_xor", "Scalar")
    private static let xorTensor = Operator("aten::bitwise_xor", "Tensor")
    private static let and = Operator("aten::bitwise_and", "Scalar")
    private static let shiftRight = Operator("aten::__rshift__", "Scalar")
    private static let mulInt = Operator("aten::mul", "Scalar")
    private static let addInt = Operator("aten::add", "Scalar")
    private static let mask: Int = 0xFFFF_FFFF

    /// A 32-bit integer mixing function (Wellons' "lowbias32") applied elementwise to int64
    /// values in [0, 2^32): masks keep every product's low 32 bits, as unsigned arithmetic would.
    static func hash32(_ x: Tensor) throws -> Tensor {
        var x = try xorTensor.call(.tensor(x), .tensor(shiftRight.call(.tensor(x), .int(16))))
        x = try and.call(.tensor(mulInt.call(.tensor(x), .int(0x7FEB_352D))), .int(mask))
        x = try xorTensor.call(.tensor(x), .tensor(shiftRight.call(.tensor(x), .int(15))))
        x = try and.call(.tensor(mulInt.call(.tensor(x), .int(0x846C_A68B))), .int(mask))
        return try xorTensor.call(.tensor(x), .tensor(shiftRight.call(.tensor(x), .int(16))))
    }

    /// Uniform float32 values in (0, 1) with `shape`, determined by `key` alone.
    public static func uniform(_ shape: [Int], key: UInt64, device: Device = .cpu) throws -> Tensor {
        let n = shape.reduce(1, *)
        var g = SplitMix64(key: key)
        let k1 = Int(g.next() & 0xFFFF_FFFF), k2 = Int(g.next() & 0xFFFF_FFFF)
        var x = try Tensor.arange(0, Double(n), dtype: .int64, device: device)
        x = try and.call(.tensor(addInt.call(.tensor(x), .int(k1))), .int(mask))
        x = try hash32(xor.call(.tensor(hash32(x)), .int(k2)))
        // 24 high bits, centred in their bin so the result is never 0 or 1.
        let bits = try shiftRight.call(.tensor(x), .int(8)).to(.float32)
        return try ((bits + 0.5) * (1.0 / 16_777_216.0)).reshape(shape)
    }

    /// Standard normal float32 values (Box-Muller) with `shape`, determined by `key` alone.
    public static func normal(_ shape: [Int], key: UInt64, device: Device = .cpu) throws -> Tensor {
        var g = SplitMix64(key: key, 0xB0C5)
        let u1 = try uniform(shape, key: g.next(), device: device)
        let u2 = try uniform(shape, key: g.next(), device: device)
        let radius = try (u1.log() * -2).sqrt()
        return try radius * (u2 * (2 * Double.pi)).cos()
    }
}
