import ArgumentParser
import DSLRTensor
import Foundation

/// Reports the engine a run would use, so a user can see why it is fast or slow.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the libtorch in use, devices, threads and CPU features."
    )

    @Flag(help: "Also print libtorch's build configuration (BLAS, oneDNN, OpenMP).")
    var verbose = false

    @Flag(help: "Also time a 64-channel 3x3 convolution forward+backward (50x64x100x100).")
    var benchmark = false

    func run() throws {
        let cpu = CPUFeatures.current()
        let selectedBy = ProcessInfo.processInfo.environment["LIBTORCH"].map { "LIBTORCH=\($0)" } ?? "default (per-user cache)"
        var cuda = Torch.cudaStatus
        if Torch.cudaAvailable {
            cuda = "\(Torch.cudaDeviceCount) GPU(s): " + (0..<Torch.cudaDeviceCount).map { "cuda:\($0)" }.joined(separator: ", ")
        }
        let rows: [(String, String)] = [
            ("libtorch", Torch.version),
            ("library", Torch.libraryPath),
            ("selected by", selectedBy),
            ("devices", Torch.devices.map(\.description).joined(separator: ", ")),
            ("CUDA", cuda),
            ("threads", "\(Torch.threadCount) intra-op (\(ProcessInfo.processInfo.activeProcessorCount) cores online)"),
            ("CPU", cpu.model),
            ("CPU features", cpu.relevant.isEmpty ? "none detected" : cpu.relevant.joined(separator: " ")),
            ("AVX-512", cpu.hasAVX512 ? "yes" : "no"),
            ("AMX", cpu.hasAMX ? "yes (bf16/int8 matrix tiles)" : "no"),
            ("ATen kernels", Torch.cpuCapability),
            ("allocator", allocatorDescription()),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        for (key, value) in rows {
            print(key.padding(toLength: width + 2, withPad: " ", startingAt: 0) + value)
        }
        if verbose {
            print("\n" + Torch.buildConfiguration)
        }
        if benchmark {
            try runConvBenchmark()
        }
    }

    private func runConvBenchmark() throws {
        Torch.manualSeed(0)
        let best = try bestSeconds(repeats: 3, ConvTrainingCase.makeStep())
        let rate = ConvTrainingCase.flops / best / 1e9
        print(String(format: "conv 3x3 64->64, 50x100x100, fwd+bwd: %.3f s, %.0f GFLOP/s", best, rate))
    }
}
