import DSLRNN
import DSLRTensor
import Foundation
import Testing

@testable import DSLRImport

/// The state dict of scripts/fixtures/make_torch_fixture.py's `state_dict()`, in its order.
private let dtypeNames = [
    "conv.weight", "conv.bias", "norm.weight", "norm.bias", "norm.running_mean", "norm.running_var",
    "norm.num_batches_tracked", "f32", "f16", "bf16", "f64", "i64", "i32", "i16", "i8", "u8", "mask",
    "transposed", "every_other", "shared_head", "shared_tail", "scalar", "empty",
]

/// Every tensor equals the expected one exactly: names in order, dtype, shape and bytes.
func expectSameTensors(_ got: [(name: String, tensor: Tensor)], _ expectedFile: String, names: [String]) throws {
    let expected = Dictionary(uniqueKeysWithValues: try Checkpoint.load(fixture("torch/\(expectedFile)")).tensors)
    #expect(got.map(\.name) == names)
    for (name, tensor) in got {
        let want = try #require(expected[name], "no expected tensor \(name)")
        #expect(tensor.dtype == want.dtype && tensor.shape == want.shape, "\(name): \(tensor.dtype) \(tensor.shape)")
        #expect(try tensor.bytes() == want.bytes(), "\(name) differs")
    }
}

@Suite struct TorchCheckpointTests {
    @Test func readsEveryDTypeViewAndSharedStorage() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: fixture("torch/dtypes.pth"))
        #expect(checkpoint.stateDictKey == nil && checkpoint.skipped.isEmpty)
        try expectSameTensors(checkpoint.tensors, "dtypes_expected.safetensors", names: dtypeNames)
        // The formulas of the fixture script, so the expected file is checked too.
        let tensors = Dictionary(uniqueKeysWithValues: checkpoint.tensors.map { ($0.name, $0.tensor) })
        let transposed = try #require(tensors["transposed"])
        #expect(transposed.shape == [4, 3])
        #expect(try transposed.toArray(Float.self) == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11].map { (Float($0) - 5) * 0.25 })
        #expect(try tensors["every_other"]?.toArray(Float.self) == [1, 3, 5, 7, 9].map { (Float($0) - 5) * 0.25 })
        #expect(try tensors["shared_head"]?.toArray(Float.self) == [3, 4.5, 6, 7.5])
        #expect(tensors["shared_tail"]?.shape == [2, 4])
        #expect(try tensors["shared_tail"]?.toArray(Float.self) == [8, 10, 12, 14, 9, 11, 13, 15].map { Float($0) * 1.5 })
        #expect(try tensors["i64"]?.toArray(Int64.self) == [-1, 0, 1 << 40, -(1 << 62)])
        #expect(try tensors["mask"]?.toArray(Bool.self) == [true, false, false, true])
        #expect(try tensors["bf16"]?.toArray(Float.self) == [-1.25, -1, -0.75, -0.5])
        #expect(tensors["scalar"]?.shape == [] && tensors["empty"]?.shape == [0, 3])
    }

    /// The same state dict nested under "state_dict" beside an epoch, an optimizer and a list;
    /// pickled with protocol 5; DEFLATE-compressed; with ZIP64 records.
    @Test(arguments: ["nested.pth", "protocol5.pth", "deflated.pth", "zip64.pth"])
    func sameTensorsFromEveryVariant(file: String) throws {
        let checkpoint = try TorchCheckpoint(contentsOf: fixture("torch/\(file)"))
        try expectSameTensors(checkpoint.tensors, "dtypes_expected.safetensors", names: dtypeNames)
        #expect(checkpoint.stateDictKey == (file == "nested.pth" ? "state_dict" : nil))
        #expect(checkpoint.skipped.isEmpty)
    }

    @Test func parametersAreReadAsTheirTensors() throws {
        let tensors = try TorchCheckpoint.read(fixture("torch/parameters.pth"))
        #expect(tensors.map(\.name) == ["conv.weight", "conv.bias", "norm.weight", "norm.bias"])
        #expect(try tensors[0].tensor.toArray(Float.self) == (0..<24).map { (Float($0) - 5) * 0.25 })
        #expect(try tensors[1].tensor.toArray(Float.self) == [1, -2, 0.5])
    }

    @Test func aNamedKeyPicksThatDictAndSkipsWhatIsNotATensor() throws {
        let nested = try fixture("torch/nested.pth")
        let explicit = try TorchCheckpoint(contentsOf: nested, key: "state_dict")
        #expect(explicit.stateDictKey == "state_dict" && explicit.tensors.count == dtypeNames.count)
        let optimizer = try TorchCheckpoint(contentsOf: nested, key: "optimizer")
        #expect(optimizer.tensors.isEmpty && optimizer.skipped == ["state", "param_groups"])
        let error = try #require(throws: TorchCheckpointError.self) { try TorchCheckpoint(contentsOf: nested, key: "epoch") }
        #expect(error.kind == .notAStateDict)
        #expect(error.reason == "holds an int under 'epoch', not a dict (its keys: 'epoch', 'state_dict', 'optimizer', 'best')")
    }

    /// Size (1, 2, 3), strides (2⁶², 1, 2): a size-1 dimension's stride is never stepped.
    @Test func anyStrideOfASizeOneDimensionIsAccepted() throws {
        let tensors = try TorchCheckpoint.read(fixture("torch/forged_odd_strides.pth"))
        #expect(tensors.first?.tensor.shape == [1, 2, 3])
        #expect(try tensors.first?.tensor.toArray(Float.self) == [1, 3, 5, 2, 4, 6])
    }

    @Test func theCompactTwinIsFoundUnderStateDict() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: fixture("torch/compact.pth"))
        #expect(checkpoint.stateDictKey == "state_dict" && checkpoint.skipped.isEmpty)
        // PyTorch lists a module's own buffers before its children's parameters.
        let names = ["dilation_table", "conv_in.weight", "conv_in.bias"]
            + (0..<2).flatMap { b in ["conv.weight", "conv.bias", "mix.weight", "mix.bias"].map { "blocks.\(b).\($0)" } }
            + ["conv_out.weight", "conv_out.bias"]
        try expectSameTensors(checkpoint.tensors, "compact_expected.safetensors", names: names)
    }
}
