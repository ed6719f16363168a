import DSLRNN
import DSLRTensor
import Foundation
import Testing

/// Resident set size of this process in bytes (Linux).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

struct SmallConvNet: Module {
    var conv1: Conv2d
    var norm: InstanceNorm2d
    var conv2: Conv2d

    init() throws {
        conv1 = try Conv2d(3, 8, kernel: 3, padding: .same)
        norm = try InstanceNorm2d(8, eps: 1e-3)
        conv2 = try Conv2d(8, 3, kernel: 3, padding: .same)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try conv2(norm(conv1(x)).leakyRelu(0.2)).tanh()
    }
}

@Suite("Memory", .serialized)
struct MemoryTests {
    /// 5,000 forward+backward+Adam steps: no tensor handle outlives its step, and resident
    /// memory after warm-up stays flat.
    @Test func trainingLoopDoesNotLeak() throws {
        let net = try SmallConvNet()
        var optimizer = Adam(net.namedParameters(), learningRate: 1e-3)
        let x = try Tensor.rand([2, 3, 16, 16])
        let target = try Tensor.rand([2, 3, 16, 16])
        func step() throws {
            try optimizer.zeroGrad()
            let loss = try (net(x) - target).square().mean()
            try loss.backward()
            try optimizer.step()
        }
        for _ in 0..<500 { try step() }
        let handlesAfterWarmup = Torch.liveTensorCount
        let rssAfterWarmup = residentBytes()
        for _ in 500..<5000 { try step() }
        let handleGrowth = Torch.liveTensorCount - handlesAfterWarmup
        let rssGrowth = residentBytes() - rssAfterWarmup
        #expect(handleGrowth == 0, "\(handleGrowth) tensor handles leaked over 4,500 steps")
        // A leak of one 2x8x16x16 float activation per step alone would add ~37 MB.
        #expect(rssGrowth < 8 << 20, "resident memory grew by \(rssGrowth >> 10) KiB over 4,500 steps")
    }
}
