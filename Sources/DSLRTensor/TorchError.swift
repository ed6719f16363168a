import CTorch

/// A failure reported by libtorch (or by DSLRKit's checks before calling it), carrying
/// libtorch's own message, e.g. a shape mismatch.
public struct TorchError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// The calling thread's last libtorch failure.
    static func last(_ context: @autoclosure () -> String = "") -> TorchError {
        let text = String(cString: ct_last_error())
        let prefix = context()
        return TorchError(prefix.isEmpty ? text : "\(prefix): \(text)")
    }
}

/// Turns a C status (0 = success) into a thrown `TorchError`.
@inline(__always)
func check(_ status: Int32, _ context: @autoclosure () -> String = "") throws {
    if status != 0 { throw TorchError.last(context()) }
}
