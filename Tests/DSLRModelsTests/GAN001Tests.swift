import DSLRNN
import DSLRTensor
import Testing
@testable import DSLRModels

@Suite struct GAN001Tests {
    /// The generator keeps the size; the discriminator gives one logit per 100×100 patch and
    /// refuses other sides by name.
    @Test func shapes() throws {
        Torch.manualSeed(4)
        let g = try GAN001Generator(channels: 8, layers: 2)
        #expect(try withNoGrad { try g(Tensor.rand([2, 3, 21, 30])) }.shape == [2, 3, 21, 30])
        #expect(g.receptiveRadius == 4 + 2 + 4)
        let d = try GAN001Discriminator(width: 4)
        #expect(try withNoGrad { try d.logits(grayscale: Tensor.rand([3, 1, 100, 100])) }.shape == [3, 1])
        #expect(throws: TorchError("seed-001 discriminator: 64×64 patches give 32×8×8 features, the dense layer needs 5408 (use 100×100 patches)")) {
            try d.logits(grayscale: Tensor.rand([1, 1, 64, 64]))
        }
        #expect(try GAN001Discriminator.architecture.contract().outputChannels == 1)
    }

    /// Parameters from the layer lists: generator 9×9 3→C, `layers` × 3×3 C→C, 9×9 C→3;
    /// discriminator 3×3 convolutions 1→W→W→2W→2W→4W→4W→8W (strides 1, 2, …: 100 → 13)
    /// and a dense 8W·13·13 → 1.
    @Test func parameterCountsFollowTheLayerLists() throws {
        func conv(_ i: Int, _ o: Int, _ k: Int) -> Int { k * k * i * o + o }
        let c = 32, layers = 4
        let g = try GAN001Generator(channels: c, layers: layers)
        #expect(g.parameters().reduce(0) { $0 + $1.count } == conv(3, c, 9) + layers * conv(c, c, 3) + conv(c, 3, 9))
        let w = 64
        let widths = [1, w, w, 2 * w, 2 * w, 4 * w, 4 * w, 8 * w]
        let convs = (0..<7).reduce(0) { $0 + conv(widths[$1], widths[$1 + 1], 3) }
        let d = try GAN001Discriminator(width: w)
        #expect(d.parameters().reduce(0) { $0 + $1.count } == convs + 8 * w * 13 * 13 + 1)
        #expect(d.convs.map(\.stride[0]) == [1, 2, 1, 2, 1, 2, 1])
    }

    /// ReLU, not leaky: with every weight zero and the first bias −1, the hidden activations
    /// are 0 and the output is exactly tanh(0) · 0.58 + 0.5.
    @Test func generatorUsesReLU() throws {
        let g = try GAN001Generator(channels: 4, layers: 1)
        try withNoGrad {
            for p in g.parameters() { try p.zero_() }
            try g.convs[0].bias!.fill_(-1)
            try g.convs[1].weight.fill_(1)
            try g.convs[2].weight.fill_(1)
        }
        let y = try withNoGrad { try g(Tensor.rand([1, 3, 10, 10])) }
        #expect(try y.min().item() == 0.5 && y.max().item() == 0.5)
    }
}
