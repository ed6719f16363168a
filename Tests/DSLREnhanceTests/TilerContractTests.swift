import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation
import Testing

@testable import DSLREnhance

/// Two tiny test architectures, registered the way real ones are: an x2 super-resolution
/// network (convolutions then a sub-pixel shuffle) and a strided one whose input must be a
/// multiple of 4 (two stride-2 convolutions, then a x4 shuffle back to full size).
struct UpscalerNet: Module {
    var c1: Conv2d
    var c2: Conv2d
    static let architecture = Architecture(
        name: "test-x2", summary: "x2 test network",
        contract: { _ in ArchitectureContract(outputScale: 2) },
        make: { _ in
            let net = UpscalerNet(c1: try Conv2d(3, 16, kernel: 3, padding: .explicit(1, 1)),
                                  c2: try Conv2d(16, 12, kernel: 3, padding: .explicit(1, 1)))
            return NetworkBody(module: net, tiling: TilingProfile(receptiveRadius: 2, widestActivation: 16)) { x, _ in
                try pixelShuffle(net.c2(net.c1(x).relu()), factor: 2).sigmoid()
            }
        })
}

struct StridedNet: Module {
    var down1: Conv2d
    var down2: Conv2d
    var up: Conv2d
    static let architecture = Architecture(
        name: "test-strided", summary: "stride-4 test network",
        contract: { _ in ArchitectureContract(sizeMultiple: 4) },
        make: { _ in
            let net = StridedNet(down1: try Conv2d(3, 8, kernel: 3, stride: 2, padding: .explicit(1, 1)),
                                 down2: try Conv2d(8, 16, kernel: 3, stride: 2, padding: .explicit(1, 1)),
                                 up: try Conv2d(16, 48, kernel: 3, padding: .explicit(1, 1)))
            // Radius: 1 + 2 + 4 from the convolutions at strides 1, 2, 4, and 3 inside a 4×4 cell.
            return NetworkBody(module: net, tiling: TilingProfile(receptiveRadius: 10, widestActivation: 48)) { x, _ in
                try pixelShuffle(net.up(net.down2(net.down1(x).relu()).relu()), factor: 4).sigmoid()
            }
        })
}

@Suite struct TilerContractTests {
    @Test func anX2NetworkTilesExactly() throws {
        Torch.manualSeed(11)
        let net = try UpscalerNet.architecture.build()
        let photo = try Tensor.rand([1, 3, 37, 45])
        let whole = try runTiled(photo, network: net, options: TilingOptions(tile: 0))
        #expect(whole.shape == [1, 3, 74, 90])
        var tiles = 0
        let tiled = try runTiled(photo, network: net, options: TilingOptions(tile: 16)) { _, total in tiles = total }
        #expect(tiles == 9)
        #expect(try (tiled - whole).abs().max().item() < 1e-6)
        // A halo below the radius is visibly inexact, so the comparison above can fail.
        let short = try runTiled(photo, network: net, options: TilingOptions(tile: 16, overlap: 0))
        #expect(try (short - whole).abs().max().item() > 1e-3)
    }

    @Test func aStridedNetworkIsPaddedToItsMultipleAndTilesExactly() throws {
        Torch.manualSeed(12)
        let net = try StridedNet.architecture.build()
        let photo = try Tensor.rand([1, 3, 37, 45])
        let whole = try runTiled(photo, network: net, options: TilingOptions(tile: 0))
        #expect(whole.shape == [1, 3, 37, 45])
        // The whole photo equals the network on the edge-padded photo, cropped.
        let padded = try photo.pad([0, 3, 0, 3], mode: .replicate)
        let direct = try withNoGrad { try net.enhance(padded, norms: nil) }.narrow(2, start: 0, length: 37).narrow(3, start: 0, length: 45)
        #expect(try (whole - direct).abs().max().item() < 1e-6)
        let tiled = try runTiled(photo, network: net, options: TilingOptions(tile: 13))
        #expect(try (tiled - whole).abs().max().item() < 1e-6)
        #expect(coreSpans(length: 40, size: 13, multiple: 4).map(\.length) == [12, 12, 8, 8])
        #expect(coreSpans(length: 40, size: 16, multiple: 4).map(\.length) == [16, 12, 12])
    }

    @Test func inputChannelsAreChecked() throws {
        let net = try UpscalerNet.architecture.build()
        #expect(throws: TorchError.self) {
            try runTiled(try Tensor.rand([1, 4, 8, 8]), network: net, options: TilingOptions(tile: 0))
        }
    }
}
