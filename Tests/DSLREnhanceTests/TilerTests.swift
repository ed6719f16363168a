import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation
import Testing

@testable import DSLREnhance

/// A small network with two whole-image instance norms, so tiling must carry statistics.
struct NormNet: TileableNetwork {
    var c1: Conv2d
    var c2: Conv2d
    var c3: Conv2d
    let receptiveRadius = 3
    let normLayerCount = 2
    init() throws {
        Torch.manualSeed(7)
        c1 = try Conv2d(3, 8, kernel: 3, padding: .same)
        c2 = try Conv2d(8, 8, kernel: 3, padding: .same)
        c3 = try Conv2d(8, 3, kernel: 3, padding: .same)
    }
    func enhance(_ x: Tensor, norms: TiledNormState?) throws -> Tensor {
        var h = try instanceNormalize(try c1(x), layer: 0, eps: 1e-3, scale: nil, shift: nil, state: norms).relu()
        h = try instanceNormalize(try c2(h), layer: 1, eps: 1e-3, scale: nil, shift: nil, state: norms).relu()
        return try c3(h).sigmoid()
    }
    func move(to device: Device, dtype: DType?) throws {}
}

/// The same without norms: purely local, radius 3.
struct LocalNet: TileableNetwork {
    var inner: NormNet
    let receptiveRadius = 3
    let normLayerCount = 0
    func enhance(_ x: Tensor, norms: TiledNormState?) throws -> Tensor {
        try inner.c3(try inner.c2(try inner.c1(x).relu()).relu()).sigmoid()
    }
    func move(to device: Device, dtype: DType?) throws {}
}

func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Double {
    try (a - b).abs().max().item()
}

@Suite struct TilerTests {
    let image: Tensor = {
        Torch.manualSeed(1)
        return try! Tensor.rand([1, 3, 70, 93])
    }()

    @Test func coreSpansCoverEvenly() {
        let spans = coreSpans(length: 70, size: 32)
        #expect(spans.map(\.length) == [24, 23, 23])
        #expect(spans.map(\.start) == [0, 24, 47])
        #expect(coreSpans(length: 5, size: 32).map(\.length) == [5])
    }

    @Test func blendWeightsSumToOneAcrossAnEdge() {
        // Cores [0, 40) and [40, 80) of an 80-pixel axis with 6 pixels of cross-fade.
        let a = blendWeights(start: 0, length: 40, total: 80, blend: 6)
        let b = blendWeights(start: 40, length: 40, total: 80, blend: 6)
        #expect(a.start == 0 && a.weights.count == 46)
        #expect(b.start == 34 && b.weights.count == 46)
        for p in 0..<80 {
            let wa = p < a.start + a.weights.count ? a.weights[p - a.start] : 0
            let wb = p >= b.start ? b.weights[p - b.start] : 0
            #expect(abs(wa + wb - 1) < 1e-6, "pixel \(p)")
        }
        #expect(a.weights[39] < 1 && a.weights[33] == 1)
    }

    /// Tiles so small that the photo would need thousands of forward passes are refused with
    /// the count, before any runs.
    @Test func explodingTileCountsAreRefused() throws {
        let net = LocalNet(inner: try NormNet())
        let big = try Tensor.rand([1, 3, 160, 256])
        do {
            _ = try runTiled(big, network: net, options: TilingOptions(tile: 1))
            Issue.record("--tile 1 was accepted")
        } catch let error as EngineError {
            #expect(error.kind == .badArgument)
            #expect(error.description.hasPrefix("--tile 1 would cut this 256×160 photo into 40960 tiles (at most 4096)"), "\(error)")
        }
        #expect(try runTiled(big, network: net, options: TilingOptions(tile: 4)).shape == [1, 3, 160, 256])
    }

    @Test func localNetworkTilesEqualUntiled() throws {
        let net = LocalNet(inner: try NormNet())
        let whole = try runTiled(image, network: net, options: TilingOptions(tile: 0))
        let tiled = try runTiled(image, network: net, options: TilingOptions(tile: 32))
        #expect(try maxDifference(whole, tiled) < 1e-6)
        // Extra overlap is cross-faded between exact values: still exact.
        let blended = try runTiled(image, network: net, options: TilingOptions(tile: 32, overlap: 9))
        #expect(try maxDifference(whole, blended) < 1e-6)
    }

    @Test func instanceNormTilesEqualUntiled() throws {
        let net = try NormNet()
        let whole = try runTiled(image, network: net, options: TilingOptions(tile: 0))
        var calls = 0
        let tiled = try runTiled(image, network: net, options: TilingOptions(tile: 32)) { _, _ in calls += 1 }
        #expect(try maxDifference(whole, tiled) < 1e-5)
        // 3x3 tiles, two statistics passes and the final pass, plus the initial report.
        #expect(calls == 1 + 3 * 9)
    }

    @Test func tilesWithoutWholeImageStatisticsWouldDiffer() throws {
        // Guards the test above: normalising each tile by itself is visibly different.
        let net = try NormNet()
        let whole = try net.enhance(image, norms: nil)
        let left = try net.enhance(try image.narrow(3, start: 0, length: 40), norms: nil)
        #expect(try maxDifference(try whole.narrow(3, start: 0, length: 30), try left.narrow(3, start: 0, length: 30)) > 1e-3)
    }

    @Test func tooLittleOverlapIsApproximate() throws {
        let net = LocalNet(inner: try NormNet())
        let whole = try runTiled(image, network: net, options: TilingOptions(tile: 0))
        let tight = try runTiled(image, network: net, options: TilingOptions(tile: 32, overlap: 0))
        #expect(try maxDifference(whole, tight) > 1e-4)
    }
}

@Suite struct AutomaticTileTests {
    @Test func wholePhotoWhenItFitsElseTheLargestTilesThatDo() throws {
        let dped = try DPEDGenerator(channels: 64)
        // 1 MP: 1 KiB of activations per pixel fits in 2 GiB.
        #expect(automaticTile(height: 864, width: 1152, network: dped, dtype: .float32, halo: 18, memoryLimit: 2 << 30) == 0)
        // 12 MP does not: tiles of about 1100 pixels (plus halo) fill what is left.
        let side = automaticTile(height: 3000, width: 4000, network: dped, dtype: .float32, halo: 18, memoryLimit: 2 << 30)
        #expect(side > 1000 && side < 1200)
        let bytes = (side + 36) * (side + 36) * dped.activationBytesPerPixel(dtype: .float32)
        #expect(bytes + (400 << 20) + 32 * 12_000_000 <= 2 << 30)
        // bf16 is sized like fp32 (its runs keep float32 statistics); a tiny limit still gives usable tiles.
        #expect(automaticTile(height: 3000, width: 4000, network: dped, dtype: .bfloat16, halo: 18, memoryLimit: 2 << 30) == side)
        #expect(automaticTile(height: 3000, width: 4000, network: dped, dtype: .float32, halo: 18, memoryLimit: 1 << 20) == 64)
    }
}
