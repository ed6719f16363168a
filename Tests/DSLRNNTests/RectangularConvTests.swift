import DSLRTensor
import Testing
@testable import DSLRNN

@Suite struct RectangularConvTests {
    /// A k×1 kernel equals a k×k kernel that is zero outside its middle column, so the
    /// comparison checks kernel layout, per-dim stride, padding and dilation at once.
    @Test func columnKernelEqualsASquareKernelWithZeroSideColumns() throws {
        Torch.manualSeed(3)
        let column = try Conv2d(4, 6, kernelSize: (3, 1), stride: (2, 1), padding: .explicit(2, 0), dilation: (2, 1))
        #expect(column.weight.shape == [6, 4, 3, 1])
        var square = try Conv2d(4, 6, kernelSize: (3, 3), stride: (2, 1), padding: .explicit(2, 1), dilation: (2, 1))
        let zeros = try Tensor.zeros([6, 4, 3, 1])
        square.weight = try cat([zeros, column.weight, zeros], dim: 3)
        square.bias = column.bias
        let x = try Tensor.rand([2, 4, 11, 9])
        let a = try column(x), b = try square(x)
        #expect(a.shape == [2, 6, 6, 9])
        #expect(try (a - b).abs().max().item() < 1e-6)
    }

    /// TensorFlow 'SAME' per dim: output ceil(size / stride) along each.
    @Test func sameRowKernelWithUnequalStrides() throws {
        let conv = try Conv2d(1, 2, kernelSize: (1, 5), stride: (1, 2), padding: .same)
        let y = try conv(try Tensor.rand([1, 1, 7, 9]))
        #expect(y.shape == [1, 2, 7, 5])
    }

    @Test func badSizesThrowInsteadOfStopping() {
        #expect(throws: TorchError.self) { try Conv2d(3, 4, kernelSize: (0, 3)) }
        #expect(throws: TorchError.self) { try Conv2d(3, 4, kernel: 3, stride: 0) }
        #expect(throws: TorchError.self) { try Conv2d(3, 4, kernel: 3, groups: 2) }
    }
}
