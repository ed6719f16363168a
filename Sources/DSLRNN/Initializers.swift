import DSLRTensor
import Foundation

/// How a layer's weights start. Draws come from the global generator (`Torch.manualSeed`).
public enum Initializer: Sendable {
    /// PyTorch's layer default: uniform in ±1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5)).
    case pytorchDefault
    /// Normal with the given standard deviation.
    case normal(std: Double)
    /// Normal truncated to ±2 standard deviations, as TensorFlow's truncated_normal
    /// (DPED initialises with std 0.01).
    case truncatedNormal(std: Double)
    /// Every element equal to a constant.
    case constant(Double)
    /// Glorot / Xavier uniform: ±sqrt(6 / (fan_in + fan_out)).
    case xavierUniform

    /// A new tensor of `shape` for a layer with the given fan-in and fan-out.
    public func make(_ shape: [Int], fanIn: Int, fanOut: Int) throws -> Tensor {
        let t = try Tensor.zeros(shape)
        try withNoGrad {
            switch self {
            case .pytorchDefault:
                let bound = 1 / Foundation.sqrt(Double(max(fanIn, 1)))
                try t.uniform_(-bound, bound)
            case .normal(let std):
                try t.normal_(mean: 0, std: std)
            case .truncatedNormal(let std):
                // Inverse-CDF sampling restricted to [-2σ, 2σ]: exact, no rejection loop.
                let cdfLow = 0.5 * (1 + Foundation.erf(-2 / 2.0.squareRoot()))
                let cdfHigh = 0.5 * (1 + Foundation.erf(2 / 2.0.squareRoot()))
                try t.uniform_(2 * cdfLow - 1, 2 * cdfHigh - 1)
                try t.copy_(t.erfinv() * (std * 2.0.squareRoot()))
                try t.clamp_(min: -2 * std, max: 2 * std)
            case .constant(let value):
                try t.fill_(value)
            case .xavierUniform:
                let bound = Foundation.sqrt(6 / Double(max(fanIn + fanOut, 1)))
                try t.uniform_(-bound, bound)
            }
        }
        return try t.requiringGrad()
    }
}
