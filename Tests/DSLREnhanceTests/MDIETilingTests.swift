import DSLRModels
import DSLRNN
import DSLRTensor
import Testing

@testable import DSLREnhance

/// MDIE through the tiler as `dslr enhance --pipeline mdie` runs it: batch norms of F and F'
/// on running statistics, StarGAN's instance norms from whole-photo statistics passes (their
/// owned regions scaled to each layer's resolution), the label fixed. Tiles give the
/// whole-photo result; tiles without a halo do not.
@Test func mdieTilesExactly() throws {
    Torch.manualSeed(31)
    let net = try MDIENetwork.architecture.build(["intrinsic_width": .number(4), "width": .number(4), "blocks": .number(1),
                                                  "residual": .text("false")])
    try withNoGrad {
        for (name, p) in net.module.stateDict() {
            if name.hasSuffix("running_var") { try p.copy_(Tensor.rand(p.shape) * 0.5 + 0.5) }
            else if name.hasSuffix("running_mean") { try p.copy_(Tensor.randn(p.shape) * 0.1) }
        }
    }
    net.module.eval()
    let conditioned = try net.conditioned(on: MDIENetwork.label(attributes: 3, enhancing: [0, 2]))
    #expect(conditioned.normLayerCount == 7)
    let photo = try Tensor.rand([1, 3, 70, 90])
    let whole = try runTiled(photo, network: conditioned, options: TilingOptions(tile: 0))
    let tiled = try runTiled(photo, network: conditioned, options: TilingOptions(tile: 32))
    #expect(whole.shape == [1, 3, 70, 90])
    #expect(try whole.std(dims: [0, 1, 2, 3]).item() > 0.01)
    #expect(try (tiled - whole).abs().max().item() < 1e-4)
    let short = try runTiled(photo, network: conditioned, options: TilingOptions(tile: 32, overlap: 0))
    #expect(try (short - whole).abs().max().item() > 1e-3)
}
