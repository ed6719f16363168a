import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRModels

@Suite struct ToneNetTests {
    @Test func untrainedIsTheIdentity() throws {
        Torch.manualSeed(1)
        let net = try ToneNet()
        let x = try Tensor.rand([2, 3, 40, 56])
        #expect(try (withNoGrad { try net(x) } - x).abs().max().item() < 1e-5)
    }

    /// A flat photo of value 0.3 in every channel: means 0.3 (luminance too, as the weights sum
    /// to 1), deviations 0, and with 4 bins (centres 1/8, 3/8, ...) the soft histogram puts
    /// 1 − |0.3 − 0.125|·4 = 0.3 in the first bin and 1 − |0.3 − 0.375|·4 = 0.7 in the second.
    @Test func statisticsOfAFlatPhoto() throws {
        let net = try ToneNet(histogramBins: 4)
        let s = try net.statistics(try Tensor.full([1, 3, 70, 90], 0.3)).reshape([-1]).toArray(Float.self)
        let expected: [Float] = [0.3, 0.3, 0.3, 0.3, 0, 0, 0, 0] + Array(repeating: [0.3, 0.7, 0, 0], count: 4).flatMap { $0 }
        #expect(s.count == expected.count)
        for (a, b) in zip(s, expected) { #expect(abs(a - b) < 1e-5, "\(s)") }
    }

    /// The curve learns a global, luminance-dependent change: 60 Adam steps fit a gamma
    /// curve y = x^0.6 far better than the identity does, with the detail path left out.
    @Test func learnsAToneCurve() throws {
        Torch.manualSeed(3)
        let net = try ToneNet()
        let (before, after) = try squaredErrorBeforeAndAfterFitting(
            net.namedParameters().filter { !$0.0.hasPrefix("detail") }, steps: 60, learningRate: 0.01,
            batch: {
                let x = try Tensor.rand([4, 3, 32, 32])
                return (x, try x.pow(0.6))
            }, forward: { try net($0) })
        #expect(after < before / 10, "loss \(before) → \(after)")
    }
}
