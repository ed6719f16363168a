import DSLRNN
import DSLRTensor

// StarGAN (Choi et al. 2018), the multi-domain translation network MDIE puts between its
// intrinsic decomposition and composition (Huang and Liu, section 3.2.2). Layer counts,
// kernels, the leaky slope 0.01 and the heads follow the StarGAN paper's appendix and its
// reference code; the channel counts of the image are MDIE's (albedo and shading, 6).

/// StarGAN's generator G(x, c̃): the label c̃ = [c₁…cₙ, m₁…mₙ] (attribute values and the mask
/// vector naming the dataset they come from) is repeated over the image and concatenated
/// with it.
///
///     7×7 conv to W, instance norm, ReLU
///     2 × [4×4 conv stride 2, instance norm, ReLU]           W → 2W → 4W
///     `blocks` × residual [3×3 conv, IN, ReLU, 3×3 conv, IN]
///     2 × [4×4 transposed conv stride 2, IN, ReLU]           4W → 2W → W
///     7×7 conv to C, tanh
///
/// StarGAN's output is the tanh itself. Here (`residual`, the default) it is added to the
/// input, so G predicts a change of the albedo and shading: an untrained or briefly trained
/// G is then close to the identity, and MDIE's pipeline degrades gracefully instead of
/// replacing the photo with noise. Its last layer starts at zero, so G starts as the
/// identity exactly. `residual: false` builds StarGAN's form.
///
/// The label also shifts the first instance norm's output (`labelShift`, a 1×1 convolution of
/// the label maps). In StarGAN's form the label enters only through the first convolution,
/// where a constant map adds a constant to each channel, which the instance norm right after
/// removes everywhere except in the 3-pixel band that the convolution's zero padding
/// touches: the label would reach a photo only through its borders, and the middle of a 12 MP
/// photo not at all. A shift after the norm survives it, so the label acts everywhere.
///
/// Instance norms take whole-image statistics; tiled, they come from `TiledNormState`, each
/// layer's owned region scaled to its resolution, so tiles give the untiled result.
public struct StarGANGenerator: Module {
    public var convIn: Conv2d
    public var normIn: InstanceNorm2d
    public var labelShift: Conv2d
    public var down: [StarGANConvNorm]
    public var blocks: [StarGANResidual]
    public var up: [StarGANUpNorm]
    public var convOut: Conv2d
    public let residual: Bool
    public let conditionChannels: Int

    public init(channels: Int, conditionChannels: Int, width: Int = 64, blocks: Int = 6, residual: Bool = true) throws {
        convIn = try Conv2d(channels + conditionChannels, width, kernel: 7, padding: .explicit(3, 3), bias: false)
        normIn = try InstanceNorm2d(width)
        labelShift = try Conv2d(conditionChannels, width, kernel: 1, bias: false)
        down = try [StarGANConvNorm(width, 2 * width), StarGANConvNorm(2 * width, 4 * width)]
        self.blocks = try (0..<blocks).map { _ in try StarGANResidual(4 * width) }
        up = try [StarGANUpNorm(4 * width, 2 * width), StarGANUpNorm(2 * width, width)]
        // Residual: zero weights, so that G starts as the identity and learns a change.
        convOut = try Conv2d(width, channels, kernel: 7, padding: .explicit(3, 3), bias: false,
                             weightInit: residual ? .constant(0) : .pytorchDefault)
        self.residual = residual
        self.conditionChannels = conditionChannels
    }

    /// Instance-norm layers, each a statistics pass when tiled: 1 + 2 + 2 per block + 2.
    public var normLayerCount: Int { 5 + 2 * blocks.count }
    /// Input pixels each output pixel depends on, on each side (generous: 3 + 2 + 4 at the
    /// ends, 2·4 per block at quarter resolution, 4 + 2 + 3 on the way up, plus 4 of alignment).
    public var receptiveRadius: Int { 3 + 2 + 4 + 8 * blocks.count + 4 + 2 + 3 + 4 }
    /// Inputs must be multiples of 4 (two stride-2 stages).
    public static let sizeMultiple = 4

    /// x [N, C, H, W], condition [N, conditionChannels].
    public func callAsFunction(_ x: Tensor, condition: Tensor, norms: TiledNormState? = nil) throws -> Tensor {
        guard x.rank == 4, condition.rank == 2, condition.shape == [x.shape[0], conditionChannels] else {
            throw TorchError("StarGAN generator: input [N, C, H, W] and condition [N, \(conditionChannels)], got \(x.shape) and \(condition.shape)")
        }
        let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        let labels = try condition.to(x.device, x.dtype).reshape([n, conditionChannels, 1, 1]).expand([n, conditionChannels, h, w])
        var layer = 0
        func norm(_ t: Tensor, _ m: InstanceNorm2d, scale: Int) throws -> Tensor {
            defer { layer += 1 }
            return try normalized(t, m, layer: layer, scale: scale, norms: norms)
        }
        var y = try (norm(convIn(cat([x, labels], dim: 1)), normIn, scale: 1) + labelShift(labels)).relu()
        for (i, d) in down.enumerated() { y = try norm(d.conv(y), d.norm, scale: 2 << i).relu() }
        for b in blocks {
            let r = try norm(b.conv1(y), b.norm1, scale: 4).relu()
            y = try y + norm(b.conv2(r), b.norm2, scale: 4)
        }
        for (i, u) in up.enumerated() { y = try norm(u.conv(y), u.norm, scale: 2 >> i).relu() }
        let change = try convOut(y).tanh()
        return residual ? try x + change : change
    }
}

/// Instance norm of `x` at 1/`scale` of the tile's resolution: with `norms`, the whole
/// photo's statistics, the owned region scaled to this resolution for the collecting pass.
func normalized(_ x: Tensor, _ m: InstanceNorm2d, layer: Int, scale: Int, norms: TiledNormState?) throws -> Tensor {
    guard let norms, scale > 1, let region = norms.ownedRegion else {
        return try instanceNormalize(x, layer: layer, eps: m.eps, scale: m.weight, shift: m.bias, state: norms)
    }
    norms.ownedRegion = PixelRect(top: region.top / scale, left: region.left / scale,
                                  height: region.height / scale, width: region.width / scale)
    defer { norms.ownedRegion = region }
    return try instanceNormalize(x, layer: layer, eps: m.eps, scale: m.weight, shift: m.bias, state: norms)
}

/// A 4×4 stride-2 convolution and its instance norm (StarGAN's down-sampling).
public struct StarGANConvNorm: Module {
    public var conv: Conv2d
    public var norm: InstanceNorm2d
    init(_ i: Int, _ o: Int) throws {
        conv = try Conv2d(i, o, kernel: 4, stride: 2, padding: .explicit(1, 1), bias: false)
        norm = try InstanceNorm2d(o)
    }
}

/// A 4×4 stride-2 transposed convolution and its instance norm (StarGAN's up-sampling).
public struct StarGANUpNorm: Module {
    public var conv: ConvTranspose2d
    public var norm: InstanceNorm2d
    init(_ i: Int, _ o: Int) throws {
        conv = try ConvTranspose2d(i, o, kernel: 4, stride: 2, padding: 1, bias: false)
        norm = try InstanceNorm2d(o)
    }
}

/// StarGAN's residual block: [3×3 conv, IN, ReLU, 3×3 conv, IN] plus its input.
public struct StarGANResidual: Module {
    public var conv1: Conv2d
    public var norm1: InstanceNorm2d
    public var conv2: Conv2d
    public var norm2: InstanceNorm2d
    init(_ c: Int) throws {
        conv1 = try Conv2d(c, c, kernel: 3, padding: .explicit(1, 1), bias: false)
        norm1 = try InstanceNorm2d(c)
        conv2 = try Conv2d(c, c, kernel: 3, padding: .explicit(1, 1), bias: false)
        norm2 = try InstanceNorm2d(c)
    }
}

/// StarGAN's discriminator (PatchGAN critic plus auxiliary classifier), no normalisation:
///
///     `layers` × [4×4 conv stride 2, leaky ReLU 0.01]     W, 2W, 4W, ...
///     source head: 3×3 conv to 1 (a critic score per patch cell)
///     class head: (patch / 2^layers)² conv to n (one logit per attribute)
///
/// Its output is [N, 1 + n]: column 0 the critic score of each image (the mean of its patch
/// scores, so that a batch mean equals StarGAN's mean over all cells), then n attribute
/// logits. Inputs must be `patch`×`patch`, as the class head's kernel covers the last map.
public struct StarGANDiscriminator: Module {
    public var convs: [Conv2d]
    public var source: Conv2d
    public var classes: Conv2d
    public let patch: Int

    /// StarGAN's leaky ReLU slope.
    public static let slope = 0.01

    public init(channels: Int, attributes: Int, patch: Int = 128, width: Int = 64, layers: Int = 6) throws {
        guard width << (layers - 1) <= 8192 else {
            throw OptionError("stargan-discriminator: width \(width) doubled over \(layers) layers exceeds 8192 channels")
        }
        guard patch % (1 << layers) == 0 else {
            throw OptionError("stargan-discriminator: patch \(patch) must be a multiple of 2^layers = \(1 << layers)")
        }
        var c = channels
        convs = []
        for i in 0..<layers {
            let o = width << i
            convs.append(try Conv2d(c, o, kernel: 4, stride: 2, padding: .explicit(1, 1)))
            c = o
        }
        source = try Conv2d(c, 1, kernel: 3, padding: .explicit(1, 1), bias: false)
        classes = try Conv2d(c, attributes, kernel: patch >> layers, bias: false)
        self.patch = patch
    }

    /// [N, C, patch, patch] → [N, 1 + n].
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4, x.shape[2] == patch, x.shape[3] == patch else {
            throw TorchError("StarGAN discriminator: input must be [N, C, \(patch), \(patch)], got \(x.shape)")
        }
        var h = x
        for conv in convs { h = try conv(h).leakyRelu(Self.slope) }
        let n = x.shape[0]
        let score = try source(h).mean(dims: [1, 2, 3]).reshape([n, 1])
        let logits = try classes(h).reshape([n, classes.weight.shape[0]])
        return try cat([score, logits], dim: 1)
    }

    /// StarGAN's discriminator as a registered architecture, on MDIE's 6-channel intrinsics.
    public static let architecture = Architecture(
        name: "stargan-discriminator",
        summary: "StarGAN's critic with a domain classifier (MDIE): [N, 1 + attributes] (critic score, attribute logits)",
        options: [
            OptionDeclaration("channels", .positiveInt, default: .number(6), help: "input channels (6: MDIE's albedo and shading)", maximum: 64),
            OptionDeclaration("attributes", .positiveInt, default: .number(3), help: "attributes classified (MDIE: colour, texture, noise)", maximum: 64),
            OptionDeclaration("patch", .positiveInt, default: .number(128), help: "side of the square inputs", maximum: 4096),
            OptionDeclaration("width", .positiveInt, default: .number(64), help: "channels of the first layer, doubling per layer", maximum: 512),
            OptionDeclaration("layers", .positiveInt, default: .number(6), help: "stride-2 layers", maximum: 10),
        ],
        contract: { o in
            ArchitectureContract(role: .discriminator, inputChannels: o.int("channels"), inputEncoding: .rgb,
                                 outputChannels: 1 + o.int("attributes"))
        },
        // The last stride-2 layer: 4×4 from W·2^(L−2) to W·2^(L−1) channels.
        parameterFloor: { o in
            let (w, l) = (o.int("width"), o.int("layers"))
            return l < 2 ? 0 : 16 * (w << (l - 2)) * (w << (l - 1))
        },
        make: { o in
            let net = try StarGANDiscriminator(channels: o.int("channels"), attributes: o.int("attributes"), patch: o.int("patch"),
                                               width: o.int("width"), layers: o.int("layers"))
            return NetworkBody(module: net, tiling: nil, forward: { x, _ in try net(x) })
        })
}
