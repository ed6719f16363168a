import ArgumentParser
import DSLREnhance
import DSLRTensor

/// How models run: shared by `enhance`, `eval` and `report`.
struct InferenceOptions: ParsableArguments {
    @Option(help: "cpu, cuda or cuda:N.")
    var device: String = "cpu"

    @Option(help: "fp32, bf16 or fp16.")
    var precision: String = "fp32"

    @Option(help: "Tile core size in pixels (0: whole photo at once; default: the whole photo if it fits --memory-limit, else the largest tiles that do).")
    var tile: Int?

    @Option(help: "Context pixels around each tile (default: the model's receptive radius, exact).")
    var overlap: Int?

    @Option(help: "Resident memory (MiB) the automatic tile size aims to stay within.")
    var memoryLimit: Int = 2048

    func validate() throws {
        guard (tile ?? 0) >= 0 else { throw ValidationError("--tile must be 0 or positive") }
        guard (overlap ?? 0) >= 0 else { throw ValidationError("--overlap must not be negative") }
        guard memoryLimit > 0 else { throw ValidationError("--memory-limit must be positive") }
        guard Precision(rawValue: precision) != nil else { throw ValidationError("--precision must be fp32, bf16 or fp16") }
    }

    /// The device, checked to exist.
    func resolvedDevice() throws -> Device {
        let device = try Device(self.device)
        if case .cuda(let index) = device, index >= Torch.cudaDeviceCount {
            throw ValidationError("\(device) is not available (\(Torch.cudaStatus))")
        }
        return device
    }

    var resolvedPrecision: Precision { Precision(rawValue: precision) ?? .fp32 }

    var tiling: TilingOptions { TilingOptions(tile: tile, overlap: overlap, memoryLimit: memoryLimit << 20) }
}
