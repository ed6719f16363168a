import Foundation

// Axis arithmetic for the report's charts: "nice" tick values (1, 2, 2.5, 5 × 10^k) that
// cover the data, decade ticks for logarithmic axes, and short tick labels.

/// How values map to positions along an axis.
public enum AxisScale: String, Sendable, Equatable {
    case linear, log
}

/// An axis: the covered value range (`lower` ... `upper`), its ticks and its scale.
public struct Axis: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var ticks: [Double]
    public var scale: AxisScale

    /// The fraction (0 at `lower`, 1 at `upper`) of the way along the axis where `value` lies.
    public func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return upper > lower ? (value - lower) / (upper - lower) : 0.5
        case .log:
            let a = log10(lower), b = log10(upper)
            return b > a ? (log10(value) - a) / (b - a) : 0.5
        }
    }

    /// A linear axis whose ends are ticks, with about `count` ticks covering `min...max`.
    public static func linear(min: Double, max: Double, count: Int = 6) -> Axis {
        var lo = min, hi = max
        if !(hi > lo) {
            // One value: a range around it so the line sits mid-chart.
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad; hi += pad
        }
        let step = niceStep((hi - lo) / Double(Swift.max(1, count - 1)))
        let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        let ticks = stride(from: first, through: last, by: 1).map { ($0 * step).roundedToStep(step) }
        return Axis(lower: first * step, upper: last * step, ticks: ticks, scale: .linear)
    }

    /// A logarithmic axis from the decade at or below `min` to the one at or above `max`
    /// (both must be positive), ticked at decades, and also at 2 and 5 when it spans few.
    public static func log(min: Double, max: Double) -> Axis {
        let a = Foundation.log10(min).rounded(.down), b = Swift.max(a + 1, Foundation.log10(max).rounded(.up))
        var ticks: [Double] = []
        let multiples: [Double] = b - a <= 2 ? [1, 2, 5] : [1]
        for e in stride(from: a, through: b, by: 1) {
            for m in multiples {
                let v = m * pow(10, e)
                if v <= pow(10, b) * 1.0000001 { ticks.append(v) }
            }
        }
        return Axis(lower: pow(10, a), upper: pow(10, b), ticks: ticks, scale: .log)
    }

    /// Tick labels: as few digits as the tick spacing needs; thousands as "k" when every
    /// tick is a whole thousand (so one axis never mixes "1500" and "2k").
    public func labels() -> [String] {
        if scale == .log { return ticks.map { shortNumber($0) } }
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        if step >= 1000, ticks.allSatisfy({ $0.truncatingRemainder(dividingBy: 1000) == 0 }), ticks.allSatisfy({ abs($0) < 1e7 }) {
            return ticks.map { $0 == 0 ? "0" : "\(Int($0 / 1000))k" }
        }
        let decimals = step >= 1 && step.rounded() == step ? 0 : Swift.max(0, Int(-Foundation.log10(step).rounded(.down)) + (isMultiple(step, of: 2.5) ? 1 : 0))
        return ticks.map { v in
            if decimals > 6 || abs(v) >= 1e7 { return shortNumber(v) }
            return String(format: "%.\(decimals)f", v)
        }
    }
}

/// The nice number (1, 2, 2.5 or 5 × 10^k) at or above `raw`.
func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let power = pow(10, log10(raw).rounded(.down))
    for m in [1, 2, 2.5, 5, 10] as [Double] where m * power >= raw * (1 - 1e-9) { return m * power }
    return 10 * power
}

/// Whether `step` is 2.5 × 10^k, whose labels need one more decimal than its power.
func isMultiple(_ step: Double, of m: Double) -> Bool {
    let power = pow(10, log10(step).rounded(.down))
    return abs(step / power - m) < 1e-9
}

/// `%g` without exponent noise for everyday magnitudes.
func shortNumber(_ v: Double) -> String {
    if v == 0 { return "0" }
    if abs(v) >= 1000, abs(v) < 1e7, v.truncatingRemainder(dividingBy: 1000) == 0 { return "\(Int(v / 1000))k" }
    return String(format: "%g", v)
}

extension Double {
    /// Removes the floating-point residue of `k × step` (0.30000000000000004 → 0.3).
    func roundedToStep(_ step: Double) -> Double {
        let digits = Swift.max(0, Int(-log10(step).rounded(.down)) + 2)
        let scale = pow(10, Double(Swift.min(digits, 15)))
        return (self * scale).rounded() / scale
    }
}
