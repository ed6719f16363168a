import DSLRTensor

/// Padding of a convolution.
public enum ConvPadding: Sendable, Equatable {
    /// The same number of zeros on both sides of each spatial dim: [h, w].
    case explicit(Int, Int)
    /// TensorFlow's 'SAME': output size ceil(input / stride); when the total padding is
    /// odd the extra zero goes after (bottom / right), exactly as TensorFlow does.
    case same
    /// No padding (TensorFlow's 'VALID').
    case valid
}

/// A 2-D convolution layer, weight [out, in / groups, kh, kw].
public struct Conv2d: Module {
    public var weight: Tensor
    public var bias: Tensor?
    public let stride: [Int]
    public let padding: ConvPadding
    public let dilation: [Int]
    public let groups: Int

    /// A square kernel with the same stride and dilation along both dims.
    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: ConvPadding = .explicit(0, 0),
        dilation: Int = 1, groups: Int = 1, bias: Bool = true,
        weightInit: Initializer = .pytorchDefault, biasInit: Initializer = .pytorchDefault
    ) throws {
        try self.init(inChannels, outChannels, kernelSize: (kernel, kernel), stride: (stride, stride), padding: padding,
                      dilation: (dilation, dilation), groups: groups, bias: bias, weightInit: weightInit, biasInit: biasInit)
    }

    /// Any kernel (e.g. PPCN's k×1 and 1×k), stride and dilation, each (height, width).
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: ConvPadding = .explicit(0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
        weightInit: Initializer = .pytorchDefault, biasInit: Initializer = .pytorchDefault
    ) throws {
        guard inChannels > 0, outChannels > 0, groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw TorchError("Conv2d: channels (\(inChannels) → \(outChannels)) must be positive and divide by groups (\(groups))")
        }
        guard kernelSize.0 > 0, kernelSize.1 > 0, stride.0 > 0, stride.1 > 0, dilation.0 > 0, dilation.1 > 0 else {
            throw TorchError("Conv2d: kernel \(kernelSize), stride \(stride) and dilation \(dilation) must be positive")
        }
        let area = kernelSize.0 * kernelSize.1
        let fanIn = inChannels / groups * area
        let fanOut = outChannels / groups * area
        self.weight = try weightInit.make([outChannels, inChannels / groups, kernelSize.0, kernelSize.1], fanIn: fanIn, fanOut: fanOut)
        self.bias = bias ? try biasInit.make([outChannels], fanIn: fanIn, fanOut: fanOut) : nil
        self.stride = [stride.0, stride.1]
        self.padding = padding
        self.dilation = [dilation.0, dilation.1]
        self.groups = groups
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        switch padding {
        case .explicit(let h, let w):
            return try conv2d(x, weight: weight, bias: bias, stride: stride, padding: [h, w], dilation: dilation, groups: groups)
        case .valid:
            return try conv2d(x, weight: weight, bias: bias, stride: stride, dilation: dilation, groups: groups)
        case .same:
            let shape = x.shape
            let kernel = weight.shape
            let (top, bottom) = samePadding(size: shape[2], kernel: kernel[2], stride: stride[0], dilation: dilation[0])
            let (left, right) = samePadding(size: shape[3], kernel: kernel[3], stride: stride[1], dilation: dilation[1])
            if top == bottom && left == right {
                return try conv2d(x, weight: weight, bias: bias, stride: stride, padding: [top, left], dilation: dilation, groups: groups)
            }
            let padded = try x.pad([left, right, top, bottom])
            return try conv2d(padded, weight: weight, bias: bias, stride: stride, dilation: dilation, groups: groups)
        }
    }
}

/// A depthwise-separable convolution (MobileNet, Howard et al. 2017): a k×k depthwise
/// convolution (one filter per input channel, `groups` = input channels) followed by a 1×1
/// pointwise convolution that mixes the channels. With no activation between the two it
/// equals a full k×k convolution whose weight is factorised as W[o, i] = P[o, i] · D[i].
/// The depthwise half has no bias: before a linear pointwise layer it would only add a
/// constant the pointwise bias already provides.
public struct SeparableConv2d: Module {
    public var depthwise: Conv2d
    public var pointwise: Conv2d

    /// `depthwiseInit` draws the depthwise kernels (`weightInit` when nil), `weightInit` the
    /// pointwise ones.
    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: Int, padding: ConvPadding = .explicit(0, 0),
        depthwiseInit: Initializer? = nil, weightInit: Initializer = .pytorchDefault, biasInit: Initializer = .pytorchDefault
    ) throws {
        depthwise = try Conv2d(inChannels, inChannels, kernel: kernel, padding: padding, groups: inChannels, bias: false,
                               weightInit: depthwiseInit ?? weightInit)
        pointwise = try Conv2d(inChannels, outChannels, kernel: 1, weightInit: weightInit, biasInit: biasInit)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try pointwise(depthwise(x)) }
}

/// TensorFlow's SAME padding along one dim: (before, after).
public func samePadding(size: Int, kernel: Int, stride: Int, dilation: Int = 1) -> (Int, Int) {
    let effective = (kernel - 1) * dilation + 1
    let out = (size + stride - 1) / stride
    let total = max((out - 1) * stride + effective - size, 0)
    return (total / 2, total - total / 2)
}

/// A transposed 2-D convolution layer, weight [in, out / groups, kh, kw].
public struct ConvTranspose2d: Module {
    public var weight: Tensor
    public var bias: Tensor?
    public let stride: [Int]
    public let padding: [Int]
    public let outputPadding: [Int]
    public let groups: Int

    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
        groups: Int = 1, bias: Bool = true, weightInit: Initializer = .pytorchDefault
    ) throws {
        // PyTorch computes fan-in from weight dim 1 (out / groups) for transposed convs.
        let fanIn = outChannels / groups * kernel * kernel
        self.weight = try weightInit.make([inChannels, outChannels / groups, kernel, kernel], fanIn: fanIn, fanOut: inChannels * kernel * kernel)
        self.bias = bias ? try Initializer.pytorchDefault.make([outChannels], fanIn: fanIn, fanOut: 0) : nil
        self.stride = [stride, stride]
        self.padding = [padding, padding]
        self.outputPadding = [outputPadding, outputPadding]
        self.groups = groups
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try convTranspose2d(x, weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding, groups: groups)
    }
}

/// A fully connected layer, weight [out, in].
public struct Linear: Module {
    public var weight: Tensor
    public var bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, weightInit: Initializer = .pytorchDefault,
                biasInit: Initializer = .pytorchDefault) throws {
        self.weight = try weightInit.make([outFeatures, inFeatures], fanIn: inFeatures, fanOut: outFeatures)
        self.bias = bias ? try biasInit.make([outFeatures], fanIn: inFeatures, fanOut: outFeatures) : nil
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try linear(x, weight: weight, bias: bias)
    }
}

/// Instance normalisation over H and W per sample and channel, with an optional learned
/// per-channel scale (`weight`) and shift (`bias`).
public struct InstanceNorm2d: Module {
    public var weight: Tensor?
    public var bias: Tensor?
    public let eps: Double

    public init(_ channels: Int, eps: Double = 1e-5, affine: Bool = true) throws {
        self.weight = affine ? try Tensor.ones([channels]).requiringGrad() : nil
        self.bias = affine ? try Tensor.zeros([channels]).requiringGrad() : nil
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try instanceNorm(x, weight: weight, bias: bias, eps: eps)
    }
}

/// Batch normalisation with running statistics used in evaluation mode.
public struct BatchNorm2d: Module {
    public var weight: Tensor
    public var bias: Tensor
    public var runningMean: Buffer
    public var runningVar: Buffer
    public let mode = ModeFlag()
    public let eps: Double
    public let momentum: Double

    public init(_ channels: Int, eps: Double = 1e-5, momentum: Double = 0.1) throws {
        weight = try Tensor.ones([channels]).requiringGrad()
        bias = try Tensor.zeros([channels]).requiringGrad()
        runningMean = Buffer(try Tensor.zeros([channels]))
        runningVar = Buffer(try Tensor.ones([channels]))
        self.eps = eps
        self.momentum = momentum
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try batchNorm(x, weight: weight, bias: bias, runningMean: runningMean.tensor, runningVar: runningVar.tensor,
                      training: mode.training, momentum: momentum, eps: eps)
    }
}
