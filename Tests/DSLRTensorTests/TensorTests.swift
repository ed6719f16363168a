import DSLRTensor
import Testing

@Suite("Tensor basics")
struct TensorTests {
    @Test func roundTripsEveryDType() throws {
        #expect(try Tensor([Float(1.5), -2, 3.25, 0], shape: [2, 2]).toArray(Float.self) == [1.5, -2, 3.25, 0])
        #expect(try Tensor([1.0, -1e-300, 1e300]).toArray(Double.self) == [1.0, -1e-300, 1e300])
        #expect(try Tensor([UInt8(0), 128, 255]).toArray(UInt8.self) == [0, 128, 255])
        #expect(try Tensor([Int8(-128), 0, 127]).toArray(Int8.self) == [-128, 0, 127])
        #expect(try Tensor([Int32.min, 0, Int32.max]).toArray(Int32.self) == [Int32.min, 0, Int32.max])
        #expect(try Tensor([Int64.min, 7, Int64.max]).toArray(Int64.self) == [Int64.min, 7, Int64.max])
        #expect(try Tensor([true, false, true]).toArray(Bool.self) == [true, false, true])
        #expect(try Tensor([Float16(0.5), -65504, 1e-4]).toArray(Float16.self) == [0.5, -65504, 1e-4])
        // bfloat16 keeps 8 significant bits: 1 + 2^-7 survives, 1 + 2^-9 rounds to 1.
        let bf = try Tensor([Float(1 + 1.0 / 128), 1 + 1.0 / 512, -3]).to(.bfloat16)
        #expect(bf.dtype == .bfloat16)
        #expect(try bf.toArray(Float.self) == [1 + 1.0 / 128, 1, -3])
        #expect(try bf.bytes().count == 6)
    }

    @Test func describesItself() throws {
        let t = try Tensor.zeros([2, 3, 4], dtype: .float16)
        #expect(t.shape == [2, 3, 4])
        #expect(t.rank == 3)
        #expect(t.count == 24)
        #expect(t.dtype == .float16)
        #expect(t.device == .cpu)
        #expect(try Tensor(scalar: 4.5).item() == 4.5)
        #expect(try Device("cuda:3") == .cuda(3))
        #expect(try Device("CPU") == .cpu)
        #expect(throws: TorchError.self) { try Device("gpu") }
        #expect(DType(name: "bf16") == .bfloat16)
        #expect(DType(name: "fp32") == .float32)
    }

    @Test func arithmeticBroadcastsAndReduces() throws {
        let a = try Tensor([1.0, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = try Tensor([10.0, 20, 30])
        #expect(try (a + b).toArray(Double.self) == [11, 22, 33, 14, 25, 36])
        #expect(try (a * 2 - 1).toArray(Double.self) == [1, 3, 5, 7, 9, 11])
        #expect(try a.sum(dims: [1]).toArray(Double.self) == [6, 15])
        #expect(try a.mean().item() == 3.5)
        #expect(try a.variance(dims: [1], correction: 0).toArray(Double.self) == [2.0 / 3, 2.0 / 3])
        #expect(try a.transpose(0, 1).contiguous().toArray(Double.self) == [1, 4, 2, 5, 3, 6])
        #expect(try a.max(dim: 1).indices.toArray(Int64.self) == [2, 2])
        #expect(try matmul(a, a.transpose(0, 1)).toArray(Double.self) == [14, 32, 32, 77])
    }

    @Test func shapeMismatchIsAThrownError() throws {
        let a = try Tensor.zeros([2, 3])
        let b = try Tensor.zeros([4, 5])
        do {
            _ = try a + b
            Issue.record("adding [2, 3] and [4, 5] did not throw")
        } catch let error as TorchError {
            #expect(error.message.contains("aten::add.Tensor"))
            #expect(error.message.contains("must match the size"))
            #expect(!error.message.contains("Exception raised from"), "backtrace leaked: \(error.message)")
        }
        let image = try Tensor.zeros([1, 3, 8, 8])
        let weight = try Tensor.zeros([4, 5, 3, 3])
        #expect(throws: TorchError.self) { try conv2d(image, weight: weight) }
        #expect(throws: TorchError.self) { try Tensor([1.0, 2, 3], shape: [2, 2]) }
        #expect(throws: TorchError.self) { try Tensor.zeros([2, 2]).view([3]) }
        #expect(throws: TorchError.self) { try Operator("aten::no_such_op").call(.tensor(a)) }
        #expect(throws: TorchError.self) { try Tensor.zeros([2]).backward() }
        #expect(throws: TorchError.self) { try Tensor.zeros([1]).to(.cuda(0)).to(Device.cuda(7)) }
    }

    @Test func noGradScopeStopsRecording() throws {
        let x = try Tensor([1.0, 2]).requiringGrad()
        #expect(isGradEnabled)
        let inside = try withNoGrad {
            #expect(!isGradEnabled)
            return try x * 3
        }
        #expect(isGradEnabled)
        #expect(!inside.requiresGrad)
        let outside = try x * 3
        #expect(outside.requiresGrad)
        try outside.sum().backward()
        #expect(try x.grad?.toArray(Double.self) == [3, 3])
        try x.setGrad(nil)
        #expect(try x.grad == nil)
        #expect(try !(x * 2).detach().requiresGrad)
    }

    @Test func setDataKeepsIdentity() throws {
        let p = try Tensor([1.0, 2, 3]).requiringGrad()
        try withNoGrad { try p.setData(p.to(.float32)) }
        #expect(p.dtype == .float32)
        #expect(p.requiresGrad)
        #expect(try p.toArray(Float.self) == [1, 2, 3])
    }
}

@Suite("Global generator", .serialized)
struct RandomTests {
    @Test func seedAndStateReproduceDraws() throws {
        do {
            Torch.manualSeed(42)
            let a = try Tensor.randn([5]).toArray(Float.self)
            Torch.manualSeed(42)
            let b = try Tensor.randn([5]).toArray(Float.self)
            #expect(a == b)
            let state = try Torch.rngState()
            let c = try Tensor.rand([4]).toArray(Float.self)
            let d = try Tensor.rand([4]).toArray(Float.self)
            #expect(c != d)
            try Torch.setRNGState(state)
            #expect(try Tensor.rand([4]).toArray(Float.self) == c)
        }
    }
}
