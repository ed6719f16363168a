import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation
import Testing

@testable import DSLREnhance

// Two tiny test architectures, declared the way real ones are: an x2 super-resolution
// network and a strided one whose input must be a multiple of 4.

/// A test architecture whose body is `layers` applied in turn, then a sub-pixel shuffle.
func shuffleArchitecture(_ name: String, contract: ArchitectureContract, radius: Int, shuffle: Int,
                         layers: @escaping @Sendable () throws -> [Conv2d]) -> Architecture {
    Architecture(name: name, summary: name, contract: { _ in contract }, make: { _ in
        let net = ConvStack(layers: try layers())
        return NetworkBody(module: net, tiling: TilingProfile(receptiveRadius: radius, widestActivation: 48)) { x, _ in
            var h = x
            for (i, conv) in net.layers.enumerated() { h = try conv(h); if i < net.layers.count - 1 { h = try h.relu() } }
            return try pixelShuffle(h, factor: shuffle).sigmoid()
        }
    })
}

struct ConvStack: Module {
    var layers: [Conv2d]
}

enum UpscalerNet {
    /// x2 super-resolution: two 3×3 convolutions, then a x2 shuffle (radius 2).
    static let architecture = shuffleArchitecture("test-x2", contract: ArchitectureContract(outputScale: 2), radius: 2, shuffle: 2) {
        [try Conv2d(3, 16, kernel: 3, padding: .explicit(1, 1)), try Conv2d(16, 12, kernel: 3, padding: .explicit(1, 1))]
    }
}

enum StridedNet {
    /// Two stride-2 convolutions, one more at 1/4 resolution, a x4 shuffle back to full size.
    /// Radius: 1 + 2 + 4 from the convolutions at strides 1, 2, 4, and 3 inside a 4×4 cell.
    static let architecture = shuffleArchitecture("test-strided", contract: ArchitectureContract(sizeMultiple: 4), radius: 10, shuffle: 4) {
        [try Conv2d(3, 8, kernel: 3, stride: 2, padding: .explicit(1, 1)),
         try Conv2d(8, 16, kernel: 3, stride: 2, padding: .explicit(1, 1)),
         try Conv2d(16, 48, kernel: 3, padding: .explicit(1, 1))]
    }
}

/// A random 37×45 photo through `architecture` whole and in tiles of `tile`: (photo,
/// network, whole, tiled, number of tiles).
func wholeAndTiled(_ architecture: Architecture, seed: UInt64, tile: Int) throws -> (Tensor, BuiltNetwork, Tensor, Tensor, Int) {
    Torch.manualSeed(seed)
    let net = try architecture.build()
    let photo = try Tensor.rand([1, 3, 37, 45])
    var tiles = 0
    let whole = try runTiled(photo, network: net, options: TilingOptions(tile: 0))
    let tiled = try runTiled(photo, network: net, options: TilingOptions(tile: tile)) { _, total in tiles = total }
    return (photo, net, whole, tiled, tiles)
}

@Suite struct TilerContractTests {
    @Test func anX2NetworkTilesExactly() throws {
        let (photo, net, whole, tiled, tiles) = try wholeAndTiled(UpscalerNet.architecture, seed: 11, tile: 16)
        #expect(whole.shape == [1, 3, 74, 90])
        #expect(tiles == 9)
        #expect(try (tiled - whole).abs().max().item() < 1e-6)
        // A halo below the radius is visibly inexact, so the comparison above can fail.
        let short = try runTiled(photo, network: net, options: TilingOptions(tile: 16, overlap: 0))
        #expect(try (short - whole).abs().max().item() > 1e-3)
    }

    @Test func aStridedNetworkIsPaddedToItsMultipleAndTilesExactly() throws {
        let (photo, net, whole, tiled, tiles) = try wholeAndTiled(StridedNet.architecture, seed: 12, tile: 13)
        #expect(whole.shape == [1, 3, 37, 45])
        #expect(tiles == 3 * 3)  // tile 13 rounds up to 16: 40 × 48 padded pixels in 3 × 3 tiles
        // The whole photo equals the network on the edge-padded photo, cropped.
        let padded = try photo.pad([0, 3, 0, 3], mode: .replicate)
        let direct = try withNoGrad { try net.enhance(padded, norms: nil) }.narrow(2, start: 0, length: 37).narrow(3, start: 0, length: 45)
        #expect(try (whole - direct).abs().max().item() < 1e-6)
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

@Suite struct GlobalNetTilingTests {
    /// Every tile slices the whole photo's grid at its own position, so tiles are exact.
    @Test func tilesUseThePhotosGridAndEqualTheWholePhoto() throws {
        Torch.manualSeed(21)
        let net = try GlobalNet.architecture.build(["lowres": .number(64)])
        let module = try #require(net.module as? GlobalNet)
        try withNoGrad {
            try module.fuse.weight.copy_(try Tensor.randn(module.fuse.weight.shape) * 0.05)
            try module.detailOut.weight.copy_(try Tensor.randn(module.detailOut.weight.shape) * 0.05)
        }
        let photo = try Tensor.rand([1, 3, 53, 71])
        let whole = try runTiled(photo, network: net, options: TilingOptions(tile: 0))
        let direct = try withNoGrad { try module(photo) }.clamp(min: 0, max: 1)
        #expect(try (whole - direct).abs().max().item() < 1e-6)
        var tiles = 0
        let tiled = try runTiled(photo, network: net, options: TilingOptions(tile: 20)) { _, total in tiles = total }
        #expect(tiles == 3 * 4)
        #expect(try (tiled - whole).abs().max().item() < 1e-5)
        #expect(try (whole - photo).abs().max().item() > 1e-2)
    }
}

@Suite struct ToneNetTilingTests {
    /// The curve comes from the whole photo, so tiles are exact, and a change anywhere in the
    /// photo reaches every pixel.
    @Test func tilesUseThePhotosCurveAndEqualTheWholePhoto() throws {
        Torch.manualSeed(21)
        let net = try ToneNet.architecture.build([:])
        let module = try #require(net.module as? ToneNet)
        try withNoGrad {
            try module.dense[2].weight.copy_(try Tensor.randn(module.dense[2].weight.shape) * 0.05)
            try module.detailOut.weight.copy_(try Tensor.randn(module.detailOut.weight.shape) * 0.05)
        }
        let photo = try Tensor.rand([1, 3, 53, 71])
        let whole = try runTiled(photo, network: net, options: TilingOptions(tile: 0))
        let direct = try withNoGrad { try module(photo) }.clamp(min: 0, max: 1)
        #expect(try (whole - direct).abs().max().item() < 1e-6)
        let tiled = try runTiled(photo, network: net, options: TilingOptions(tile: 20))
        #expect(try (tiled - whole).abs().max().item() < 1e-5)
        #expect(try (whole - photo).abs().max().item() > 1e-2)
        let brighter = try photo.clone()
        try withNoGrad { try brighter.narrow(3, start: 60, length: 11).copy_(try Tensor.ones([1, 3, 53, 11])) }
        let far = try withNoGrad { try module(brighter) - module(photo) }.narrow(3, start: 0, length: 8)
        #expect(try far.abs().max().item() > 1e-4)
    }

}

@Suite struct PreferredTileTests {
    @Test func aPreferredTileCapsTheAutomaticChoice() throws {
        let net = try GlobalNet.architecture.build(["lowres": .number(64)])
        #expect(net.preferredTile == 512)
        #expect(automaticTile(height: 400, width: 500, network: net, dtype: .float32, halo: 2, memoryLimit: 2 << 30) == 0)
        #expect(automaticTile(height: 3000, width: 4000, network: net, dtype: .float32, halo: 2, memoryLimit: 2 << 30) == 512)
        #expect(automaticTile(height: 3000, width: 4000, network: net, dtype: .float32, halo: 2, memoryLimit: 600 << 20) < 512)
    }
}

/// `resizeBicubic` against PIL's bicubic resize of float planes
/// (scripts/fixtures/make_bicubic_fixture.py): ×4 up, as PPCN's super-resolution is fed, ×4
/// down, as `dslr data sr` makes its inputs, and sizes that are not multiples both ways.
@Test func bicubicResizeMatchesPIL() throws {
    guard let url = Bundle.module.url(forResource: "Fixtures/bicubic_reference.safetensors", withExtension: nil) else {
        throw TorchError("fixture bicubic_reference.safetensors is missing")
    }
    let reference = Dictionary(uniqueKeysWithValues: try Checkpoint.load(url).tensors)
    let small = try #require(reference["input"]).unsqueeze(0), large = try #require(reference["large"]).unsqueeze(0)
    for (key, input, size) in [("x4", small, (20, 28)), ("to_13x9", small, (13, 9)),
                               ("shrunk_x4", large, (5, 7)), ("shrunk_to_9x13", large, (9, 13))] {
        let expected = try #require(reference[key]).unsqueeze(0)
        let output = try resizeBicubic(input, height: size.0, width: size.1)
        #expect(output.shape == expected.shape)
        let error = try (output - expected).abs().max().item()
        print("bicubic \(key) vs PIL: max abs error \(error)")
        #expect(error < 1e-5)
    }
    #expect(throws: TorchError.self) { try resizeBicubic(small, height: 0, width: 7) }
}
