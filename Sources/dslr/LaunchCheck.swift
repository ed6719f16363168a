import ArgumentParser
import DSLRDistributed
import DSLRTensor
import Foundation

/// Shows data-parallel training equals single-process training, across real processes.
struct DDPCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddp-check",
        abstract: "Check that N ranks with B/N samples each train like one process with batch B.",
        discussion: """
            Run under `dslr launch --nproc N -- ddp-check`. Every rank trains a two-convolution \
            network for a few Adam steps on its shard of a fixed global batch, averaging \
            gradients over the ranks; rank 0 then trains the same network alone on the whole \
            batch and prints the largest weight difference relative to the weights' scale.
            """
    )

    @Option(help: "Global batch size (a multiple of the number of ranks).")
    var batch = 8

    @Option(help: "Adam steps.")
    var steps = 5

    @Option(help: "Largest relative weight difference accepted (float32).")
    var tolerance = 1e-6

    func run() throws {
        let group = try ProcessGroup.fromEnvironment()
        let rank = group?.rank ?? 0
        let worldSize = group?.worldSize ?? 1
        let parallel = try DataParallelCheck.train(group: group, globalBatch: batch, steps: steps)
        guard rank == 0 else { return }
        let single = try DataParallelCheck.train(group: nil, globalBatch: batch, steps: steps)
        let difference = DataParallelCheck.relativeDifference(parallel, single)
        print(
            "ddp-check: \(worldSize) rank(s) x \(batch / worldSize) samples vs 1 process x \(batch) samples, "
                + "\(steps) Adam steps, \(parallel.count) weights: max|dw|/max|w| = \(difference)")
        if !(difference <= tolerance) {
            warn("ddp-check: difference \(difference) is above the tolerance \(tolerance)")
            throw ExitCode.failure
        }
    }
}
