import CTorch

/// A failure reported by libtorch (or by DSLRKit's checks before calling it), carrying
/// libtorch's own message, e.g. a shape mismatch.
///
/// Its kind is `internal` unless the thrower knows better (an unparsable device name is
/// `badArgument`): a failing libtorch call is DSLRKit's problem, not its caller's.
public struct TorchError: KindedError, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public let kind: ErrorKind

    public init(_ message: String, kind: ErrorKind = .internal) {
        self.message = message
        self.kind = kind
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
