import DSLRDistributed
import DSLRNN
import DSLRTensor
import Testing

@Suite struct EquivalenceTests {
    /// The claim: 2 ranks × 4 samples with averaged gradients end, after 5 Adam steps,
    /// with the weights of 1 process × 8 samples. Rank 1 starts from different weights, so
    /// the broadcast is exercised too.
    @Test(arguments: [DType.float32, .float64])
    func twoRanksWithHalfBatchesMatchOneProcessWithTheWholeBatch(dtype: DType) throws {
        let reference = try DataParallelCheck.train(group: nil, globalBatch: 8, steps: 5, dtype: dtype)
        let path = storePath("equivalence")
        let ranks = try onRanks(2) { rank in
            let group = try ProcessGroup(rank: rank, worldSize: 2, rendezvous: .file(path: path), timeout: .seconds(30))
            return try DataParallelCheck.train(group: group, globalBatch: 8, steps: 5, dtype: dtype)
        }
        let untrained = try DataParallelCheck.train(group: nil, globalBatch: 8, steps: 0, dtype: dtype)
        let tolerance = dtype == .float64 ? 1e-12 : 1e-6
        for weights in ranks {
            let difference = DataParallelCheck.relativeDifference(weights, reference)
            print("DDP equivalence \(dtype): max|Δw|/max|w| = \(difference)")
            #expect(difference < tolerance)
        }
        // Training moved the weights far more than the tolerance, so the match means something.
        #expect(DataParallelCheck.relativeDifference(untrained, reference) > 1e-3)
    }

    /// Without the gradient average each rank follows its own shard and drifts apart.
    @Test func withoutAveragingTheRanksWouldDiverge() throws {
        let reference = try DataParallelCheck.train(group: nil, globalBatch: 8, steps: 5)
        let halfBatch = try DataParallelCheck.train(group: nil, globalBatch: 4, steps: 5)
        #expect(DataParallelCheck.relativeDifference(halfBatch, reference) > 1e-4)
    }
}

/// Two parameters, for checking which gradients the average sees.
struct Pair: Module {
    var a: Tensor
    var b: Tensor
}

@Suite struct GradientAverageTests {
    @Test func aParameterWithoutAGradientOnOneRankCountsAsZero() throws {
        let path = storePath("zero-grad")
        let results = try onRanks(2) { rank -> [Float] in
            let group = try ProcessGroup(rank: rank, worldSize: 2, rendezvous: .file(path: path), timeout: .seconds(20))
            let pair = Pair(a: try Tensor([Float(1), 2]).requiringGrad(), b: try Tensor([Float(3)]).requiringGrad())
            // Rank 0's loss uses both parameters, rank 1's only `a`: b has no gradient there.
            let loss = rank == 0 ? try (pair.a * 3).sum() + (pair.b * 4).sum() : try (pair.a * 5).sum()
            try loss.backward()
            try DataParallel(group: group).averageGradients(of: pair)
            return try pair.a.grad!.toArray(Float.self) + pair.b.grad!.toArray(Float.self)
        }
        #expect(results[0] == [4, 4, 2])
        #expect(results[1] == [4, 4, 2])
    }
}
