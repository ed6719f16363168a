// swift-tools-version: 6.0
// libFuzzer targets for the parsers that need DSLRKit's whole module graph (issue 19):
// the training recipe, `dslr serve`'s requests, photo decoding, RAW decoding and weights files
// as `--model` loads and runs them. Built by
// scripts/fuzz.sh as its own package, so the root package's build never sees it:
//
//   swift build --package-path fuzz -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//
// Each executable defines `LLVMFuzzerTestOneInput`, and `<Module>_main`, which SwiftPM links
// as `main`, to run libFuzzer's driver (FuzzDriver).
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, not its manifest's `name`: the
/// checkout's folder (a clone may be called anything).
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().standardizedFileURL
let dslrkit = root.lastPathComponent.lowercased()

let package = Package(
    name: "DSLRKitFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        // For EmbeddedChannel: the HTTP target hands requests to the service's router without a socket.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "RecipeFuzz", dependencies: ["FuzzDriver", .product(name: "DSLRTrain", package: dslrkit)]),
        .executableTarget(
            name: "HTTPFuzz",
            dependencies: [
                "FuzzDriver", .product(name: "DSLRServe", package: dslrkit), .product(name: "DSLREnhance", package: dslrkit),
                .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        .executableTarget(name: "PhotoFuzz", dependencies: ["FuzzDriver", .product(name: "DSLRPhoto", package: dslrkit)]),
        .executableTarget(name: "RawFuzz", dependencies: ["FuzzDriver", .product(name: "DSLRRaw", package: dslrkit)]),
        .executableTarget(
            name: "ModelFuzz",
            dependencies: ["FuzzDriver", .product(name: "DSLREnhance", package: dslrkit), .product(name: "DSLRTensor", package: dslrkit)]),
    ]
)
