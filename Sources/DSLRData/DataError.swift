/// A dataset, loader or synthesis problem, as one line naming the file or setting at fault.
public struct DataError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
