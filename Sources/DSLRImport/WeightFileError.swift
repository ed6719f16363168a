/// Why a weight file could not be read: a reader's own kind of problem, the file, and what is
/// wrong. `description` is one line naming the file. Each reader names its specialisation
/// (`TFCheckpointError`, `TorchCheckpointError`), so callers can tell them apart.
public struct WeightFileError<K: Sendable & Equatable>: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reader's kinds of problem: `TFCheckpointError.Kind`, `TorchCheckpointError.Kind`.
    public typealias Kind = K

    public let kind: Kind
    /// The file the problem is in.
    public let file: String
    /// What is wrong, without the file name.
    public let reason: String

    public init(_ kind: Kind, file: String, _ reason: String) {
        self.kind = kind
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
