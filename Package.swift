// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// The libtorch release the set-up installs (scripts/setup.sh reads this line).
let libtorchRelease = "2.15.0"

/// Where libtorch lives: `LIBTORCH` if set (any libtorch: Debian's, a CUDA build, a
/// pip-installed `torch/` folder), else the per-user cache that scripts/setup.sh fills.
let environment = ProcessInfo.processInfo.environment
func libtorchRoot() -> String {
    if let dir = environment["LIBTORCH"], !dir.isEmpty { return dir }
    let home = environment["HOME"] ?? NSHomeDirectory()
    let cacheBase = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.cache"
    let cache = environment["DSLRKIT_CACHE"].flatMap { $0.isEmpty ? nil : $0 } ?? cacheBase + "/dslrkit"
    return "\(cache)/libtorch-\(libtorchRelease)/torch"
}
let torchRoot = libtorchRoot()
// Debian's libtorch keeps its libraries under lib/<multiarch>/.
let torchLib = ["\(torchRoot)/lib", "\(torchRoot)/lib/x86_64-linux-gnu", "\(torchRoot)/lib/aarch64-linux-gnu"]
    .first { FileManager.default.fileExists(atPath: "\($0)/libtorch_cpu.so") } ?? "\(torchRoot)/lib"
let torchInclude = "\(torchRoot)/include"
// Re-adding a default system folder (Debian: /usr/include) with -isystem reorders the search
// path and breaks libstdc++'s #include_next, so only other folders are added.
// c10d's process-group headers (ctorch_distributed.cpp) also reach the C++ API's folder.
let torchIncludeFlags = (["/usr/include", "/usr/local/include"].contains(torchInclude) ? [] : ["-isystem", torchInclude])
    + ["-isystem", "\(torchInclude)/torch/csrc/api/include"]
// The shim is C++20. libtorch 1.x headers (Debian's 1.13) do not compile as C++20 with
// current clang, so with those headers alone the shim is built as C++17.
let torchVersionHeader = (try? String(
    contentsOfFile: "\(torchInclude)/torch/csrc/api/include/torch/version.h", encoding: .utf8)) ?? ""
let torchIsVersion1 = torchVersionHeader.contains("#define TORCH_VERSION_MAJOR 1")

let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "DSLRKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "DSLRTensor", targets: ["DSLRTensor"]),
        .library(name: "DSLRNN", targets: ["DSLRNN"]),
        .library(name: "SafeTensors", targets: ["SafeTensors"]),
        .library(name: "DSLRMetrics", targets: ["DSLRMetrics"]),
        .library(name: "DSLRPhoto", targets: ["DSLRPhoto"]),
        .library(name: "DSLRRaw", targets: ["DSLRRaw"]),
        .library(name: "DSLRImport", targets: ["DSLRImport"]),
        .library(name: "DSLRModels", targets: ["DSLRModels"]),
        .library(name: "DSLRLosses", targets: ["DSLRLosses"]),
        .library(name: "DSLRData", targets: ["DSLRData"]),
        .library(name: "DSLREnhance", targets: ["DSLREnhance"]),
        .library(name: "DSLREval", targets: ["DSLREval"]),
        .library(name: "DSLRDistributed", targets: ["DSLRDistributed"]),
        .library(name: "DSLRTrain", targets: ["DSLRTrain"]),
        .library(name: "DSLRServe", targets: ["DSLRServe"]),
        .executable(name: "dslr", targets: ["dslr"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    ],
    targets: [
        // The only C++ in the package: a thin C ABI over libtorch.
        .target(
            name: "CTorch",
            cxxSettings: [
                .unsafeFlags(torchIncludeFlags + ["-Wno-deprecated-declarations"]),
            ],
            linkerSettings: [
                // By full path, not -l: libvips' pkg-config flags put -L/usr/lib/<multiarch> first
                // on the link line, where a Debian libtorch would win a -ltorch_cpu search.
                .unsafeFlags([
                    "-L\(torchLib)", "-Xlinker", "\(torchLib)/libtorch_cpu.so", "-Xlinker", "\(torchLib)/libc10.so",
                    "-Xlinker", "-rpath", "-Xlinker", torchLib,
                ]),
                .linkedLibrary("dl"),
            ]
        ),
        .target(name: "DSLRTensor", dependencies: ["CTorch"], swiftSettings: swiftSettings),
        .target(name: "SafeTensors", swiftSettings: swiftSettings),
        .target(name: "DSLRNN", dependencies: ["DSLRTensor", "SafeTensors"], swiftSettings: swiftSettings),
        .target(name: "DSLRMetrics", dependencies: ["DSLRTensor"], swiftSettings: swiftSettings),
        // Photo decoding and encoding: a thin C layer over libvips (Debian's libvips-dev).
        // libvips' flags (GLib's include folders among them) come from pkg-config's `vips`.
        .systemLibrary(name: "CLibVips", pkgConfig: "vips", providers: [.apt(["libvips-dev", "pkg-config"])]),
        .target(name: "CVips", dependencies: ["CLibVips"]),
        .target(name: "DSLRPhoto", dependencies: ["CVips", "DSLRTensor"], swiftSettings: swiftSettings),
        // Camera RAW files: a thin C layer over LibRaw (Debian's libraw-dev; the reentrant
        // libraw_r, so files decode in parallel). Linked by name rather than through pkg-config,
        // whose flags for libraw add -fopenmp, which makes clang look for its own OpenMP runtime.
        .target(name: "CRaw", linkerSettings: [.linkedLibrary("raw_r")]),
        .target(name: "DSLRRaw", dependencies: ["CRaw", "DSLRTensor", "DSLRPhoto"], swiftSettings: swiftSettings),
        // zlib (Debian zlib1g-dev) for MAT-file v7 compressed elements: Foundation on Linux
        // has no inflate API.
        // No pkgConfig: its -L/usr/lib/<arch> would come before libtorch's -L and pick up a
        // system libtorch there; zlib is on the default search path anyway.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        // Readers for other projects' weight files (TensorFlow checkpoints, MATLAB .mat).
        .target(name: "DSLRImport", dependencies: ["DSLRTensor", "CZlib"], swiftSettings: swiftSettings),
        .target(
            name: "DSLRModels", dependencies: ["DSLRTensor", "DSLRNN", "SafeTensors", "DSLRImport", "DSLRMetrics"],
            swiftSettings: swiftSettings),
        .target(
            name: "DSLRLosses", dependencies: ["DSLRTensor", "DSLRNN", "DSLRMetrics", "DSLRModels"],
            swiftSettings: swiftSettings),
        .target(
            name: "DSLRData", dependencies: ["DSLRTensor", "DSLRPhoto", "DSLRRaw", "DSLRMetrics"],
            swiftSettings: swiftSettings),
        .target(
            name: "DSLREnhance",
            dependencies: ["DSLRTensor", "DSLRNN", "SafeTensors", "DSLRPhoto", "DSLRRaw", "DSLRModels", "DSLRMetrics", "DSLRLosses"],
            resources: [.copy("Models")], swiftSettings: swiftSettings),
        .target(
            name: "DSLREval",
            dependencies: ["DSLRTensor", "DSLRPhoto", "DSLRMetrics", "DSLRData", "DSLREnhance", "DSLRModels", "DSLRTrain"],
            swiftSettings: swiftSettings),
        // Data-parallel training over libtorch's c10d process groups (Gloo).
        .target(name: "DSLRDistributed", dependencies: ["CTorch", "DSLRTensor", "DSLRNN"], swiftSettings: swiftSettings),
        // Training: recipes (YAML), the GAN training loop, checkpoints and exact resume.
        .target(
            name: "DSLRTrain",
            dependencies: [
                "DSLRTensor", "DSLRNN", "DSLRMetrics", "DSLRModels", "DSLRLosses", "DSLRData",
                "DSLRDistributed", .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings),
        // The executable's allocator: Debian's jemalloc (libjemalloc-dev), keeping freed pages.
        .target(
            name: "DSLRServe",
            dependencies: ["DSLREnhance", "DSLRPhoto", "DSLRTensor", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "MultipartKit", package: "multipart-kit")],
            swiftSettings: swiftSettings),
        .target(name: "CAllocator", linkerSettings: [.linkedLibrary("jemalloc")]),
        .executableTarget(
            name: "dslr",
            dependencies: [
                "CAllocator", "DSLRTensor", "DSLRNN", "SafeTensors", "DSLRMetrics", "DSLRPhoto", "DSLRRaw", "DSLRImport",
                "DSLRModels", "DSLRLosses", "DSLRData", "DSLREnhance", "DSLREval", "DSLRDistributed", "DSLRTrain", "DSLRServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "DSLRTensorTests", dependencies: ["DSLRTensor"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SafeTensorsTests", dependencies: ["SafeTensors"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "DSLRNNTests", dependencies: ["DSLRNN", "DSLRTensor", "SafeTensors"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "DSLRMetricsTests", dependencies: ["DSLRMetrics", "DSLRNN", "DSLRTensor"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "DSLRPhotoTests", dependencies: ["CVips", "DSLRPhoto", "DSLRTensor", "DSLRNN"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "DSLRRawTests", dependencies: ["DSLRRaw", "CRaw", "DSLRPhoto", "DSLRData", "DSLRNN", "DSLRTensor"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "DSLRImportTests", dependencies: ["DSLRImport", "DSLRTensor", "DSLRNN"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "DSLRModelsTests", dependencies: ["DSLRModels", "DSLRImport", "DSLRNN", "DSLRTensor", "SafeTensors"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "DSLRLossesTests", dependencies: ["DSLRLosses", "DSLRModels", "DSLRMetrics", "DSLRNN", "DSLRTensor"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "DSLRDataTests", dependencies: ["DSLRData", "DSLRPhoto", "DSLRTensor"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "DSLREnhanceTests", dependencies: ["DSLREnhance", "DSLRPhoto", "DSLRModels", "DSLRLosses", "DSLRNN", "DSLRTensor"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "DSLREvalTests",
            dependencies: ["DSLREval", "DSLRPhoto", "DSLRMetrics", "DSLREnhance", "DSLRModels", "DSLRNN", "DSLRData", "DSLRTensor", "DSLRTrain"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "DSLRDistributedTests", dependencies: ["DSLRDistributed", "DSLRNN", "DSLRTensor"],
            swiftSettings: swiftSettings),
        // Runs the built `dslr` as a subprocess: arguments, exit codes, one-line messages.
        // Its fixtures are read by path, not as resources.
        .testTarget(
            name: "DSLRCLITests", dependencies: ["DSLRPhoto", "DSLRTensor", "DSLRNN", "DSLRModels"], exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "DSLRTrainTests", dependencies: ["DSLRTrain", "DSLRData", "DSLRLosses", "DSLRModels", "DSLRNN", "DSLRTensor", "DSLREval", "DSLREnhance", "DSLRPhoto"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: torchIsVersion1 ? .cxx17 : .cxx20
)
