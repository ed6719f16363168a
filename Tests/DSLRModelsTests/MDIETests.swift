import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRModels

@Suite struct MDIETests {
    /// The thesis' layout: five stride-2 stages of 16 to 256 filters, a mirrored sub-pixel
    /// decoder, six output channels in [0, 1] for F and three unbounded for F'.
    @Test func intrinsicNetworksHaveTheThesisShapes() throws {
        Torch.manualSeed(3)
        let f = try IntrinsicAutoencoder(inputChannels: 3, outputChannels: 6, width: 16, boundedOutput: true)
        #expect(f.encoder.map { $0.conv.weight.shape[0] } == [16, 32, 64, 128, 256])
        #expect(f.encoder.allSatisfy { $0.conv.stride == [2, 2] && $0.conv.weight.shape[2] == 3 })
        // Each decoder convolution makes 4·c channels that pixel shuffle turns into c.
        #expect(f.decoder.map { $0.conv.weight.shape[0] } == [512, 256, 128, 64, 64])
        let x = try Tensor.rand([2, 3, 64, 96])
        let y = try withNoGrad { try f(x) }
        #expect(y.shape == [2, 6, 64, 96])
        #expect(try y.min().item() >= 0 && y.max().item() <= 1)
        let g = try IntrinsicAutoencoder(inputChannels: 6, outputChannels: 3, width: 16, boundedOutput: false)
        #expect(try withNoGrad { try g(y) }.shape == [2, 3, 64, 96])
        #expect(throws: TorchError.self) { try f(Tensor.rand([1, 3, 48, 64])) }
        // U-Net skips: each later decoder stage also takes the encoder's map of its resolution.
        let u = try IntrinsicAutoencoder(inputChannels: 3, outputChannels: 6, width: 16, boundedOutput: true, skips: true)
        #expect(u.decoder.map { $0.conv.weight.shape[1] } == [256, 256, 128, 64, 32])
        #expect(u.output.weight.shape[1] == 16 + 3)
        #expect(try withNoGrad { try u(x) }.shape == [2, 6, 64, 96])
    }

    /// StarGAN's generator sees the label as extra channels and, residual, starts as the
    /// identity; its discriminator gives a critic score and one logit per attribute.
    @Test func starGANShapesAndIdentityStart() throws {
        Torch.manualSeed(4)
        let g = try StarGANGenerator(channels: 6, conditionChannels: 6, width: 8, blocks: 2)
        #expect(g.convIn.weight.shape == [8, 12, 7, 7])
        #expect(g.normLayerCount == 9)
        let x = try Tensor.rand([2, 6, 32, 40])
        let label = try MDIENetwork.label(attributes: 3, enhancing: [0], count: 2)
        #expect(try label.to(.float64).flatten().toArray() as [Double] == [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0])
        #expect(try (withNoGrad { try g(x, condition: label) } - x).abs().max().item() == 0)
        let direct = try StarGANGenerator(channels: 6, conditionChannels: 6, width: 8, blocks: 2, residual: false)
        let y = try withNoGrad { try direct(x, condition: label) }
        #expect(y.shape == [2, 6, 32, 40])
        #expect(try y.abs().max().item() <= 1)
        let d = try StarGANDiscriminator(channels: 6, attributes: 3, patch: 64, width: 8, layers: 5)
        #expect(d.classes.weight.shape == [3, 128, 2, 2])
        #expect(try withNoGrad { try d(Tensor.rand([5, 6, 64, 64])) }.shape == [5, 4])
        #expect(throws: TorchError.self) { try d(Tensor.rand([1, 6, 32, 32])) }
        #expect(throws: OptionError.self) { try StarGANDiscriminator(channels: 6, attributes: 3, patch: 100, layers: 5) }
    }

    /// The label changes G's output everywhere, not only near the borders, where the zero
    /// padding of StarGAN's first convolution lets a constant label map through its instance norm.
    @Test func theLabelReachesTheMiddleOfTheImage() throws {
        Torch.manualSeed(5)
        let g = try StarGANGenerator(channels: 6, conditionChannels: 6, width: 8, blocks: 1, residual: false)
        let x = try Tensor.rand([1, 6, 256, 256])
        let colour = try MDIENetwork.label(attributes: 3, enhancing: [0])
        let noise = try MDIENetwork.label(attributes: 3, enhancing: [2])
        let a = try withNoGrad { try g(x, condition: colour) }, b = try withNoGrad { try g(x, condition: noise) }
        let middle = try (a - b).narrow(2, start: 96, length: 64).narrow(3, start: 96, length: 64).abs().mean().item()
        #expect(middle > 1e-3)
        // Without the shift after the norm, the middle sees the label only through the border
        // band's share of the norm's statistics.
        try withNoGrad { try g.labelShift.weight.fill_(0) }
        let c = try withNoGrad { try g(x, condition: colour) }, d = try withNoGrad { try g(x, condition: noise) }
        let weak = try (c - d).narrow(2, start: 96, length: 64).narrow(3, start: 96, length: 64).abs().mean().item()
        #expect(weak < 0.25 * middle, "\(weak) against \(middle)")
    }

    /// Every output pixel of F depends only on inputs within its declared radius: the input
    /// gradient of one output pixel is zero beyond it (batch norm on running statistics).
    @Test(arguments: [false, true])
    func intrinsicRadiusBoundsTheTrueDependency(skips: Bool) throws {
        Torch.manualSeed(6)
        let f = try IntrinsicAutoencoder(inputChannels: 3, outputChannels: 6, width: 4, boundedOutput: false, skips: skips)
        f.eval()
        let side = 320, centre = 160
        let x = try Tensor.rand([1, 3, side, side]).requiringGrad()
        try f(x).narrow(2, start: centre, length: 1).narrow(3, start: centre, length: 1).sum().backward()
        let reach = try x.grad!.abs().sum(dims: [0, 1]).gt(0)
        let rows = try reach.sum(dims: [1]).gt(0).to(.float32).toArray() as [Float]
        let first = rows.firstIndex(of: 1)!, last = rows.lastIndex(of: 1)!
        let extent = max(centre - first, last - centre)
        #expect(extent <= IntrinsicAutoencoder.receptiveRadius)
        // The bound is not loose by more than one bottleneck cell.
        #expect(extent > IntrinsicAutoencoder.receptiveRadius - 40)
    }

    /// The composite's parts are the three networks in turn, and without a label it asks
    /// for every attribute (the thesis' inference setting).
    @Test func mdieComposesItsParts() throws {
        Torch.manualSeed(7)
        let built = try MDIENetwork.architecture.build(["intrinsic_width": .number(4), "width": .number(4), "blocks": .number(1), "residual": .text("false")])
        #expect(built.contract.conditionChannels == 6)
        #expect(built.contract.sizeMultiple == 32)
        let net = try #require(built.module as? MDIENetwork)
        built.module.eval()
        let x = try Tensor.rand([1, 3, 64, 64])
        let all = try MDIENetwork.label(attributes: 3)
        try withNoGrad {
            let parts = try net.compose(net.translate(net.decompose(x), label: all))
            #expect(try (built(x) - parts).abs().max().item() == 0)
            let conditioned = try built.conditioned(on: MDIENetwork.label(attributes: 3, enhancing: [1]))
            let texture = try net.compose(net.translate(net.decompose(x), label: MDIENetwork.label(attributes: 3, enhancing: [1])))
            #expect(try (conditioned(x) - texture).abs().max().item() == 0)
            #expect(try (conditioned(x) - parts).abs().max().item() > 0)
        }
        #expect(throws: OptionError.self) { try built.conditioned(on: Tensor.ones([1, 4])) }
        #expect(throws: OptionError.self) { try CompactNet.architecture.build().conditioned(on: Tensor.ones([1, 6])) }
    }
}
