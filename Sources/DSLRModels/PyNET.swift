import DSLRNN
import DSLRTensor

private let reflectionPad = Operator("aten::reflection_pad2d")

/// PyNET (Ignatov et al., "Replacing Mobile Camera ISP with a Single Deep Learning Model",
/// 2020) as aiff22/PyNET-PyTorch `model.py` builds it: an inverted pyramid that turns a RAW
/// Bayer mosaic, packed 2×2 into four half-resolution channels, into the RGB photo at twice
/// the packed size.
///
/// The input runs down through levels 1-4 (a multi-size convolution block, then 2×2 max
/// pooling); level 5 works at 1/16 of the packed size and each finer level combines its own
/// features with the coarser level's upsampled ones (bilinear ×2, align_corners, then a
/// 3×3 convolution). Every level ends in a 3×3 convolution and a sigmoid, its RGB output at
/// its scale; level 0 upsamples level 1 once more to the full resolution. Training goes from
/// level 5 down to 0, each level learning on top of the coarser ones (`forward(_:level:)`).
///
/// Property names are PyNET-PyTorch's, so its state dicts load by name. With `width` w the
/// level-k blocks are w·2^(k-1) wide (PyNET: w = 32); a `PyNETMultiBlock` of kernel sizes up to
/// k concatenates one branch per size 3, 5, ..., k. Every convolution reflection-pads its
/// input; leaky ReLU 0.2; instance norms are affine, without running statistics.
public struct PyNET: Module {
    public var conv_l1_d1: PyNETMultiBlock
    public var conv_l2_d1: PyNETMultiBlock
    public var conv_l3_d1: PyNETMultiBlock
    public var conv_l4_d1: PyNETMultiBlock

    public var conv_l5_d1: PyNETMultiBlock
    public var conv_l5_d2: PyNETMultiBlock
    public var conv_l5_d3: PyNETMultiBlock
    public var conv_l5_d4: PyNETMultiBlock
    public var conv_t4a: PyNETUpsampleConv
    public var conv_t4b: PyNETUpsampleConv
    public var conv_l5_out: PyNETConv

    public var conv_l4_d3: PyNETMultiBlock
    public var conv_l4_d4: PyNETMultiBlock
    public var conv_l4_d5: PyNETMultiBlock
    public var conv_l4_d6: PyNETMultiBlock
    public var conv_l4_d8: PyNETMultiBlock
    public var conv_t3a: PyNETUpsampleConv
    public var conv_t3b: PyNETUpsampleConv
    public var conv_l4_out: PyNETConv

    public var conv_l3_d3: PyNETMultiBlock
    public var conv_l3_d4: PyNETMultiBlock
    public var conv_l3_d5: PyNETMultiBlock
    public var conv_l3_d6: PyNETMultiBlock
    public var conv_l3_d8: PyNETMultiBlock
    public var conv_t2a: PyNETUpsampleConv
    public var conv_t2b: PyNETUpsampleConv
    public var conv_l3_out: PyNETConv

    public var conv_l2_d3: PyNETMultiBlock
    public var conv_l2_d5: PyNETMultiBlock
    public var conv_l2_d6: PyNETMultiBlock
    public var conv_l2_d7: PyNETMultiBlock
    public var conv_l2_d8: PyNETMultiBlock
    public var conv_l2_d10: PyNETMultiBlock
    public var conv_l2_d12: PyNETMultiBlock
    public var conv_t1a: PyNETUpsampleConv
    public var conv_t1b: PyNETUpsampleConv
    public var conv_l2_out: PyNETConv

    public var conv_l1_d3: PyNETMultiBlock
    public var conv_l1_d5: PyNETMultiBlock
    public var conv_l1_d6: PyNETMultiBlock
    public var conv_l1_d7: PyNETMultiBlock
    public var conv_l1_d8: PyNETMultiBlock
    public var conv_l1_d9: PyNETMultiBlock
    public var conv_l1_d10: PyNETMultiBlock
    public var conv_l1_d12: PyNETMultiBlock
    public var conv_l1_d14: PyNETMultiBlock
    public var conv_l1_out: PyNETConv
    public var conv_t0: PyNETUpsampleConv

    public var conv_l0_d1: PyNETConv

    /// The `dslrkit.architecture` metadata value of saved PyNETs.
    public static let architectureID = "pynet"
    /// The packed input's sides must divide by this: four 2×2 poolings.
    public static let sizeMultiple = 16

    /// A new PyNET with PyTorch's default initialisation (draws from `Torch.manualSeed`'s
    /// generator). `instanceNorm`: in levels 2-5; `instanceNormLevel1`: in the inner blocks of
    /// level 1 (model.py's default is off, but PyNET-PyTorch's training, test and evaluation
    /// scripts all turn it on, so its published weights have them).
    public init(width w: Int = 32, instanceNorm: Bool = true, instanceNormLevel1: Bool = true) throws {
        guard w >= 2, w % 2 == 0 else { throw TorchError("pynet: width must be even and at least 2, got \(w)") }
        func block(_ i: Int, _ o: Int, _ k: Int, _ norm: Bool = instanceNorm) throws -> PyNETMultiBlock {
            try PyNETMultiBlock(i, o, maxKernel: k, instanceNorm: norm)
        }
        func up(_ i: Int, _ o: Int) throws -> PyNETUpsampleConv { try PyNETUpsampleConv(i, o) }
        func out(_ i: Int) throws -> PyNETConv { try PyNETConv(i, 3, kernel: 3, relu: false) }
        let l1 = instanceNormLevel1
        conv_l1_d1 = try block(4, w, 3, false)
        conv_l2_d1 = try block(w, 2 * w, 3)
        conv_l3_d1 = try block(2 * w, 4 * w, 3)
        conv_l4_d1 = try block(4 * w, 8 * w, 3)

        conv_l5_d1 = try block(8 * w, 16 * w, 3)
        conv_l5_d2 = try block(16 * w, 16 * w, 3)
        conv_l5_d3 = try block(16 * w, 16 * w, 3)
        conv_l5_d4 = try block(16 * w, 16 * w, 3)
        conv_t4a = try up(16 * w, 8 * w)
        conv_t4b = try up(16 * w, 8 * w)
        conv_l5_out = try out(16 * w)

        conv_l4_d3 = try block(16 * w, 8 * w, 3)
        conv_l4_d4 = try block(8 * w, 8 * w, 3)
        conv_l4_d5 = try block(8 * w, 8 * w, 3)
        conv_l4_d6 = try block(8 * w, 8 * w, 3)
        conv_l4_d8 = try block(16 * w, 8 * w, 3)
        conv_t3a = try up(8 * w, 4 * w)
        conv_t3b = try up(8 * w, 4 * w)
        conv_l4_out = try out(8 * w)

        conv_l3_d3 = try block(8 * w, 4 * w, 5)
        conv_l3_d4 = try block(8 * w, 4 * w, 5)
        conv_l3_d5 = try block(8 * w, 4 * w, 5)
        conv_l3_d6 = try block(8 * w, 4 * w, 5)
        conv_l3_d8 = try block(16 * w, 4 * w, 3)
        conv_t2a = try up(4 * w, 2 * w)
        conv_t2b = try up(4 * w, 2 * w)
        conv_l3_out = try out(4 * w)

        conv_l2_d3 = try block(4 * w, 2 * w, 5)
        conv_l2_d5 = try block(6 * w, 2 * w, 7)
        conv_l2_d6 = try block(6 * w, 2 * w, 7)
        conv_l2_d7 = try block(6 * w, 2 * w, 7)
        conv_l2_d8 = try block(6 * w, 2 * w, 7)
        conv_l2_d10 = try block(8 * w, 2 * w, 5)
        conv_l2_d12 = try block(6 * w, 2 * w, 3)
        conv_t1a = try up(2 * w, w)
        conv_t1b = try up(2 * w, w)
        conv_l2_out = try out(2 * w)

        conv_l1_d3 = try block(2 * w, w, 5, false)
        conv_l1_d5 = try block(3 * w, w, 7, l1)
        conv_l1_d6 = try block(3 * w, w, 9, l1)
        conv_l1_d7 = try block(4 * w, w, 9, l1)
        conv_l1_d8 = try block(4 * w, w, 9, l1)
        conv_l1_d9 = try block(4 * w, w, 9, l1)
        conv_l1_d10 = try block(4 * w, w, 7, l1)
        conv_l1_d12 = try block(4 * w, w, 5, l1)
        conv_l1_d14 = try block(4 * w, w, 3, false)
        conv_l1_out = try out(w)
        conv_t0 = try up(w, w / 2)

        conv_l0_d1 = try PyNETConv(w / 2, 3, kernel: 3, relu: false)
    }

    /// The RGB output of `level` (0: full resolution, twice the packed input's size; level k
    /// > 0: the packed size / 2^(k-1)) for packed Bayer input [N, 4, H, W], H and W multiples of
    /// 16. Only the levels from 5 down to `level` run, as in PyNET-PyTorch.
    public func forward(_ x: Tensor, level: Int) throws -> Tensor {
        try outputs(x, downTo: level).last!
    }

    /// The outputs of levels 5, 4, ... down to `level`, in that order.
    public func outputs(_ x: Tensor, downTo level: Int) throws -> [Tensor] {
        guard (0...5).contains(level) else { throw TorchError("pynet: level must be 0 to 5, got \(level)") }
        guard x.rank == 4, x.shape[1] == 4, x.shape[2] % Self.sizeMultiple == 0, x.shape[3] % Self.sizeMultiple == 0 else {
            throw TorchError("pynet: input must be packed Bayer [N, 4, H, W] with H and W multiples of 16, got \(x.shape)")
        }
        let l1 = try conv_l1_d1(x)
        let l2 = try conv_l2_d1(pool(l1))
        let l3 = try conv_l3_d1(pool(l2))
        let l4 = try conv_l4_d1(pool(l3))

        let d5 = try conv_l5_d4(conv_l5_d3(conv_l5_d2(conv_l5_d1(pool(l4)))))
        var results = [try conv_l5_out(d5).sigmoid()]
        if level == 5 { return results }

        let (out4, t3a, t3b) = try level4(l4, conv_t4a(d5), conv_t4b(d5))
        results.append(out4)
        if level == 4 { return results }

        let (out3, t2a, t2b) = try level3(l3, t3a, t3b)
        results.append(out3)
        if level == 3 { return results }

        let (out2, t1a, t1b) = try level2(l2, t2a, t2b)
        results.append(out2)
        if level == 2 { return results }

        let (out1, t0) = try level1(l1, t1a, t1b)
        results.append(out1)
        if level == 1 { return results }

        results.append(try conv_l0_d1(t0).sigmoid())
        return results
    }

    private func pool(_ x: Tensor) throws -> Tensor { try maxPool2d(x, kernel: [2, 2], stride: [2, 2]) }

    private func level4(_ d1: Tensor, _ ta: Tensor, _ tb: Tensor) throws -> (Tensor, Tensor, Tensor) {
        let d3 = try conv_l4_d3(cat([d1, ta], dim: 1))
        let d4 = try conv_l4_d4(d3) + d3
        let d5 = try conv_l4_d5(d4) + d4
        let d6 = try conv_l4_d6(d5)
        let d8 = try conv_l4_d8(cat([d6, tb], dim: 1))
        return (try conv_l4_out(d8).sigmoid(), try conv_t3a(d8), try conv_t3b(d8))
    }

    private func level3(_ d1: Tensor, _ ta: Tensor, _ tb: Tensor) throws -> (Tensor, Tensor, Tensor) {
        let d2 = try cat([d1, ta], dim: 1)
        let d3 = try conv_l3_d3(d2) + d2
        let d4 = try conv_l3_d4(d3) + d3
        let d5 = try conv_l3_d5(d4) + d4
        let d6 = try conv_l3_d6(d5)
        let d8 = try conv_l3_d8(cat([d6, d1, tb], dim: 1))
        return (try conv_l3_out(d8).sigmoid(), try conv_t2a(d8), try conv_t2b(d8))
    }

    private func level2(_ d1: Tensor, _ ta: Tensor, _ tb: Tensor) throws -> (Tensor, Tensor, Tensor) {
        let d3 = try conv_l2_d3(cat([d1, ta], dim: 1))
        let d4 = try cat([d3, d1], dim: 1)
        let d5 = try conv_l2_d5(d4) + d4
        let d6 = try conv_l2_d6(d5) + d5
        let d7 = try conv_l2_d7(d6) + d6
        let d8 = try conv_l2_d8(d7)
        let d10 = try conv_l2_d10(cat([d8, d1], dim: 1))
        let d12 = try conv_l2_d12(cat([d10, tb], dim: 1))
        return (try conv_l2_out(d12).sigmoid(), try conv_t1a(d12), try conv_t1b(d12))
    }

    private func level1(_ d1: Tensor, _ ta: Tensor, _ tb: Tensor) throws -> (Tensor, Tensor) {
        let d3 = try conv_l1_d3(cat([d1, ta], dim: 1))
        let d5 = try conv_l1_d5(cat([d3, d1], dim: 1))
        let d6 = try conv_l1_d6(d5)
        let d7 = try conv_l1_d7(d6) + d6
        let d8 = try conv_l1_d8(d7) + d7
        let d9 = try conv_l1_d9(d8) + d8
        let d10 = try conv_l1_d10(d9)
        let d12 = try conv_l1_d12(cat([d10, d1], dim: 1))
        let d14 = try conv_l1_d14(cat([d12, tb, d1], dim: 1))
        return (try conv_l1_out(d14).sigmoid(), try conv_t0(d14))
    }

    public static let architecture = Architecture(
        name: architectureID,
        summary: "PyNET (Ignatov et al. 2020): RAW Bayer (packed 2x2) to RGB at twice the packed size; an inverted pyramid of 6 levels",
        options: [
            OptionDeclaration("width", .positiveInt, default: .number(32), help: "channels of level 1; level k has width·2^(k-1)", maximum: 256),
            OptionDeclaration("instance_norm", .choice(["true", "false"]), default: .text("true"), help: "instance norms in levels 2-5"),
            OptionDeclaration("instance_norm_level_1", .choice(["true", "false"]), default: .text("true"),
                              help: "instance norms in level 1's inner blocks (PyNET-PyTorch trains and tests with them)"),
            OptionDeclaration("level", .choice(["0", "1"]), default: .text("0"),
                              help: "the output: 0 full resolution (x2), 1 the packed size (a model saved after level 1)"),
        ],
        contract: { o in
            ArchitectureContract(inputChannels: 4, inputEncoding: .packedBayer, outputScale: o.text("level") == "0" ? 2 : 1,
                                 sizeMultiple: sizeMultiple)
        },
        // Level 5's three blocks of two 3×3 16w → 16w convolutions.
        parameterFloor: { o in 6 * 9 * 256 * o.int("width") * o.int("width") },
        make: { o in
            let net = try PyNET(width: o.int("width"), instanceNorm: o.text("instance_norm") == "true",
                                instanceNormLevel1: o.text("instance_norm_level_1") == "true")
            let level = o.text("level") == "0" ? 0 : 1
            // Instance norms see each tile alone and align_corners upsampling depends on the
            // tile's size, so tiles are only close to the whole photo: the widest context
            // (level 5's field of view) is the overlap.
            return NetworkBody(
                module: net, tiling: TilingProfile(receptiveRadius: 512, widestActivation: 16 * o.int("width")),
                levelForward: { x, level in try net.forward(x, level: level) }, forward: { x, _ in try net.forward(x, level: level) })
        })
}

/// PyNET's convolution: reflection padding of half the kernel, the convolution, optionally an
/// affine instance norm, optionally leaky ReLU 0.2.
public struct PyNETConv: Module {
    public var conv2d: Conv2d
    public var instance: InstanceNorm2d?
    public let relu: Bool

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, relu: Bool = true, instanceNorm: Bool = false) throws {
        conv2d = try Conv2d(inChannels, outChannels, kernel: kernel)
        instance = instanceNorm ? try InstanceNorm2d(outChannels) : nil
        self.relu = relu
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let p = conv2d.weight.shape[2] / 2
        var y = try conv2d(reflectionPad.call(.tensor(x), .ints([p, p, p, p])))
        if let instance { y = try instance(y) }
        return relu ? try y.leakyRelu(0.2) : y
    }
}

/// Two convolutions in a row for each kernel size 3, 5, ... up to `maxKernel`, side by side on
/// the same input, their outputs concatenated (3 first): `out` channels per size.
public struct PyNETMultiBlock: Module {
    public var conv_3a: PyNETConv
    public var conv_3b: PyNETConv
    public var conv_5a: PyNETConv?
    public var conv_5b: PyNETConv?
    public var conv_7a: PyNETConv?
    public var conv_7b: PyNETConv?
    public var conv_9a: PyNETConv?
    public var conv_9b: PyNETConv?

    public init(_ inChannels: Int, _ outChannels: Int, maxKernel: Int, instanceNorm: Bool) throws {
        func pair(_ k: Int) throws -> (PyNETConv, PyNETConv)? {
            guard maxKernel >= k else { return nil }
            return (try PyNETConv(inChannels, outChannels, kernel: k, instanceNorm: instanceNorm),
                    try PyNETConv(outChannels, outChannels, kernel: k, instanceNorm: instanceNorm))
        }
        (conv_3a, conv_3b) = try pair(3)!
        (conv_5a, conv_5b) = try pair(5).map { ($0.0, $0.1) } ?? (nil, nil)
        (conv_7a, conv_7b) = try pair(7).map { ($0.0, $0.1) } ?? (nil, nil)
        (conv_9a, conv_9b) = try pair(9).map { ($0.0, $0.1) } ?? (nil, nil)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var branches = [try conv_3b(conv_3a(x))]
        for case let (a?, b?) in [(conv_5a, conv_5b), (conv_7a, conv_7b), (conv_9a, conv_9b)] {
            branches.append(try b(a(x)))
        }
        return branches.count == 1 ? branches[0] : try cat(branches, dim: 1)
    }
}

/// Bilinear ×2 upsampling (align_corners), reflection padding, a 3×3 convolution, leaky ReLU 0.2.
public struct PyNETUpsampleConv: Module {
    public var conv2d: Conv2d

    public init(_ inChannels: Int, _ outChannels: Int) throws {
        conv2d = try Conv2d(inChannels, outChannels, kernel: 3)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let up = try interpolate(x, size: [x.shape[2] * 2, x.shape[3] * 2], mode: .bilinear(alignCorners: true))
        return try conv2d(reflectionPad.call(.tensor(up), .ints([1, 1, 1, 1]))).leakyRelu(0.2)
    }
}
