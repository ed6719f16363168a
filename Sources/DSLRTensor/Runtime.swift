import CTorch
import Foundation

/// Process-wide facts and settings of the tensor engine.
public enum Torch {
    /// Version of the libtorch headers the engine was compiled against.
    public static var version: String { String(cString: ct_version()) }

    /// Path of the libtorch CPU library this process loaded.
    public static var libraryPath: String { String(cString: ct_library_path()) }

    /// Threads libtorch uses inside one operator.
    public static var threadCount: Int {
        get { Int(ct_num_threads()) }
    }

    /// Sets the intra-op thread count.
    public static func setThreadCount(_ n: Int) {
        ct_set_num_threads(Int32(n))
    }

    /// Seeds the global generator that `rand`, `randn`, dropout and initialisers draw from.
    public static func manualSeed(_ seed: UInt64) {
        ct_manual_seed(seed)
    }

    /// The CPU generator's full state, for checkpoints that must resume exactly.
    public static func rngState() throws -> Tensor {
        guard let raw = ct_rng_state() else { throw TorchError.last("rngState") }
        return Tensor(owning: raw)
    }

    public static func setRNGState(_ state: Tensor) throws {
        try check(ct_set_rng_state(state.handle), "setRNGState")
    }

    /// Whether CUDA can be used (loads libtorch's CUDA half on first call).
    public static var cudaAvailable: Bool { ct_cuda_available() == 1 }

    /// One line on why CUDA is or is not available.
    public static var cudaStatus: String { String(cString: ct_cuda_status()) }

    public static var cudaDeviceCount: Int { Int(ct_cuda_device_count()) }

    /// Waits for queued GPU work (for timing).
    public static func synchronize(_ device: Device) throws {
        if case .cuda(let index) = device {
            try check(ct_cuda_synchronize(Int32(index)), "synchronize")
        }
    }

    /// The instruction set ATen's CPU kernels were dispatched for (e.g. "AVX512").
    public static var cpuCapability: String { String(cString: ct_cpu_capability()) }

    /// libtorch's build configuration (BLAS, oneDNN, OpenMP, compiler flags).
    public static var buildConfiguration: String { String(cString: ct_build_config()) }

    /// Tensor handles alive in this process (leak checks).
    public static var liveTensorCount: Int { Int(ct_live_tensors()) }

    /// Devices usable in this process, CPU first.
    public static var devices: [Device] {
        [.cpu] + (0..<cudaDeviceCount).map { Device.cuda($0) }
    }
}

/// Vector features of this machine's CPU that decide how fast libtorch's kernels run.
public struct CPUFeatures: Sendable {
    public let model: String
    public let flags: Set<String>

    /// Reads /proc/cpuinfo (Linux); empty elsewhere.
    public static func current() -> CPUFeatures {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return CPUFeatures(model: "unknown", flags: [])
        }
        var model = "unknown"
        var flags = Set<String>()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "model name", model == "unknown" { model = parts[1] }
            if parts[0] == "flags" || parts[0] == "Features", flags.isEmpty {
                flags = Set(parts[1].split(separator: " ").map(String.init))
            }
        }
        return CPUFeatures(model: model, flags: flags)
    }

    /// The features that matter for deep-learning kernels, present ones only, in a fixed order.
    public var relevant: [String] {
        ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16",
         "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8", "asimd", "sve"]
            .filter(flags.contains)
    }

    public var hasAVX512: Bool { flags.contains("avx512f") }
    public var hasAMX: Bool { flags.contains("amx_tile") }
}
