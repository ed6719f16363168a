import DSLRNN
import DSLRTensor
import Testing
@testable import DSLRModels

/// Runs `network` on a photo (48×64 unless told) in four overlapping tiles with whole-photo norm
/// statistics (`TiledNormState`), a minimal version of the tiler, and checks that this
/// equals the untiled run, and that tiles normalised by their own statistics differ visibly
/// (so the check can fail).
func expectTiledEqualsUntiled(
    _ name: String, radius r: Int, normLayerCount: Int, height: Int = 48, width: Int = 64, tolerance: Double = 1e-5,
    network: (Tensor, TiledNormState?) throws -> Tensor
) throws {
    let photo = try Tensor.rand([1, 3, height, width])
    let (h, w) = (height / 2, width / 2)
    // 2 × 2 owned regions partition the photo; each tile adds `r` pixels of context.
    let owned = [(0, 0), (0, w), (h, 0), (h, w)].map { PixelRect(top: $0.0, left: $0.1, height: h, width: w) }
    func tile(_ o: PixelRect) throws -> (input: Tensor, local: PixelRect) {
        let top = max(o.top - r, 0), left = max(o.left - r, 0)
        let bottom = min(o.top + o.height + r, height), right = min(o.left + o.width + r, width)
        let input = try photo.narrow(2, start: top, length: bottom - top).narrow(3, start: left, length: right - left)
        return (input, PixelRect(top: o.top - top, left: o.left - left, height: o.height, width: o.width))
    }

    let state = TiledNormState()
    try withNoGrad {
        for layer in 0..<normLayerCount {
            state.beginCollecting(layer: layer)
            for o in owned {
                let (input, local) = try tile(o)
                state.ownedRegion = local  // these networks keep the pixel grid
                do {
                    _ = try network(input, state)
                    Issue.record("\(name): the statistics pass of layer \(layer) did not stop at that layer")
                } catch is StatisticsCollected {}
            }
            try state.finishCollecting()
        }
        state.ownedRegion = nil
        var rows: [Tensor] = []
        for row in 0..<2 {
            let parts = try owned[(2 * row)..<(2 * row + 2)].map { o in
                let (input, local) = try tile(o)
                return try network(input, state)
                    .narrow(2, start: local.top, length: local.height).narrow(3, start: local.left, length: local.width)
            }
            rows.append(try cat(parts, dim: 3))
        }
        let tiled = try cat(rows, dim: 2)
        let untiled = try network(photo, nil)
        let error = try maxAbsDiff(tiled, untiled)
        #expect(try untiled.std(dims: [0, 1, 2, 3]).item() > 0.05)
        print("\(name) tiled vs untiled: max abs error \(error)")
        #expect(error < tolerance)
        let naive = try network(tile(owned[0]).input, nil)
        let local = try tile(owned[0]).local
        let naiveError = try maxAbsDiff(
            naive.narrow(2, start: local.top, length: h).narrow(3, start: local.left, length: w),
            untiled.narrow(2, start: 0, length: h).narrow(3, start: 0, length: w))
        #expect(naiveError > 1e-3)
    }
}

@Test func tiledGeneratorEqualsUntiled() throws {
    // DPED's layout at 16 channels (64 would only make the test slower); weights large
    // enough that every layer matters and the output is not saturated.
    Torch.manualSeed(11)
    let generator = try DPEDGenerator(channels: 16, weightInit: .normal(std: 0.05), biasInit: .normal(std: 0.05))
    try expectTiledEqualsUntiled("DPED generator", radius: generator.receptiveRadius, normLayerCount: DPEDGenerator.normLayerCount) {
        try generator($0, norms: $1)
    }
}
