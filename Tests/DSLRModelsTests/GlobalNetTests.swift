import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRModels

@Suite struct GlobalNetTests {
    /// A network with random weights everywhere, including the zero-initialised grid head
    /// (at `scale`) and detail output.
    static func randomized(seed: UInt64, scale: Double = 0.05, lowres: Int = 64) throws -> GlobalNet {
        Torch.manualSeed(seed)
        let net = try GlobalNet(lowres: lowres)
        try withNoGrad {
            try net.fuse.weight.copy_(try Tensor.randn(net.fuse.weight.shape) * scale)
            try net.detailOut.weight.copy_(try Tensor.randn(net.detailOut.weight.shape) * 0.05)
        }
        return net
    }

    @Test func untrainedIsTheIdentity() throws {
        Torch.manualSeed(1)
        let net = try GlobalNet(lowres: 64)
        let x = try Tensor.rand([2, 3, 40, 56])
        #expect(try (withNoGrad { try net(x) } - x).abs().max().item() < 1e-5)
    }

    /// A pixel's result depends on the rest of the photo, not only on its neighbourhood: at
    /// lowres 256 the left eight columns' grid cells see about 24 columns through the local
    /// path, so a change in columns 40-63 reaches them only through the global features.
    /// With the global path cut (its last dense layer zeroed), it does not reach them at all.
    @Test func farAwayContentChangesAPixelThroughTheGlobalPath() throws {
        func leftChange(_ net: GlobalNet) throws -> Double {
            Torch.manualSeed(9)
            let x = try Tensor.rand([1, 3, 64, 64])
            let brighter = try x.clone()
            try withNoGrad { try brighter.narrow(3, start: 40, length: 24).copy_(try Tensor.ones([1, 3, 64, 24])) }
            let a = try withNoGrad { try net(x) }.narrow(3, start: 0, length: 8)
            let b = try withNoGrad { try net(brighter) }.narrow(3, start: 0, length: 8)
            return try (a - b).abs().max().item()
        }
        let net = try Self.randomized(seed: 2, scale: 1, lowres: 256)
        let withGlobal = try leftChange(net)
        try withNoGrad {
            try net.globalDense[2].weight.zero_()
            try net.globalDense[2].bias!.zero_()
        }
        let withoutGlobal = try leftChange(net)
        #expect(withoutGlobal == 0, "local path reached: \(withoutGlobal)")
        #expect(withGlobal > 1e-5, "global path: \(withGlobal)")
    }

    /// The grid learns a global colour change: 40 Adam steps fit y = 0.7·x + 0.2 (per
    /// channel shifted) far better than the identity does, with the local detail path left
    /// out of the optimizer so that only the grid can do it.
    @Test func learnsAGlobalColourTransform() throws {
        Torch.manualSeed(3)
        let net = try GlobalNet(width: 4, lowres: 64)
        #expect(net.namedParameters().allSatisfy { $0.1.requiresGrad })
        let shift = try Tensor([Float(0.2), 0.1, 0.25], shape: [1, 3, 1, 1])
        let (before, after) = try squaredErrorBeforeAndAfterFitting(
            net.namedParameters().filter { !$0.0.hasPrefix("detail") }, steps: 40, learningRate: 0.01,
            batch: {
                let x = try Tensor.rand([4, 3, 32, 32])
                return (x, try x * 0.7 + shift)
            }, forward: { try net($0) })
        #expect(after < before / 10, "loss \(before) → \(after)")
    }
}
