import DSLRNN
import DSLRTensor

/// Synchronous data parallelism, as PyTorch's DistributedDataParallel computes it: every
/// rank holds a full replica, runs forward and backward on its own shard of the global
/// batch, then the gradients are averaged so every replica takes the same optimizer step.
///
/// With equal shards and a loss that is a mean over the shard, the average of the ranks'
/// gradients is the gradient of the mean loss over the whole global batch, so N ranks with
/// B/N samples each follow the trajectory of one process with batch B (up to float
/// rounding). Batch-norm statistics are per shard, so networks with batch norm in training
/// mode do not match exactly; instance norm and plain convolutions do.
///
/// In a trainer (DSLRTrain's `Trainer` does this): `launchWorkers(nproc:arguments:)` starts
/// the ranks (or a user runs `dslr launch --nproc N -- train ...`); each rank calls
/// `ProcessGroup.fromEnvironment()`, `broadcastState(of:)` for every trained network,
/// `averageGradients(of:)` where gradients are final and before the optimizer step, takes
/// `shard.select(_:)` of each global batch (the same seeded loader on every rank), and leaves
/// checkpoints and logs to rank 0.
public struct DataParallel: Sendable {
    public let group: ProcessGroup

    public init(group: ProcessGroup) {
        self.group = group
    }

    /// Copies rank 0's parameters and buffers to every rank. Call once before training (after
    /// any checkpoint is loaded on rank 0), so that the replicas start equal.
    public func broadcastState(of module: some Module) throws {
        try group.broadcast(module.stateDict().map(\.1), from: 0)
    }

    /// Averages, in place, the gradients of `module`'s parameters over the ranks: one
    /// flattened all-reduce. A parameter that has no gradient gets a zero one first, so that
    /// every rank sends the same buffer layout even when a rank's shard skipped a branch.
    public func averageGradients(of module: some Module) throws {
        var gradients: [Tensor] = []
        for parameter in module.parameters() {
            if let g = try parameter.grad {
                gradients.append(g)
            } else {
                let zero = try parameter.zerosLike()
                try parameter.setGrad(zero)
                gradients.append(zero)
            }
        }
        try averageGradients(gradients)
    }

    /// Averages the given gradient tensors in place (one all-reduce per dtype).
    public func averageGradients(_ gradients: [Tensor]) throws {
        guard group.worldSize > 1 else { return }
        try group.allReduceMean(gradients)
    }

    /// This rank's part of a global batch (see `BatchShard`).
    public var shard: BatchShard { BatchShard(rank: group.rank, worldSize: group.worldSize) }
}
