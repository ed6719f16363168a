/// An evaluation or report error: one line naming the file or argument at fault.
public struct EvalError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
