/// What went wrong, in the few classes a front end answers differently: the CLI picks its
/// exit code from it, a service its HTTP status. Lives in the lowest module so that every
/// error type in DSLRKit can say which class it belongs to.
public enum ErrorKind: String, Sendable, CaseIterable {
    /// The request itself is wrong: an option out of range, a path where a name is required.
    case badArgument
    /// A named thing (file, folder, model) does not exist.
    case notFound
    /// A file or photo exists but cannot be read: corrupt, truncated, not a photo.
    case badInput
    /// The input is readable but over a limit (pixels, bytes).
    case tooLarge
    /// The input is valid but this build cannot handle it (e.g. HEIC without libheif).
    case unsupported
    /// No capacity right now; the same request may succeed later.
    case busy
    /// DSLRKit or a library it calls failed; not the caller's fault.
    case `internal`

    /// The HTTP status a service answers with.
    public var httpStatus: Int {
        switch self {
        case .badArgument: 400
        case .notFound: 404
        case .badInput: 422
        case .tooLarge: 413
        case .unsupported: 415
        case .busy: 503
        case .internal: 500
        }
    }

    /// The kind of any error: its own when it has one, else `internal` (an error nobody
    /// classified is one DSLRKit did not expect).
    public init(of error: any Error) {
        self = (error as? any KindedError)?.kind ?? .internal
    }
}

/// An error that says which `ErrorKind` it is.
public protocol KindedError: Error {
    var kind: ErrorKind { get }
}
