import DSLRTensor
import Testing

/// A direct-definition 2-D convolution (cross-correlation, zero padding), NCHW, float64.
func naiveConv2d(
    input: [Double], inputShape s: [Int], weight: [Double], weightShape k: [Int], bias: [Double]?,
    stride: Int, padding: Int, dilation: Int, groups: Int
) -> (values: [Double], shape: [Int]) {
    let (n, c, h, w) = (s[0], s[1], s[2], s[3])
    let (outC, inPerGroup, kh, kw) = (k[0], k[1], k[2], k[3])
    let oh = (h + 2 * padding - dilation * (kh - 1) - 1) / stride + 1
    let ow = (w + 2 * padding - dilation * (kw - 1) - 1) / stride + 1
    let outPerGroup = outC / groups
    var out = [Double](repeating: 0, count: n * outC * oh * ow)
    for b in 0..<n {
        for o in 0..<outC {
            let g = o / outPerGroup
            for y in 0..<oh {
                for x in 0..<ow {
                    var acc = bias?[o] ?? 0
                    for ci in 0..<inPerGroup {
                        let channel = g * inPerGroup + ci
                        for dy in 0..<kh {
                            for dx in 0..<kw {
                                let iy = y * stride - padding + dy * dilation
                                let ix = x * stride - padding + dx * dilation
                                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                acc += input[((b * c + channel) * h + iy) * w + ix] * weight[((o * inPerGroup + ci) * kh + dy) * kw + dx]
                            }
                        }
                    }
                    out[((b * outC + o) * oh + y) * ow + x] = acc
                }
            }
        }
    }
    return (out, [n, outC, oh, ow])
}

@Suite("conv2d against a naive loop")
struct ConvReferenceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let input: [Int], outChannels: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, groups: Int, bias: Bool
        var testDescription: String {
            "in \(input) out \(outChannels) k\(kernel) s\(stride) p\(padding) d\(dilation) g\(groups)\(bias ? " +bias" : "")"
        }
    }

    static let cases: [Case] = [
        Case(input: [1, 1, 5, 5], outChannels: 1, kernel: 3, stride: 1, padding: 0, dilation: 1, groups: 1, bias: false),
        Case(input: [2, 3, 7, 6], outChannels: 4, kernel: 3, stride: 1, padding: 1, dilation: 1, groups: 1, bias: true),
        Case(input: [1, 2, 9, 8], outChannels: 3, kernel: 3, stride: 2, padding: 1, dilation: 1, groups: 1, bias: true),
        Case(input: [1, 2, 9, 9], outChannels: 2, kernel: 3, stride: 1, padding: 2, dilation: 2, groups: 1, bias: false),
        Case(input: [1, 4, 6, 6], outChannels: 6, kernel: 3, stride: 1, padding: 1, dilation: 1, groups: 2, bias: true),
        Case(input: [2, 4, 6, 5], outChannels: 4, kernel: 3, stride: 1, padding: 1, dilation: 1, groups: 4, bias: true),
        Case(input: [1, 3, 11, 11], outChannels: 2, kernel: 5, stride: 3, padding: 2, dilation: 1, groups: 1, bias: true),
        Case(input: [1, 2, 10, 10], outChannels: 2, kernel: 9, stride: 1, padding: 4, dilation: 1, groups: 1, bias: false),
    ]

    @Test(arguments: cases)
    func matchesNaiveLoop(_ c: Case) throws {
        let weightShape = [c.outChannels, c.input[1] / c.groups, c.kernel, c.kernel]
        // Deterministic inputs without the global generator, so parallel tests cannot disturb them.
        let inputValues: [Double] = (0..<c.input.reduce(1, *)).map { (i: Int) -> Double in Double((i * 37 + 11) % 23) / 11 - 1 }
        let weightValues: [Double] = (0..<weightShape.reduce(1, *)).map { (i: Int) -> Double in Double((i * 53 + 5) % 19) / 9 - 1 }
        let biasValues: [Double]? = c.bias ? (0..<c.outChannels).map { (i: Int) -> Double in Double(i) * 0.25 - 0.5 } : nil
        let biasTensor: Tensor? = try biasValues.map { try Tensor($0) }
        let expected = naiveConv2d(
            input: inputValues, inputShape: c.input, weight: weightValues, weightShape: weightShape, bias: biasValues,
            stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
        let y = try conv2d(
            Tensor(inputValues, shape: c.input), weight: Tensor(weightValues, shape: weightShape),
            bias: biasTensor, stride: [c.stride, c.stride], padding: [c.padding, c.padding],
            dilation: [c.dilation, c.dilation], groups: c.groups)
        #expect(y.shape == expected.shape)
        let got = try y.toArray(Double.self)
        var worst = 0.0
        for (a, b) in zip(got, expected.values) { worst = max(worst, abs(a - b)) }
        #expect(worst < 1e-12, "max abs difference \(worst)")
    }
}
