import DSLRTensor
import Foundation
import SafeTensors

extension DType {
    /// The safetensors code for this dtype.
    public var safeTensorsDType: SafeTensorsDType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .int64: .int64
        case .float16: .float16
        case .bfloat16: .bfloat16
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        }
    }

    /// The engine dtype for a safetensors code, nil for ones the engine does not hold.
    public init?(_ code: SafeTensorsDType) {
        guard let match = DType.allCases.first(where: { $0.safeTensorsDType == code }) else { return nil }
        self = match
    }
}

extension SafeTensor {
    /// The tensor's bytes as a safetensors entry (copied to the CPU).
    public init(name: String, tensor: Tensor) throws {
        let bytes = try tensor.bytes()
        try self.init(name: name, dtype: tensor.dtype.safeTensorsDType, shape: tensor.shape, data: Data(bytes))
    }

    /// A CPU tensor holding this entry's values.
    public func tensor(source: String = "") throws -> Tensor {
        guard let dtype = DType(dtype) else {
            throw TorchError("\(source.isEmpty ? "" : source + ": ")tensor '\(name)' has dtype \(self.dtype.rawValue), which DSLRKit's engine does not hold")
        }
        return try data.withUnsafeBytes { try Tensor(bytes: $0, shape: shape, dtype: dtype) }
    }
}

/// Reading and writing named tensors as safetensors files.
public enum Checkpoint {
    /// Writes `tensors` (in order) and string `metadata` atomically to `url`: a crash mid-write
    /// leaves any previous file intact.
    public static func save(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        let entries = try tensors.map { try SafeTensor(name: $0.0, tensor: $0.1) }
        try SafeTensorsFile(tensors: entries, metadata: metadata).write(to: url)
    }

    /// Reads and validates a safetensors file into CPU tensors, in file order.
    public static func load(_ url: URL) throws -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        let file = try SafeTensorsFile(contentsOf: url)
        let tensors = try file.tensors.map { ($0.name, try $0.tensor(source: url.path)) }
        return (tensors, file.metadata)
    }
}

extension Module {
    /// Saves parameters and buffers to a safetensors file, atomically.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try Checkpoint.save(stateDict(), metadata: metadata, to: url)
    }

    /// Loads parameters and buffers from a safetensors file; see `load(_:strict:source:)`.
    @discardableResult
    public func load(contentsOf url: URL, strict: Bool = true) throws -> StateDictMismatch {
        try load(Checkpoint.load(url).tensors, strict: strict, source: url.path)
    }
}
