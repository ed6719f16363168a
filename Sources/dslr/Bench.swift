import ArgumentParser
import DSLRTensor
import Foundation

/// Benchmarks whose numbers bench/ sets beside PyTorch's; they print one JSON object a line.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the engine (used by bench/ to compare with PyTorch).",
        subcommands: [EngineBench.self, DPEDPlusBench.self]
    )
}

struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Time convolutions and per-op overhead; one JSON line per case."
    )

    @Option(help: "Repetitions per case; the best time is reported.")
    var repeats = 5

    func run() throws {
        Torch.manualSeed(0)
        try report(ConvTrainingCase.name, flops: ConvTrainingCase.flops, setup: ConvTrainingCase.makeStep)
        try report("conv9x9_3to64_infer_1x1000x1000", flops: 2.0 * 64 * 3 * 81 * 1000 * 1000) {
            let x = try Tensor.rand([1, 3, 1000, 1000])
            let w = try Tensor.randn([64, 3, 9, 9]) * 0.05
            return { _ = try withNoGrad { try conv2d(x, weight: w, padding: [4, 4]) } }
        }
        let small = try Tensor.rand([4])
        try report("add_4_elements_x10000", flops: nil) {
            { for _ in 0..<10_000 { _ = try small + small } }
        }
    }

    /// Times `body()` (built once by `setup`) and prints one JSON line.
    private func report(_ name: String, flops: Double?, setup: () throws -> () throws -> Void) throws {
        let best = try bestSeconds(repeats: repeats, setup())
        var line = "{\"case\": \"\(name)\", \"seconds\": \(best)"
        if let flops { line += ", \"gflops\": \(flops / best / 1e9)" }
        print(line + ", \"threads\": \(Torch.threadCount)}")
    }
}
