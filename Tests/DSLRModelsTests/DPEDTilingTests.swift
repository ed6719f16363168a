import DSLRNN
import DSLRTensor
import Testing
@testable import DSLRModels

/// The generator run in four overlapping tiles with whole-photo norm statistics
/// (`TiledNormState`) equals the untiled run: a minimal version of the tiler.
@Test func tiledGeneratorEqualsUntiled() throws {
    // DPED's layout at 16 channels (64 would only make the test slower); weights large
    // enough that every layer matters and the output is not saturated.
    Torch.manualSeed(11)
    let generator = try DPEDGenerator(channels: 16, weightInit: .normal(std: 0.05), biasInit: .normal(std: 0.05))
    let photo = try Tensor.rand([1, 3, 48, 64])
    let (height, width) = (48, 64)
    let r = generator.receptiveRadius
    // 2 × 2 owned regions partition the photo; each tile adds `r` pixels of context.
    let owned = [(0, 0), (0, 32), (24, 0), (24, 32)].map { PixelRect(top: $0.0, left: $0.1, height: 24, width: 32) }
    func tile(_ o: PixelRect) throws -> (input: Tensor, local: PixelRect) {
        let top = max(o.top - r, 0), left = max(o.left - r, 0)
        let bottom = min(o.top + o.height + r, height), right = min(o.left + o.width + r, width)
        let input = try photo.narrow(2, start: top, length: bottom - top).narrow(3, start: left, length: right - left)
        return (input, PixelRect(top: o.top - top, left: o.left - left, height: o.height, width: o.width))
    }

    let state = TiledNormState()
    try withNoGrad {
        for layer in 0..<DPEDGenerator.normLayerCount {
            state.beginCollecting(layer: layer)
            for o in owned {
                let (input, local) = try tile(o)
                state.ownedRegion = local  // generator layers keep the pixel grid
                do {
                    _ = try generator(input, norms: state)
                    Issue.record("the statistics pass of layer \(layer) did not stop at that layer")
                } catch is StatisticsCollected {}
            }
            try state.finishCollecting()
        }
        state.ownedRegion = nil
        var rows: [Tensor] = []
        for row in 0..<2 {
            let parts = try owned[(2 * row)..<(2 * row + 2)].map { o in
                let (input, local) = try tile(o)
                return try generator(input, norms: state)
                    .narrow(2, start: local.top, length: local.height).narrow(3, start: local.left, length: local.width)
            }
            rows.append(try cat(parts, dim: 3))
        }
        let tiled = try cat(rows, dim: 2)
        let untiled = try generator(photo)
        let error = try maxAbsDiff(tiled, untiled)
        #expect(try untiled.std(dims: [0, 1, 2, 3]).item() > 0.05)
        print("DPED generator tiled vs untiled: max abs error \(error)")
        #expect(error < 1e-5)
        // Tiles normalised by their own statistics differ visibly: the test can fail.
        let naive = try generator(tile(owned[0]).input)
        let local = try tile(owned[0]).local
        let naiveError = try maxAbsDiff(
            naive.narrow(2, start: local.top, length: 24).narrow(3, start: local.left, length: 32),
            untiled.narrow(2, start: 0, length: 24).narrow(3, start: 0, length: 32))
        #expect(naiveError > 1e-3)
    }
}
