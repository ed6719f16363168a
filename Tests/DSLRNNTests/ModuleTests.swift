import DSLRNN
import DSLRTensor
import Foundation
import Testing

struct ResidualBlock: Module {
    var conv1: Conv2d
    var norm1: InstanceNorm2d
    var conv2: Conv2d
}

struct Generator: Module {
    var head: Conv2d
    var resBlocks: [ResidualBlock]
    var bn: BatchNorm2d
    var extra: Linear?
    let channels = 4  // not a tensor: ignored
}

struct Wrapper: Module {
    var generator: Generator
}

func makeWrapper(extra: Bool = false) throws -> Wrapper {
    let block = { try ResidualBlock(conv1: Conv2d(4, 4, kernel: 3), norm1: InstanceNorm2d(4), conv2: Conv2d(4, 4, kernel: 3, bias: false)) }
    return Wrapper(generator: Generator(
        head: try Conv2d(3, 4, kernel: 3), resBlocks: [try block(), try block()], bn: try BatchNorm2d(4),
        extra: extra ? try Linear(2, 2) : nil))
}

@Suite("Modules")
struct ModuleTests {
    @Test func namesAreStableDottedAndSnakeCase() throws {
        let model = try makeWrapper()
        #expect(model.stateDict().map(\.0) == [
            "generator.head.weight", "generator.head.bias",
            "generator.res_blocks.0.conv1.weight", "generator.res_blocks.0.conv1.bias",
            "generator.res_blocks.0.norm1.weight", "generator.res_blocks.0.norm1.bias",
            "generator.res_blocks.0.conv2.weight",
            "generator.res_blocks.1.conv1.weight", "generator.res_blocks.1.conv1.bias",
            "generator.res_blocks.1.norm1.weight", "generator.res_blocks.1.norm1.bias",
            "generator.res_blocks.1.conv2.weight",
            "generator.bn.weight", "generator.bn.bias", "generator.bn.running_mean", "generator.bn.running_var",
        ])
        #expect(model.namedBuffers().map(\.0) == ["generator.bn.running_mean", "generator.bn.running_var"])
        // 3*4*9+4 + 2*(4*4*9+4 + 4+4 + 4*4*9) + 4+4
        #expect(model.parameterCount == 112 + 2 * 300 + 8)
        #expect(try makeWrapper(extra: true).namedParameters().map(\.0).contains("generator.extra.weight"))
    }

    @Test func trainAndEvalSwitchBatchNorm() throws {
        let model = try makeWrapper()
        let x = try Tensor.randn([2, 4, 5, 5]) * 3 + 1
        let training = try model.generator.bn(x)
        // Training uses batch statistics and moves the running mean towards them.
        #expect(try abs(training.mean().item()) < 1e-5)
        #expect(try model.generator.bn.runningMean.tensor.abs().sum().item() > 0)
        model.eval()
        #expect(model.generator.bn.mode.training == false)
        let evaluated = try model.generator.bn(x)
        #expect(try abs(evaluated.mean().item()) > 0.1)
        model.train()
        #expect(model.generator.bn.mode.training)
    }

    @Test func moveKeepsTensorIdentity() throws {
        let model = try makeWrapper()
        let head = model.generator.head.weight
        var optimizer = Adam(model.namedParameters())
        try model.move(to: .cpu, dtype: .float64)
        #expect(head.dtype == .float64)
        #expect(model.generator.bn.runningMean.tensor.dtype == .float64)
        // The optimizer holds the same tensors, so it updates the moved weights.
        let before = try head.toArray(Double.self)
        try conv2dLoss(model).backward()
        try optimizer.step()
        #expect(try head.toArray(Double.self) != before)
    }

    func conv2dLoss(_ model: Wrapper) throws -> Tensor {
        try model.generator.head(Tensor.randn([1, 3, 6, 6], dtype: .float64)).square().mean()
    }

    @Test func loadReportsEveryProblemByNameAndLoadsNothingOnError() throws {
        let target = try makeWrapper()
        let original = try target.generator.head.weight.toArray(Float.self)
        var state = try makeWrapper().stateDict()
        state.removeAll { $0.0 == "generator.bn.bias" }
        state.append(("generator.tail.weight", try Tensor.zeros([1])))
        state = try state.map { $0.0 == "generator.res_blocks.1.conv1.weight" ? ($0.0, try Tensor.zeros([4, 4, 5, 5])) : $0 }
        do {
            try target.load(state, source: "bad.safetensors")
            Issue.record("a mismatched state dict loaded")
        } catch let report as StateDictMismatch {
            #expect(report.missing == ["generator.bn.bias"])
            #expect(report.unexpected == ["generator.tail.weight"])
            #expect(report.shapeMismatches == [.init(name: "generator.res_blocks.1.conv1.weight", expected: [4, 4, 3, 3], found: [4, 4, 5, 5])])
            #expect(report.description.hasPrefix("bad.safetensors: missing generator.bn.bias"))
            #expect(!report.description.contains("\n"))
        }
        #expect(try target.generator.head.weight.toArray(Float.self) == original)

        // Non-strict loading tolerates missing / unexpected names but still refuses shape mismatches.
        let source = try makeWrapper()
        var partial = source.stateDict().filter { $0.0 != "generator.bn.bias" }
        partial.append(("generator.tail.weight", try Tensor.zeros([1])))
        let tolerated = try target.load(partial, strict: false)
        #expect(tolerated.missing == ["generator.bn.bias"])
        #expect(try target.generator.head.weight.equal(source.generator.head.weight))
    }

    @Test func samePaddingFollowsTensorFlow() throws {
        #expect(samePadding(size: 10, kernel: 11, stride: 4) == (4, 5))
        #expect(samePadding(size: 100, kernel: 9, stride: 1) == (4, 4))
        #expect(samePadding(size: 7, kernel: 3, stride: 2) == (1, 1))
        #expect(samePadding(size: 8, kernel: 3, stride: 2) == (0, 1))
        let conv = try Conv2d(1, 1, kernel: 11, stride: 4, padding: .same)
        let x = try Tensor.randn([1, 1, 10, 10])
        let y = try conv(x)
        #expect(y.shape == [1, 1, 3, 3])
        let manual = try conv2d(x.pad([4, 5, 4, 5]), weight: conv.weight, bias: conv.bias, stride: [4, 4])
        #expect(try y.equal(manual))
    }

    @Test func initializersHaveTheirDistributions() throws {
        let t = try Initializer.truncatedNormal(std: 0.01).make([200, 200], fanIn: 1, fanOut: 1)
        #expect(try t.abs().max().item() <= 0.02)
        // A normal truncated at ±2σ has standard deviation 0.8796σ.
        #expect(try abs(t.std(dims: [0, 1]).item() - 0.008796) < 0.0002)
        let u = try Initializer.pytorchDefault.make([64, 100], fanIn: 100, fanOut: 64)
        #expect(try u.abs().max().item() <= 0.1)
        #expect(try u.abs().max().item() > 0.099)
        #expect(u.requiresGrad)
    }
}
