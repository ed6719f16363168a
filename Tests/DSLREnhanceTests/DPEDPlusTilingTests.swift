import DSLRModels
import DSLRNN
import DSLRTensor
import Testing

@testable import DSLREnhance

/// DPED+ through the tiler as `dslr enhance` runs it: with instance norms (whole-photo
/// statistics passes) and with batch norms in evaluation (running statistics, no passes),
/// tiles of 16 give the whole-photo result, and tiles without a halo do not.
@Test func dpedPlusTilesExactly() throws {
    for norm in ["instance", "batch"] {
        Torch.manualSeed(21)
        let net = try DPEDPlus.architecture.build(["channels": .number(8), "norm": .text(norm)])
        // DPED's initialisation leaves the output nearly flat; larger weights make every layer count.
        try withNoGrad {
            for (name, p) in net.module.stateDict() {
                let scale = name.hasSuffix("running_var") || name.hasSuffix("scale") ? 0.1 : 0.3
                try p.copy_(name.hasSuffix("running_var") ? Tensor.rand(p.shape) * scale + 0.5 : Tensor.randn(p.shape) * scale)
            }
        }
        net.module.eval()
        #expect(net.normLayerCount == (norm == "instance" ? 8 : 0))
        let photo = try Tensor.rand([1, 3, 37, 45])
        let whole = try runTiled(photo, network: net, options: TilingOptions(tile: 0))
        let tiled = try runTiled(photo, network: net, options: TilingOptions(tile: 16))
        #expect(try whole.std(dims: [0, 1, 2, 3]).item() > 0.05)
        #expect(try (tiled - whole).abs().max().item() < 1e-5, "\(norm)")
        let short = try runTiled(photo, network: net, options: TilingOptions(tile: 16, overlap: 0))
        #expect(try (short - whole).abs().max().item() > 1e-3, "\(norm)")
    }
}
