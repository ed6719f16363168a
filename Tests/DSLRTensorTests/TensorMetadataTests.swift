import Testing

@testable import DSLRTensor

/// A complex64 tensor [2] made without the operator results' dtype check: the kind of
/// handle whose `dtype` (and so `description`) used to stop the process.
private func complexTensor() throws -> Tensor {
    let real = try Tensor([Float(1), 2, 3, 4], shape: [2, 2])
    let results = try Operator("aten::view_as_complex").callUnchecked([.tensor(real)])
    guard case .tensor(let tensor?) = results.first else { throw TorchError("view_as_complex returned no tensor") }
    return tensor
}

@Suite struct TensorMetadataTests {
    @Test func supportedTensorsDescribeThemselves() throws {
        let x = try Tensor.zeros([2, 3], dtype: .float64)
        #expect(try x.metadata() == TensorMetadata(shape: [2, 3], dtype: .float64, device: .cpu))
        #expect(x.shape == [2, 3] && x.rank == 2 && x.count == 6 && x.dtype == .float64 && x.device == .cpu)
        #expect(try Tensor(scalar: Float(2)).metadata().shape == [])
    }

    /// Operators returning a dtype DSLRKit does not model now throw where the tensor is made.
    @Test func unsupportedOperatorResultsAreErrors() throws {
        let real = try Tensor([Float(1), 2, 3, 4], shape: [2, 2])
        let error = #expect(throws: TorchError.self) { try Operator("aten::view_as_complex").call(.tensor(real)) }
        #expect(error?.message.hasPrefix("aten::view_as_complex: ") == true, "\(String(describing: error))")
        #expect(error?.message.contains("complex64") == true)
        #expect(error?.kind == .internal)
    }

    /// A handle that slipped past that check: the accessors answer, `metadata()` says why not.
    @Test func unsupportedHandlesNeverTrap() throws {
        let z = try complexTensor()
        #expect(z.dtype == .float32)
        #expect(z.shape == [2] && z.rank == 1 && z.count == 2 && z.device == .cpu)
        let error = #expect(throws: TorchError.self) { try z.metadata() }
        #expect(error?.message.contains("dtype code 9 (complex64)") == true, "\(String(describing: error))")
        #expect(z.description.hasPrefix("Tensor(") && z.description.contains("complex64"))
        #expect(throws: TorchError.self) { try z.bytes() }
        #expect(throws: TorchError.self) { try z.toArray(Float.self) }
        #expect(throws: TorchError.self) { try z.item() }
    }

    @Test func errorKindsMapToHTTPStatuses() throws {
        let statuses = ErrorKind.allCases.map(\.httpStatus)
        #expect(statuses == [400, 404, 422, 413, 415, 503, 500])
        #expect(ErrorKind(of: TorchError("x")) == .internal)
        #expect(ErrorKind(of: TorchError("x", kind: .busy)) == .busy)
        struct Plain: Error {}
        #expect(ErrorKind(of: Plain()) == .internal)
        let badDevice = try #require(throws: TorchError.self) { try Device("gpu") }
        #expect(ErrorKind(of: badDevice) == .badArgument)
    }
}
