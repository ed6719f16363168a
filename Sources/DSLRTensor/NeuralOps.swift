// The layer-level operations the papers' networks are built from, as plain functions
// over NCHW tensors. Module wrappers with parameters live in DSLRNN.

/// 2-D convolution. `groups` == input channels gives a depthwise convolution.
public func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil,
    stride: [Int] = [1, 1], padding: [Int] = [0, 0], dilation: [Int] = [1, 1], groups: Int = 1
) throws -> Tensor {
    try ATen.conv2d.call(
        .tensor(input), .tensor(weight), .optionalTensor(bias),
        .ints(stride), .ints(padding), .ints(dilation), .int(groups))
}

/// Transposed 2-D convolution; `weight` is [in, out / groups, kh, kw] as in PyTorch.
public func convTranspose2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil,
    stride: [Int] = [1, 1], padding: [Int] = [0, 0], outputPadding: [Int] = [0, 0],
    groups: Int = 1, dilation: [Int] = [1, 1]
) throws -> Tensor {
    try ATen.convTranspose2d.call(
        .tensor(input), .tensor(weight), .optionalTensor(bias),
        .ints(stride), .ints(padding), .ints(outputPadding), .int(groups), .ints(dilation))
}

/// x · weightᵀ + bias, weight [out, in].
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
    try ATen.linear.call(.tensor(input), .tensor(weight), .optionalTensor(bias))
}

/// Matrix product with broadcasting over leading dims.
public func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor { try ATen.matmul.call(.tensor(a), .tensor(b)) }

/// Batched matrix product of [b, n, m] and [b, m, p].
public func bmm(_ a: Tensor, _ b: Tensor) throws -> Tensor { try ATen.bmm.call(.tensor(a), .tensor(b)) }

public func maxPool2d(
    _ input: Tensor, kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0],
    dilation: [Int] = [1, 1], ceilMode: Bool = false
) throws -> Tensor {
    try ATen.maxPool2d.call(
        .tensor(input), .ints(kernel), .ints(stride ?? kernel), .ints(padding), .ints(dilation), .bool(ceilMode))
}

public func avgPool2d(
    _ input: Tensor, kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0],
    ceilMode: Bool = false, countIncludePad: Bool = true
) throws -> Tensor {
    try ATen.avgPool2d.call(
        .tensor(input), .ints(kernel), .ints(stride ?? kernel), .ints(padding), .bool(ceilMode), .bool(countIncludePad))
}

public func adaptiveAvgPool2d(_ input: Tensor, outputSize: [Int]) throws -> Tensor {
    try ATen.adaptiveAvgPool2d.call(.tensor(input), .ints(outputSize))
}

/// Batch normalisation; in training mode it uses batch statistics and updates the running ones.
public func batchNorm(
    _ input: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
    training: Bool, momentum: Double = 0.1, eps: Double = 1e-5
) throws -> Tensor {
    try ATen.batchNorm.call(
        .tensor(input), .optionalTensor(weight), .optionalTensor(bias), .optionalTensor(runningMean),
        .optionalTensor(runningVar), .bool(training), .double(momentum), .double(eps), .bool(true))
}

/// Instance normalisation: each sample and channel normalised over its spatial dims with
/// the biased variance, then scaled and shifted per channel.
public func instanceNorm(_ input: Tensor, weight: Tensor?, bias: Tensor?, eps: Double = 1e-5) throws -> Tensor {
    try ATen.instanceNorm.call(
        .tensor(input), .optionalTensor(weight), .optionalTensor(bias), .none, .none,
        .bool(true), .double(0.1), .double(eps), .bool(true))
}

public func layerNorm(_ input: Tensor, shape: [Int], weight: Tensor?, bias: Tensor?, eps: Double = 1e-5) throws -> Tensor {
    try ATen.layerNorm.call(.tensor(input), .ints(shape), .optionalTensor(weight), .optionalTensor(bias), .double(eps))
}

public func groupNorm(_ input: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Double = 1e-5) throws -> Tensor {
    try ATen.groupNorm.call(.tensor(input), .int(groups), .optionalTensor(weight), .optionalTensor(bias), .double(eps))
}

/// Resampling modes of `interpolate`.
public enum InterpolationMode: Sendable {
    case nearest
    case bilinear(alignCorners: Bool)
    case bicubic(alignCorners: Bool)
}

/// Resizes the spatial dims of an NCHW tensor to `size` ([h, w]) or by `scale`.
public func interpolate(_ input: Tensor, size: [Int]? = nil, scale: [Double]? = nil, mode: InterpolationMode) throws -> Tensor {
    guard (size == nil) != (scale == nil) else { throw TorchError("interpolate needs exactly one of size and scale") }
    let sizeArg: OpArg = size.map { .ints($0) } ?? .none
    let scaleArg: OpArg = scale.map { .doubles($0) } ?? .none
    switch mode {
    case .nearest:
        return try ATen.upsampleNearest.call(.tensor(input), sizeArg, scaleArg)
    case .bilinear(let align):
        return try ATen.upsampleBilinear.call(.tensor(input), sizeArg, .bool(align), scaleArg)
    case .bicubic(let align):
        return try ATen.upsampleBicubic.call(.tensor(input), sizeArg, .bool(align), scaleArg)
    }
}

/// [N, C·r², H, W] → [N, C, H·r, W·r].
public func pixelShuffle(_ input: Tensor, factor: Int) throws -> Tensor {
    try ATen.pixelShuffle.call(.tensor(input), .int(factor))
}

/// [N, C, H·r, W·r] → [N, C·r², H, W].
public func pixelUnshuffle(_ input: Tensor, factor: Int) throws -> Tensor {
    try ATen.pixelUnshuffle.call(.tensor(input), .int(factor))
}

/// Randomly zeroes elements with probability p (and rescales) when `training`.
public func dropout(_ input: Tensor, p: Double, training: Bool) throws -> Tensor {
    try ATen.dropout.call(.tensor(input), .double(p), .bool(training))
}

// Activations.
extension Tensor {
    public func relu() throws -> Tensor { try ATen.relu.call(.tensor(self)) }
    public func leakyRelu(_ slope: Double = 0.01) throws -> Tensor { try ATen.leakyRelu.call(.tensor(self), .double(slope)) }
    public func elu(_ alpha: Double = 1) throws -> Tensor { try ATen.elu.call(.tensor(self), .double(alpha)) }
    /// GELU, exact (erf) form unless `tanhApproximation`.
    public func gelu(tanhApproximation: Bool = false) throws -> Tensor {
        try ATen.gelu.call(.tensor(self), .string(tanhApproximation ? "tanh" : "none"))
    }
    public func silu() throws -> Tensor { try ATen.silu.call(.tensor(self)) }
    public func sigmoid() throws -> Tensor { try ATen.sigmoid.call(.tensor(self)) }
    public func tanh() throws -> Tensor { try ATen.tanh.call(.tensor(self)) }
    public func softplus(beta: Double = 1, threshold: Double = 20) throws -> Tensor {
        try ATen.softplus.call(.tensor(self), .double(beta), .double(threshold))
    }
    /// PReLU with one learned slope per channel (or one shared).
    public func prelu(_ weight: Tensor) throws -> Tensor { try ATen.prelu.call(.tensor(self), .tensor(weight)) }
    public func softmax(dim: Int) throws -> Tensor { try ATen.softmax.call(.tensor(self), .int(dim)) }
    public func logSoftmax(dim: Int) throws -> Tensor { try ATen.logSoftmax.call(.tensor(self), .int(dim)) }
}
