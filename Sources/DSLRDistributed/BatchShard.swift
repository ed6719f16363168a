import DSLRTensor

/// How a global batch of B samples is split over N ranks: rank r takes the samples at
/// positions r, r + N, r + 2N, ... of the global batch.
///
/// A data loader keeps the same seeded global order on every rank (same seed, same
/// shuffling, same augmentation draws per sample) and each rank builds only its own
/// positions, so the union of the shards is exactly the batch one process would see.
/// B must be a multiple of N: equal shards are what makes the mean of the per-rank mean
/// losses equal to the mean loss over the global batch.
public struct BatchShard: Sendable, Equatable {
    public let rank: Int
    public let worldSize: Int

    public init(rank: Int, worldSize: Int) {
        precondition(worldSize >= 1 && (0..<worldSize).contains(rank), "rank \(rank) is outside 0..<\(worldSize)")
        self.rank = rank
        self.worldSize = worldSize
    }

    /// Samples per rank for a global batch, or an error naming the sizes when they do not divide.
    public func localBatchSize(global: Int) throws -> Int {
        guard global > 0, global % worldSize == 0 else {
            throw DistributedError("global batch \(global) does not split evenly over \(worldSize) ranks")
        }
        return global / worldSize
    }

    /// Positions, within a global batch of `global` samples, that this rank takes.
    public func indices(global: Int) throws -> [Int] {
        _ = try localBatchSize(global: global)
        return Array(stride(from: rank, to: global, by: worldSize))
    }

    /// This rank's samples of a global batch tensor (dimension 0 is the batch).
    public func select(_ batch: Tensor) throws -> Tensor {
        guard worldSize > 1 else { return batch }
        let positions = try indices(global: batch.shape[0])
        return try batch.indexSelect(0, Tensor(positions.map(Int64.init)).to(batch.device))
    }
}
