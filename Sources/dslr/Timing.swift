import DSLRTensor
import Foundation

/// Best wall-clock seconds of `repeats` runs of `body`, after one warm-up run.
func bestSeconds(repeats: Int, _ body: () throws -> Void) throws -> Double {
    try body()
    var best = Double.infinity
    for _ in 0..<max(repeats, 1) { best = min(best, try elapsedSeconds(body)) }
    return best
}

/// Wall-clock seconds of one run of `body`.
func elapsedSeconds(_ body: () throws -> Void) throws -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The reference training convolution (`doctor --benchmark` and `bench engine`): a 64→64
/// 3×3 convolution forward + backward on 50×64×100×100.
enum ConvTrainingCase {
    static let name = "conv3x3_64ch_fwd_bwd_50x100x100"
    /// Forward, grad of input, grad of weight: three convolutions' worth of multiply-adds.
    static let flops: Double = {
        let multiplyAdds: Int = 50 * 64 * 64 * 9 * 100 * 100
        return Double(3 * 2 * multiplyAdds)
    }()

    /// Allocates the inputs and returns one training step over them.
    static func makeStep() throws -> () throws -> Void {
        let x = try Tensor.randn([50, 64, 100, 100]).requiringGrad()
        let w = try (Tensor.randn([64, 64, 3, 3]) * 0.05).requiringGrad()
        return {
            try conv2d(x, weight: w, padding: [1, 1]).sum().backward()
            try x.setGrad(nil)
            try w.setGrad(nil)
        }
    }
}
