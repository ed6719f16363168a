import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRModels

/// PyNET against PyNET-PyTorch's own model.py (scripts/fixtures/make_pynet_fixture.py): the
/// same hashed weights, loaded by PyNET-PyTorch's state-dict names, give every level's output
/// on a packed-Bayer input to 1e-4.
@Suite struct PyNETTests {
    let reference: [String: Tensor]
    let metadata: [String: String]

    init() throws {
        guard let url = Bundle.module.url(forResource: "Fixtures/pynet_reference.safetensors", withExtension: nil) else {
            throw TorchError("fixture pynet_reference.safetensors is missing")
        }
        let file = try Checkpoint.load(url)
        reference = Dictionary(uniqueKeysWithValues: file.tensors)
        metadata = file.metadata
    }

    /// The reference's weights, by name, for a network with PyNET's default width.
    func hashedState(for network: PyNET) throws -> [(String, Tensor)] {
        let names = try JSONDecoder().decode([String].self, from: Data(try #require(metadata["names"]).utf8))
        let scales = try #require(reference["hash_scale"]).toArray(Double.self)
        let offsets = try #require(reference["hash_offset"]).toArray(Double.self)
        let shapes = Dictionary(uniqueKeysWithValues: network.stateDict().map { ($0.0, $0.1.shape) })
        return try names.enumerated().map { k, name in
            guard let shape = shapes[name] else { throw TorchError("PyNET has no parameter \(name)") }
            return (name, try hashed(shape, salt: 7919 * k, scale: scales[k], offset: offsets[k]))
        }
    }

    @Test func everyLevelMatchesPyNETPyTorch() throws {
        let network = try PyNET()
        let state = try hashedState(for: network)
        // Strict: the names and shapes are exactly PyNET-PyTorch's.
        try network.load(state, source: "hashed PyNET weights")
        #expect(network.parameters().map(\.count).reduce(0, +) == Int(try #require(metadata["parameters"])))
        let input = try #require(reference["input"])
        let outputs = try withNoGrad { try network.outputs(input, downTo: 0) }
        #expect(outputs.count == 6)
        for (index, level) in (0...5).reversed().enumerated() {
            let expected = try #require(reference["level_\(level)"])
            #expect(outputs[index].shape == expected.shape)
            let error = try maxAbsDiff(outputs[index], expected)
            print("PyNET level \(level) vs PyTorch: max abs error \(error), output std \(try expected.flatten().std(dims: [0]).item())")
            #expect(error < 1e-4)
        }
        // One level alone runs only the levels it needs and gives the same values.
        let level2 = try withNoGrad { try network.forward(input, level: 2) }
        #expect(try maxAbsDiff(level2, #require(reference["level_2"])) < 1e-4)
    }

    @Test func architectureTakesPackedBayerAndDoublesIt() throws {
        let architecture = try Architectures.named("pynet")
        let contract = try architecture.contract()
        #expect(contract.inputChannels == 4 && contract.inputEncoding == .packedBayer)
        #expect(contract.outputScale == 2 && contract.sizeMultiple == 16)
        #expect(try architecture.contract(["level": .text("1")]).outputScale == 1)
        let small = try architecture.build(["width": .number(4)])
        let out = try withNoGrad { try small(Tensor.rand([1, 4, 32, 48])) }
        #expect(out.shape == [1, 3, 64, 96])
        #expect(throws: TorchError.self) { try small(Tensor.rand([1, 4, 24, 32])) }
        #expect(throws: (any Error).self) { try architecture.build(["width": .number(3)]) }
    }
}
