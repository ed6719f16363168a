
/// Element type of a tensor. Raw values are libtorch's `c10::ScalarType` codes.
public enum DType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0, int8 = 1, int16 = 2, int32 = 3, int64 = 4
    case float16 = 5, float32 = 6, float64 = 7
    case bool = 11
    case bfloat16 = 15

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .int16, .float16, .bfloat16: 2
        case .int32, .float32: 4
        case .int64, .float64: 8
        }
    }

    /// Whether the dtype holds floating-point values (and so can carry gradients).
    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .uint8: "uint8"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .float16: "float16"
        case .float32: "float32"
        case .float64: "float64"
        case .bool: "bool"
        case .bfloat16: "bfloat16"
        }
    }

    /// Parses the names `description` prints, plus the short forms fp32, fp16, bf16.
    public init?(name: String) {
        switch name.lowercased() {
        case "fp32", "f32": self = .float32
        case "fp16", "f16", "half": self = .float16
        case "bf16": self = .bfloat16
        case "fp64", "f64", "double": self = .float64
        default:
            guard let match = DType.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
            self = match
        }
    }
}
