import DSLRTensor

/// A request the enhance engine refuses: a path where only names are served, a full
/// queue. One line; its kind tells a front end how to answer.
public struct EngineError: KindedError, CustomStringConvertible, Equatable {
    public var description: String
    public var kind: ErrorKind
    public init(_ description: String, kind: ErrorKind) {
        self.description = description
        self.kind = kind
    }
}
