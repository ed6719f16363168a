import DSLRPhoto
import Foundation

/// What `dslr serve` is started with: where it listens, what it serves, and its limits.
public struct ServeConfiguration: Sendable {
    public var host: String
    /// 0 asks the system for a free port (the bound one is printed and passed to `onListening`).
    public var port: Int
    /// The model names requests may ask for; the first is used when a request names none.
    public var models: [String]
    /// Photos enhanced at the same time.
    public var workers: Int
    /// Requests that may wait for a worker; one more is answered 503 with Retry-After.
    public var maxQueue: Int
    /// The largest upload accepted; a larger one is refused while it streams (413).
    public var maxUploadBytes: Int
    /// The largest photo accepted, judged from its header before any pixel is decoded.
    public var maxPixels: Int
    /// How long one request may take before it is answered 504.
    public var timeoutSeconds: Double
    /// Seconds a connection may stay silent (between requests, or while a request arrives)
    /// before it is closed, so idle or trickling clients cannot hold every connection.
    public var idleTimeoutSeconds: Double
    /// Seconds a client is told to wait after a 503.
    public var retryAfterSeconds: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, models: [String], workers: Int = 1, maxQueue: Int = 8,
        maxUploadBytes: Int = 50 << 20, maxPixels: Int = 50_000_000, timeoutSeconds: Double = 120,
        idleTimeoutSeconds: Double = 30, retryAfterSeconds: Int = 5
    ) {
        self.host = host; self.port = port; self.models = models; self.workers = workers; self.maxQueue = maxQueue
        self.maxUploadBytes = maxUploadBytes; self.maxPixels = maxPixels; self.timeoutSeconds = timeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds; self.retryAfterSeconds = retryAfterSeconds
    }
}

/// A request the service refuses, with the HTTP status it answers and a one-line reason.
public struct ServeError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var description: String
    public init(status: Int, _ description: String) {
        self.status = status; self.description = description
    }
}
