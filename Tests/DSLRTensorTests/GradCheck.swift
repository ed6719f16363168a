import DSLRTensor
import Testing

/// Compares autograd's gradient of sum(f(inputs) · r) (r a fixed random weighting) with
/// central finite differences, all in float64.
func gradCheck(
    _ shapes: [[Int]], positive: Bool = false, eps: Double = 1e-6, tolerance: Double = 1e-6,
    seed: UInt64 = 7, sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) throws -> Tensor
) throws {
    Torch.manualSeed(seed)
    var values: [[Double]] = try shapes.map { shape in
        let t = try Tensor.rand(shape, dtype: .float64)
        // Keep values away from kinks (relu, abs, max at 0) and, if asked, from 0 itself.
        return try (positive ? t * 1.5 + 0.5 : t * 2 - 1).toArray(Double.self)
    }
    let weighting = try f(shapes.enumerated().map { try Tensor(values[$0.offset], shape: $0.element) })
    let r = try Tensor.randn(weighting.shape, dtype: .float64)

    func objective(_ vals: [[Double]]) throws -> Double {
        try withNoGrad {
            let inputs = try shapes.enumerated().map { try Tensor(vals[$0.offset], shape: $0.element) }
            return try (f(inputs) * r).sum().item()
        }
    }

    let inputs = try shapes.enumerated().map { try Tensor(values[$0.offset], shape: $0.element).requiringGrad() }
    try (f(inputs) * r).sum().backward()
    for (i, input) in inputs.enumerated() {
        let analytic = try #require(try input.grad, "no gradient for input \(i)", sourceLocation: sourceLocation).toArray(Double.self)
        var worst = 0.0
        for j in 0..<values[i].count {
            let original = values[i][j]
            values[i][j] = original + eps
            let plus = try objective(values)
            values[i][j] = original - eps
            let minus = try objective(values)
            values[i][j] = original
            let numeric = (plus - minus) / (2 * eps)
            worst = max(worst, abs(numeric - analytic[j]) / max(1, abs(numeric)))
        }
        #expect(worst < tolerance, "input \(i): worst relative gradient error \(worst)", sourceLocation: sourceLocation)
    }
}

@Suite("Gradients match central finite differences (float64)")
struct GradientTests {
    @Test func arithmetic() throws {
        try gradCheck([[2, 3], [2, 3]]) { try $0[0] + $0[1] * $0[0] - $0[1] }
        try gradCheck([[2, 3], [3]], positive: true) { try $0[0] / $0[1] }
        try gradCheck([[2, 3]]) { try 2.5 - $0[0] * 3 + 1 }
        try gradCheck([[4]], positive: true) { try $0[0].pow(2.5) }
        try gradCheck([[4], [4]], positive: true) { try $0[0].pow($0[1]) }
        try gradCheck([[3, 2]]) { try -$0[0] }
        try gradCheck([[3, 2], [3, 2]]) { try $0[0].lerp($0[1], 0.3) }
        try gradCheck([[3, 2], [3, 2]]) { try $0[0].adding($0[1], alpha: -0.7) }
    }

    @Test func unary() throws {
        try gradCheck([[5]]) { try $0[0].exp() }
        try gradCheck([[5]], positive: true) { try $0[0].log() }
        try gradCheck([[5]], positive: true) { try $0[0].sqrt() }
        try gradCheck([[5]], positive: true) { try $0[0].rsqrt() }
        try gradCheck([[5]]) { try $0[0].square() }
        try gradCheck([[5]], positive: true) { try reciprocal($0[0]) }
        try gradCheck([[5]], positive: true) { try $0[0].abs() }
        try gradCheck([[5]]) { try $0[0].sin() + $0[0].cos() }
        try gradCheck([[5]]) { try $0[0].erf() }
        try gradCheck([[5]]) { try $0[0].clamp(min: -0.5, max: 0.5) }
        try gradCheck([[2, 3], [2, 3]]) { try maximum($0[0], $0[1]) + minimum($0[0], $0[1]) * 2 }
        try gradCheck([[2, 3], [2, 3]]) { try `where`($0[0].gt($0[1]), $0[0], $0[1] * 3) }
    }

    @Test func activations() throws {
        try gradCheck([[2, 5]]) { try $0[0].tanh() }
        try gradCheck([[2, 5]]) { try $0[0].sigmoid() }
        try gradCheck([[2, 5]], positive: true) { try $0[0].relu() }
        try gradCheck([[2, 5]]) { try $0[0].leakyRelu(0.2) }
        try gradCheck([[2, 5]]) { try $0[0].elu() }
        try gradCheck([[2, 5]]) { try $0[0].gelu() }
        try gradCheck([[2, 5]]) { try $0[0].silu() }
        try gradCheck([[2, 5]]) { try $0[0].softplus() }
        try gradCheck([[2, 3, 2, 2], [3]]) { try $0[0].prelu($0[1]) }
        try gradCheck([[2, 5]]) { try $0[0].softmax(dim: 1) }
        try gradCheck([[2, 5]]) { try $0[0].logSoftmax(dim: -1) }
    }

    @Test func reductions() throws {
        try gradCheck([[2, 3, 4]]) { try $0[0].sum() }
        try gradCheck([[2, 3, 4]]) { try $0[0].sum(dims: [1], keepDim: true) }
        try gradCheck([[2, 3, 4]]) { try $0[0].mean(dims: [1, 2]) }
        try gradCheck([[2, 3, 4]]) { try $0[0].mean() }
        try gradCheck([[2, 3, 4]]) { try $0[0].variance(dims: [2], correction: 0) }
        try gradCheck([[2, 3, 4]]) { try $0[0].std(dims: [1, 2], correction: 1) }
        try gradCheck([[2, 3, 4]]) { try $0[0].amax(dims: [2]) }
        try gradCheck([[2, 3, 4]]) { try $0[0].max(dim: 1).values }
        try gradCheck([[2, 3, 4]]) { try $0[0].logsumexp(dims: [1]) }
        try gradCheck([[2, 3, 4]]) { try $0[0].norm(2, dims: [1]) }
        try gradCheck([[2, 3, 4]]) { try $0[0].cumsum(dim: 2) }
    }

    @Test func shapeAndIndexing() throws {
        try gradCheck([[2, 3, 4]]) { try $0[0].reshape([4, 6]).transpose(0, 1).permute([1, 0]) }
        try gradCheck([[2, 3, 4]]) { try $0[0].slice(2, start: 1, end: 4, step: 2).narrow(1, start: 1, length: 2) }
        try gradCheck([[2, 3, 4]]) { try $0[0].select(1, 2).unsqueeze(0).flatten() }
        try gradCheck([[2, 3], [2, 3]]) { try cat([$0[0], $0[1]], dim: 1) }
        try gradCheck([[2, 3], [2, 3]]) { try stack([$0[0], $0[1]], dim: 0) }
        try gradCheck([[1, 3]]) { try $0[0].expand([4, 3]) }
        try gradCheck([[2, 3]]) { try $0[0].repeated([2, 2]) }
        try gradCheck([[1, 2, 3, 4]]) { try $0[0].flip([3]).rot90(1).roll([1], dims: [2]) }
        try gradCheck([[4, 3]]) { try $0[0].indexSelect(0, Tensor([Int64(3), 0, 3], shape: [3])) }
        try gradCheck([[2, 3]]) { try $0[0].gather(1, Tensor([Int64(2), 0, 1, 1], shape: [2, 2])) }
        try gradCheck([[4, 3]]) { try $0[0].index([Tensor([Int64(1), 3], shape: [2])]) }
        try gradCheck([[6]]) { try $0[0].split(2).last!.chunk(2).first! }
        try gradCheck([[2, 3]]) { try $0[0].maskedFill($0[0].gt(0.2), 0) }
    }

    @Test func padding() throws {
        try gradCheck([[1, 2, 3, 4]]) { try $0[0].pad([1, 2, 0, 1]) }
        try gradCheck([[1, 2, 3, 4]]) { try $0[0].pad([2, 1, 1, 2], mode: .reflect) }
        try gradCheck([[1, 2, 3, 4]]) { try $0[0].pad([1, 1, 2, 0], mode: .replicate) }
        try gradCheck([[1, 2, 3, 4]]) { try $0[0].pad([1, 1, 1, 1], mode: .circular) }
    }

    @Test func convolutions() throws {
        try gradCheck([[2, 3, 6, 5], [4, 3, 3, 3], [4]]) { try conv2d($0[0], weight: $0[1], bias: $0[2], padding: [1, 1]) }
        try gradCheck([[1, 2, 7, 7], [3, 2, 3, 3]]) { try conv2d($0[0], weight: $0[1], stride: [2, 2], padding: [1, 0]) }
        try gradCheck([[1, 2, 7, 7], [2, 2, 3, 3]]) { try conv2d($0[0], weight: $0[1], padding: [2, 2], dilation: [2, 2]) }
        try gradCheck([[1, 4, 5, 5], [4, 1, 3, 3], [4]]) { try conv2d($0[0], weight: $0[1], bias: $0[2], padding: [1, 1], groups: 4) }
        try gradCheck([[1, 4, 5, 5], [6, 2, 3, 3]]) { try conv2d($0[0], weight: $0[1], groups: 2) }
        try gradCheck([[1, 3, 4, 4], [3, 2, 3, 3], [2]]) {
            try convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: [2, 2], padding: [1, 1], outputPadding: [1, 1])
        }
        try gradCheck([[3, 5], [4, 5], [4]]) { try linear($0[0], weight: $0[1], bias: $0[2]) }
        try gradCheck([[2, 3, 4], [4, 2]]) { try matmul($0[0], $0[1]) }
        try gradCheck([[2, 3, 4], [2, 4, 2]]) { try bmm($0[0], $0[1]) }
    }

    @Test func pooling() throws {
        try gradCheck([[1, 2, 6, 6]]) { try maxPool2d($0[0], kernel: [2, 2]) }
        try gradCheck([[1, 2, 7, 7]]) { try maxPool2d($0[0], kernel: [3, 3], stride: [2, 2], padding: [1, 1]) }
        try gradCheck([[1, 2, 6, 6]]) { try avgPool2d($0[0], kernel: [3, 3], stride: [2, 2], padding: [1, 1]) }
        try gradCheck([[1, 2, 7, 5]]) { try adaptiveAvgPool2d($0[0], outputSize: [3, 2]) }
    }

    @Test func normalization() throws {
        try gradCheck([[2, 3, 4, 4], [3], [3]]) { try instanceNorm($0[0], weight: $0[1], bias: $0[2], eps: 1e-3) }
        try gradCheck([[3, 2, 3, 3], [2], [2]]) {
            try batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: nil, runningVar: nil, training: true)
        }
        try gradCheck([[2, 3, 4], [4], [4]]) { try layerNorm($0[0], shape: [4], weight: $0[1], bias: $0[2]) }
        try gradCheck([[2, 4, 3, 3], [4], [4]]) { try groupNorm($0[0], groups: 2, weight: $0[1], bias: $0[2]) }
    }

    @Test func resampling() throws {
        try gradCheck([[1, 2, 3, 4]]) { try interpolate($0[0], size: [5, 7], mode: .bilinear(alignCorners: false)) }
        try gradCheck([[1, 2, 3, 4]]) { try interpolate($0[0], scale: [2, 2], mode: .bilinear(alignCorners: true)) }
        try gradCheck([[1, 2, 3, 4]]) { try interpolate($0[0], size: [6, 8], mode: .bicubic(alignCorners: false)) }
        try gradCheck([[1, 2, 3, 4]]) { try interpolate($0[0], scale: [2, 2], mode: .nearest) }
        try gradCheck([[1, 8, 2, 3]]) { try pixelShuffle($0[0], factor: 2) }
        try gradCheck([[1, 2, 4, 6]]) { try pixelUnshuffle($0[0], factor: 2) }
    }
}

@Suite struct GradCheckSelfTest {
    /// d(x·detach(x))/dx is x to autograd but 2x numerically: the checker must object.
    @Test func detectsAWrongGradient() throws {
        withKnownIssue("gradCheck must flag a gradient autograd gets wrong") {
            try gradCheck([[4]]) { try $0[0] * $0[0].detach() }
        }
    }
}
