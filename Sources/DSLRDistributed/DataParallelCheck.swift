import DSLRNN
import DSLRTensor
import Foundation

/// The equivalence data parallelism promises, measured on a small network: N ranks that each
/// train on B/N samples with averaged gradients end with the weights of one process trained
/// on the whole batch B (same initial weights, same Adam steps).
public enum DataParallelCheck {
    /// Two 3×3 convolutions with a ReLU between: small enough for a unit test, deep enough
    /// that gradients of the first layer depend on the second.
    struct Network: Module {
        var conv1: Conv2d
        var conv2: Conv2d

        /// Weights from a fixed formula, so every rank (and the reference) can build the same
        /// network without sharing a random generator; `scrambled` gives different weights
        /// (what ranks other than 0 start from before the broadcast).
        init(dtype: DType, scrambled: Bool) throws {
            conv1 = try Conv2d(3, 8, kernel: 3, padding: .same)
            conv2 = try Conv2d(8, 3, kernel: 3, padding: .same)
            for (index, (_, p)) in namedParameters().enumerated() {
                let phase = scrambled ? 2.9 : 0.0
                let values = try p.to(.float64).toArray(Double.self).indices.map { k in
                    0.2 * sin(0.731 * Double(k) + 1.37 * Double(index) + phase)
                }
                try p.setData(Tensor(values, shape: p.shape).to(dtype))
            }
        }

        func callAsFunction(_ x: Tensor) throws -> Tensor {
            try conv2(conv1(x).relu())
        }
    }

    /// A fixed global batch of inputs and targets, [B, 3, 8, 8].
    static func batch(size: Int, dtype: DType) throws -> (input: Tensor, target: Tensor) {
        let count = size * 3 * 8 * 8
        let input = (0..<count).map { k in sin(0.113 * Double(k)) + 0.3 * cos(0.017 * Double(k * k % 101)) }
        let target = (0..<count).map { k in 0.5 * cos(0.071 * Double(k)) }
        return (try Tensor(input, shape: [size, 3, 8, 8]).to(dtype), try Tensor(target, shape: [size, 3, 8, 8]).to(dtype))
    }

    /// Trains the network for `steps` Adam steps on a fixed global batch of `globalBatch`
    /// samples and returns its final parameters, flattened, in float64.
    /// With `group` nil this is the single-process reference; with a group, this rank starts
    /// from rank 0's broadcast weights, takes its shard and averages gradients each step.
    public static func train(
        group: ProcessGroup?, globalBatch: Int = 8, steps: Int = 5, dtype: DType = .float32
    ) throws -> [Double] {
        let rank = group?.rank ?? 0
        let network = try Network(dtype: dtype, scrambled: rank != 0)
        let parallel = group.map(DataParallel.init(group:))
        try parallel?.broadcastState(of: network)
        var (input, target) = try batch(size: globalBatch, dtype: dtype)
        if let shard = parallel?.shard {
            input = try shard.select(input)
            target = try shard.select(target)
        }
        var adam = Adam(network.namedParameters(), learningRate: 1e-2)
        for _ in 0..<steps {
            try adam.zeroGrad()
            let difference = try network(input) - target
            // Mean over this rank's samples: with equal shards, the mean of the ranks' means
            // is the mean over the global batch.
            try (difference * difference).mean().backward()
            try parallel?.averageGradients(of: network)
            try adam.step()
        }
        return try network.parameters().flatMap { try $0.to(.float64).toArray(Double.self) }
    }

    /// max |a − b| / max |b|: the largest weight difference relative to the weights' scale.
    public static func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "weight vectors differ in length")
        let scale = b.map(Swift.abs).max() ?? 0
        let difference = zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
        return scale == 0 ? difference : difference / scale
    }
}
