// Elementwise arithmetic with broadcasting. Operators throw (a shape mismatch is an
// error, not a crash), so expressions read `try a * b + c`.
extension Tensor {
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try ATen.add.call(.tensor(a), .tensor(b)) }
    public static func + (a: Tensor, b: Double) throws -> Tensor { try ATen.addScalar.call(.tensor(a), .double(b)) }
    public static func + (a: Double, b: Tensor) throws -> Tensor { try ATen.addScalar.call(.tensor(b), .double(a)) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try ATen.sub.call(.tensor(a), .tensor(b)) }
    public static func - (a: Tensor, b: Double) throws -> Tensor { try ATen.subScalar.call(.tensor(a), .double(b)) }
    public static func - (a: Double, b: Tensor) throws -> Tensor { try ATen.rsubScalar.call(.tensor(b), .double(a)) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try ATen.mul.call(.tensor(a), .tensor(b)) }
    public static func * (a: Tensor, b: Double) throws -> Tensor { try ATen.mulScalar.call(.tensor(a), .double(b)) }
    public static func * (a: Double, b: Tensor) throws -> Tensor { try ATen.mulScalar.call(.tensor(b), .double(a)) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try ATen.div.call(.tensor(a), .tensor(b)) }
    public static func / (a: Tensor, b: Double) throws -> Tensor { try ATen.divScalar.call(.tensor(a), .double(b)) }
    public static func / (a: Double, b: Tensor) throws -> Tensor { try reciprocal(b) * a }
    public static prefix func - (a: Tensor) throws -> Tensor { try ATen.neg.call(.tensor(a)) }

    /// self + alpha * other in one kernel (rounds like torch.add(self, other, alpha=)).
    public func adding(_ other: Tensor, alpha: Double) throws -> Tensor {
        try ATen.add.call(.tensor(self), .tensor(other), .double(alpha))
    }

    /// self ** exponent.
    public func pow(_ exponent: Double) throws -> Tensor { try ATen.powScalar.call(.tensor(self), .double(exponent)) }
    public func pow(_ exponent: Tensor) throws -> Tensor { try ATen.powTensor.call(.tensor(self), .tensor(exponent)) }
    public func abs() throws -> Tensor { try ATen.abs.call(.tensor(self)) }
    public func exp() throws -> Tensor { try ATen.exp.call(.tensor(self)) }
    public func log() throws -> Tensor { try ATen.log.call(.tensor(self)) }
    public func log1p() throws -> Tensor { try ATen.log1p.call(.tensor(self)) }
    public func sqrt() throws -> Tensor { try ATen.sqrt.call(.tensor(self)) }
    public func rsqrt() throws -> Tensor { try ATen.rsqrt.call(.tensor(self)) }
    public func square() throws -> Tensor { try ATen.square.call(.tensor(self)) }
    public func sin() throws -> Tensor { try ATen.sin.call(.tensor(self)) }
    public func asin() throws -> Tensor { try ATen.asin.call(.tensor(self)) }
    public func cos() throws -> Tensor { try ATen.cos.call(.tensor(self)) }
    public func sign() throws -> Tensor { try ATen.sign.call(.tensor(self)) }
    public func floor() throws -> Tensor { try ATen.floor.call(.tensor(self)) }
    public func round() throws -> Tensor { try ATen.round.call(.tensor(self)) }
    public func erf() throws -> Tensor { try ATen.erf.call(.tensor(self)) }
    public func erfinv() throws -> Tensor { try ATen.erfinv.call(.tensor(self)) }

    /// Limits values to [min, max]; either bound may be omitted.
    public func clamp(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try ATen.clamp.call(.tensor(self), min.map { .double($0) } ?? .none, max.map { .double($0) } ?? .none)
    }

    /// self + weight * (end - self).
    public func lerp(_ end: Tensor, _ weight: Double) throws -> Tensor {
        try ATen.lerpScalar.call(.tensor(self), .tensor(end), .double(weight))
    }

    // comparisons return bool tensors
    public func eq(_ other: Tensor) throws -> Tensor { try ATen.eq.call(.tensor(self), .tensor(other)) }
    public func eq(_ value: Double) throws -> Tensor { try ATen.eqScalar.call(.tensor(self), .double(value)) }
    public func gt(_ other: Tensor) throws -> Tensor { try ATen.gt.call(.tensor(self), .tensor(other)) }
    public func gt(_ value: Double) throws -> Tensor { try ATen.gtScalar.call(.tensor(self), .double(value)) }
    public func lt(_ other: Tensor) throws -> Tensor { try ATen.lt.call(.tensor(self), .tensor(other)) }
    public func lt(_ value: Double) throws -> Tensor { try ATen.ltScalar.call(.tensor(self), .double(value)) }
    public func ge(_ value: Double) throws -> Tensor { try ATen.ge.call(.tensor(self), .double(value)) }
    public func le(_ value: Double) throws -> Tensor { try ATen.le.call(.tensor(self), .double(value)) }
    public func logicalNot() throws -> Tensor { try ATen.logicalNot.call(.tensor(self)) }
    public func isnan() throws -> Tensor { try ATen.isnan.call(.tensor(self)) }
    public func isfinite() throws -> Tensor { try ATen.isfinite.call(.tensor(self)) }

    /// Elements of `self` where `mask` is true replaced by `value`.
    public func maskedFill(_ mask: Tensor, _ value: Double) throws -> Tensor {
        try ATen.maskedFill.call(.tensor(self), .tensor(mask), .double(value))
    }

    /// Whether shapes and every element are equal.
    public func equal(_ other: Tensor) throws -> Bool {
        try ATen.equal.callScalar(.tensor(self), .tensor(other)) != 0
    }

    /// |self - other| <= atol + rtol * |other| everywhere.
    public func allClose(_ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8) throws -> Bool {
        try ATen.allclose.callScalar(.tensor(self), .tensor(other), .double(rtol), .double(atol)) != 0
    }
}

public func reciprocal(_ x: Tensor) throws -> Tensor { try ATen.reciprocal.call(.tensor(x)) }
public func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor { try ATen.maximum.call(.tensor(a), .tensor(b)) }
public func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor { try ATen.minimum.call(.tensor(a), .tensor(b)) }

/// `a` where `condition` is true, else `b`.
public func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
    try ATen.whereSelf.call(.tensor(condition), .tensor(a), .tensor(b))
}

// In-place updates. They change storage every alias sees; optimizers and initialisers use
// them inside `withNoGrad`.
extension Tensor {
    /// self += alpha * other
    public func add_(_ other: Tensor, alpha: Double = 1) throws {
        _ = try ATen.addInPlace.call(.tensor(self), .tensor(other), .double(alpha))
    }

    public func add_(_ value: Double) throws { _ = try ATen.addScalarInPlace.call(.tensor(self), .double(value)) }
    public func mul_(_ value: Double) throws { _ = try ATen.mulScalarInPlace.call(.tensor(self), .double(value)) }

    /// self += weight * (end - self)
    public func lerp_(_ end: Tensor, _ weight: Double) throws {
        _ = try ATen.lerpScalarInPlace.call(.tensor(self), .tensor(end), .double(weight))
    }

    /// self += value * a * b
    public func addcmul_(_ a: Tensor, _ b: Tensor, value: Double) throws {
        _ = try ATen.addcmulInPlace.call(.tensor(self), .tensor(a), .tensor(b), .double(value))
    }

    /// self += value * a / b
    public func addcdiv_(_ a: Tensor, _ b: Tensor, value: Double) throws {
        _ = try ATen.addcdivInPlace.call(.tensor(self), .tensor(a), .tensor(b), .double(value))
    }

    /// self /= value (true division, as `self / value` but without a second buffer).
    public func div_(_ value: Double) throws { _ = try ATen.divScalarInPlace.call(.tensor(self), .double(value)) }
    /// Rounds half to even in place, as `round()`.
    public func round_() throws { _ = try ATen.roundInPlace.call(.tensor(self)) }

    /// Copies `source`'s values (broadcast, converted) into self.
    public func copy_(_ source: Tensor) throws { _ = try ATen.copyInPlace.call(.tensor(self), .tensor(source)) }
    public func zero_() throws { _ = try ATen.zeroInPlace.call(.tensor(self)) }
    public func fill_(_ value: Double) throws { _ = try ATen.fillInPlace.call(.tensor(self), .double(value)) }
    public func uniform_(_ low: Double, _ high: Double) throws {
        _ = try ATen.uniformInPlace.call(.tensor(self), .double(low), .double(high))
    }
    public func normal_(mean: Double = 0, std: Double = 1) throws {
        _ = try ATen.normalInPlace.call(.tensor(self), .double(mean), .double(std))
    }
    public func clamp_(min: Double? = nil, max: Double? = nil) throws {
        _ = try ATen.clampInPlace.call(.tensor(self), min.map { .double($0) } ?? .none, max.map { .double($0) } ?? .none)
    }
}
