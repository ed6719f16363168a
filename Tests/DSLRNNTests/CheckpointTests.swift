import DSLRNN
import DSLRTensor
import Foundation
import SafeTensors
import Testing

@Suite("Checkpoints")
struct CheckpointTests {
    @Test func everyEngineDTypeRoundTripsThroughAFile() throws {
        let dir = try temporaryDirectory()
        let url = dir.appendingPathComponent("all.safetensors")
        let tensors: [(String, Tensor)] = [
            ("f32", try Tensor([Float(1.5), -2, 1e-30], shape: [3])),
            ("f64", try Tensor([Double.pi, -1e300], shape: [2, 1])),
            ("f16", try Tensor([Float16(0.5), -65504], shape: [2])),
            ("bf16", try Tensor([Float(1 + 1.0 / 128), -3], shape: [2]).to(.bfloat16)),
            ("u8", try Tensor([UInt8(0), 255], shape: [1, 2])),
            ("i8", try Tensor([Int8(-128), 127])),
            ("i16", try Tensor([Int16(-300), 300])),
            ("i32", try Tensor([Int32.min, Int32.max])),
            ("i64", try Tensor([Int64.min, Int64.max])),
            ("bool", try Tensor([true, false, true])),
            ("scalar", try Tensor(scalar: Float(7))),
            ("empty", try Tensor.zeros([0, 3])),
        ]
        try Checkpoint.save(tensors, metadata: ["note": "round trip"], to: url)
        let (loaded, metadata) = try Checkpoint.load(url)
        #expect(metadata["note"] == "round trip")
        #expect(loaded.map(\.0) == tensors.map(\.0))
        for ((name, a), (_, b)) in zip(tensors, loaded) {
            #expect(a.dtype == b.dtype, "\(name)")
            #expect(a.shape == b.shape, "\(name)")
            #expect(try a.bytes() == b.bytes(), "\(name)")
        }
        // Bytes land where the format says: f32 [1.5, -2, 1e-30] little-endian first.
        let raw = try SafeTensorsFile(contentsOf: url)
        #expect(raw["f32"]?.data == Data([Float(1.5), -2, 1e-30].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }))
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func moduleSavesAndLoadsByName() throws {
        let dir = try temporaryDirectory()
        let url = dir.appendingPathComponent("mlp.safetensors")
        let a = try MLP()
        try a.save(to: url)
        let b = try MLP()
        #expect(try !b.l1.weight.equal(a.l1.weight))
        try b.load(contentsOf: url)
        for ((na, ta), (nb, tb)) in zip(a.stateDict(), b.stateDict()) {
            #expect(na == nb)
            #expect(try ta.equal(tb), "\(na)")
        }
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func malformedCheckpointIsAClearErrorAndLoadsNothing() throws {
        let dir = try temporaryDirectory()
        let url = dir.appendingPathComponent("broken.safetensors")
        let model = try MLP()
        try model.save(to: url)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 10).write(to: url)
        let before = try model.l3.bias!.toArray(Float.self)
        do {
            try model.load(contentsOf: url)
            Issue.record("a truncated checkpoint loaded")
        } catch {
            #expect("\(error)".contains("broken.safetensors"))
        }
        #expect(try model.l3.bias!.toArray(Float.self) == before)
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func pythonWrittenFileLoadsIntoTensors() throws {
        let (tensors, metadata) = try Checkpoint.load(fixture("adam_mlp.safetensors"))
        #expect(metadata["torch"] == "2.13.0+cpu")
        let byName = Dictionary(uniqueKeysWithValues: tensors)
        #expect(byName["x"]?.shape == [64, 2])
        #expect(byName["init.l1.weight"]?.dtype == .float64)
        // y = sin(3 x0) cos(2 x1), recomputed here from x.
        let x = try #require(byName["x"])
        let y = try x.select(1, 0).unsqueeze(1) * 3
        let expected = try y.sin() * (x.select(1, 1).unsqueeze(1) * 2).cos()
        #expect(try expected.allClose(#require(byName["y"]), rtol: 1e-12, atol: 1e-14))
    }
}
