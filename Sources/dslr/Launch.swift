import ArgumentParser
import DSLRDistributed
import Foundation

/// Starts N copies of dslr as the ranks of one data-parallel run on this machine.
struct Launch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a dslr command as N data-parallel processes (ranks) on this machine.",
        discussion: """
            Each worker runs `dslr <command...>` with RANK, WORLD_SIZE, MASTER_ADDR=127.0.0.1 and a \
            free MASTER_PORT set; commands that support data parallelism join the group from \
            those variables. Output lines are prefixed with the worker's rank; if one worker \
            fails the others are stopped. Example: dslr launch --nproc 2 -- ddp-check
            """
    )

    @Option(help: "Number of worker processes.")
    var nproc = 2

    @Argument(parsing: .postTerminator, help: "The dslr command and its arguments, after --.")
    var command: [String] = []

    func run() throws {
        let arguments = command
        guard !arguments.isEmpty else { throw ValidationError("give the dslr command to run after --, e.g. -- ddp-check") }
        do {
            try launchWorkers(nproc: nproc, arguments: arguments)
        } catch let error as DistributedError {
            warn("dslr launch: \(error.message)")
            throw ExitCode.failure
        }
    }
}
