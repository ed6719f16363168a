/// Where a tensor's storage lives.
public enum Device: Sendable, Hashable, CustomStringConvertible {
    case cpu
    case cuda(Int)

    /// Parses "cpu", "cuda" (device 0) or "cuda:N".
    public init(_ text: String) throws {
        let lower = text.lowercased()
        if lower == "cpu" {
            self = .cpu
        } else if lower == "cuda" {
            self = .cuda(0)
        } else if lower.hasPrefix("cuda:"), let index = Int(lower.dropFirst(5)), index >= 0 {
            self = .cuda(index)
        } else {
            throw TorchError("unknown device '\(text)' (expected cpu, cuda or cuda:N)", kind: .badArgument)
        }
    }

    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .cuda(let index): "cuda:\(index)"
        }
    }
}
