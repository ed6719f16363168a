import DSLREnhance
import DSLRPhoto
import DSLRTensor
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `dslr serve`: the enhance engine behind HTTP. Holds no state between requests (the model
/// cache aside), so several can run behind any load balancer.
public final class EnhanceService: Sendable {
    public let configuration: ServeConfiguration
    public let engine: EnhanceEngine
    public let metrics = ServiceMetrics()
    let activity = Activity()

    /// Checks that every served model exists (names only: a request never names a file).
    public init(configuration: ServeConfiguration, registry: ModelRegistry = .standard()) throws {
        guard !configuration.models.isEmpty else { throw ServeError(status: 500, "no models to serve") }
        self.configuration = configuration
        engine = EnhanceEngine(
            registry: registry,
            configuration: .init(workers: configuration.workers, resolution: .namesOnly, queueLimit: configuration.maxQueue))
        for name in configuration.models { _ = try engine.resolve(name) }
    }

    /// Whether every served model is loaded (`/readyz`).
    public var isReady: Bool { activity.ready }

    /// Loads the served models so the first request does not pay for it; then ready.
    public func warmUp() async throws {
        for name in configuration.models { try await engine.warm(name) }
        activity.ready = true
    }

    /// The routes, wrapped in the middleware that answers errors and counts requests.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ServiceMiddleware(service: self))
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: webPage)))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { [self] _, _ in
            guard isReady else { throw ServeError(status: 503, "loading models") }
            guard !activity.draining else { throw ServeError(status: 503, "shutting down") }
            return "ready\n"
        }
        router.get("/metrics") { [self] _, _ in
            let (running, waiting) = engine.occupancy
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render(running: running, waiting: waiting))))
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: openAPIDocument)))
        }
        router.get("/v1/models") { [self] _, _ in
            let cards = configuration.models.compactMap { name in engine.registry.entries.first { $0.card.name == name }?.card }
            let list = cards.map { ["name": $0.name, "architecture": $0.architecture, "summary": $0.summary] }
            let body = try JSONSerialization.data(withJSONObject: ["models": list, "default": configuration.models[0]], options: [.sortedKeys])
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.post("/v1/enhance") { [self] request, _ in try await enhance(request) }
        return router
    }

    private func enhance(_ request: Request) async throws -> Response {
        guard activity.enter() else { throw ServeError(status: 503, "shutting down; send the photo to another instance") }
        do {
            return try await enhanceEntered(request)
        } catch {
            activity.leave()
            throw error
        }
    }

    /// `enhance` once counted in; the reply's body counts the request out when it is written.
    private func enhanceEntered(_ request: Request) async throws -> Response {
        var parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        // Parameters are checked before the upload is read, so a bad one costs no transfer.
        var wanted = try EnhanceRequest(parameters: parameters, servedModels: configuration.models)
        let limit = configuration.maxUploadBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw ServeError(status: 413, "the upload is \(declared) bytes, over the limit of \(limit)")
        }
        // Collected up to the limit while it streams: a larger body is refused without being held whole.
        let body = try await request.body.collect(upTo: limit)
        var upload = Array(buffer: body)
        if let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data") {
            // A form: the photo is the part named "photo" (else the one file); other fields are
            // parameters, as in the query.
            let parts = try formParts(body, contentType: type)
            guard let photo = parts.first(where: { $0.name == "photo" }) ?? parts.first(where: { $0.filename != nil }) else {
                throw ServeError(status: 400, "the multipart upload has no part named 'photo' and no file")
            }
            upload = photo.bytes
            parameters += parts.filter { $0.filename == nil && $0.name != photo.name }
                .map { ($0.name, String(decoding: $0.bytes, as: UTF8.self)) }
            wanted = try EnhanceRequest(parameters: parameters, servedModels: configuration.models)
        }
        let (engine, maxPixels, seconds) = (engine, configuration.maxPixels, configuration.timeoutSeconds)
        let (photo, asked) = (upload, wanted)
        let started = ContinuousClock.now
        let result = try await withTimeout(seconds) {
            try await enhanceUpload(photo, request: asked, engine: engine, maxPixels: maxPixels)
        }
        let elapsed = ContinuousClock.now - started
        var headers: HTTPFields = [.contentType: result.format.mediaType]
        headers[HTTPField.Name("X-DSLR-Model")!] = wanted.model
        headers[HTTPField.Name("X-DSLR-Seconds")!] = String(format: "%.3f", inSeconds(elapsed))
        headers[.contentDisposition] = "inline; filename=\"enhanced.\(result.format.rawValue)\""
        let activity = activity
        return Response(status: .ok, headers: headers, body: chunkedBody(result.bytes) { activity.leave() })
    }

    /// Serves until SIGTERM or SIGINT, then drains: no new photos are taken (503; /readyz
    /// says 503 so a load balancer moves on), the ones in flight are finished and sent, and
    /// only then are the connections closed. `onListening` gets the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let idle = TimeAmount.milliseconds(Int64(configuration.idleTimeoutSeconds * 1000))
        let app = Application(
            router: router(),
            server: .http1(configuration: .init(idleTimeout: idle)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "dslr"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) })
        let stop = stopSignals()
        Task { [self] in try? await warmUp() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The framework's own signal handling closes connections as soon as their handlers
            // return, which cut off the end of a 15 MB reply still being sent.
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            group.addTask { [self] in
                for await _ in stop { break }
                await drain()
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Refuses new work, then waits for the photos in flight to be enhanced and written out
    /// (at most the request timeout), and a little longer for their last bytes to leave.
    func drain() async {
        activity.draining = true
        let deadline = ContinuousClock.now + .seconds(configuration.timeoutSeconds + 5)
        while activity.active > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        try? await Task.sleep(for: .seconds(drainSeconds))
    }
}

/// SIGTERM and SIGINT as an async sequence (their default action, exiting at once, is turned off).
private func stopSignals() -> AsyncStream<Int32> {
    AsyncStream { continuation in
        let sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        let held = SignalSources(sources)
        continuation.onTermination = { _ in held.sources.forEach { $0.cancel() } }
    }
}

/// Keeps the signal sources alive for as long as their stream is.
private final class SignalSources: @unchecked Sendable {
    let sources: [any DispatchSourceSignal]
    init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }
}

/// The service's state that request handlers read: whether the served models are loaded,
/// the photos being received, enhanced or sent, and whether the service is stopping.
final class Activity: @unchecked Sendable {
    private let lock = NSLock()
    private var loaded = false
    private var count = 0
    private var stopping = false
    var ready: Bool {
        get { lock.lock(); defer { lock.unlock() }; return loaded }
        set { lock.lock(); loaded = newValue; lock.unlock() }
    }
    var active: Int { lock.lock(); defer { lock.unlock() }; return count }
    var draining: Bool {
        get { lock.lock(); defer { lock.unlock() }; return stopping }
        set { lock.lock(); stopping = newValue; lock.unlock() }
    }
    /// Counts one more request in, unless the service is stopping.
    func enter() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard !stopping else { return false }
        count += 1
        return true
    }
    func leave() { lock.lock(); count -= 1; lock.unlock() }
}

/// How long a stopped service stays alive for its last replies to leave.
let drainSeconds = 2.0

/// `bytes` written 64 kB at a time, each write waiting until the connection can take more;
/// `done` runs when the body is written or abandoned, so a draining service knows.
func chunkedBody(_ bytes: [UInt8], whenDone done: @escaping @Sendable () -> Void) -> ResponseBody {
    ResponseBody(contentLength: bytes.count) { writer in
        defer { done() }
        var start = 0
        while start < bytes.count {
            let end = min(start + 65_536, bytes.count)
            try await writer.write(ByteBuffer(bytes: bytes[start..<end]))
            start = end
        }
        try await writer.finish(nil)
    }
}

/// Runs `work`, or gives up after `seconds` with a 504. The work itself cannot be
/// interrupted (a forward pass runs to its end on its worker); the client is answered anyway.
func withTimeout<T: Sendable>(_ seconds: Double, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    let once = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { continuation in
        once.set(continuation)
        Task { do { once.resume(.success(try await work())) } catch { once.resume(.failure(error)) } }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            once.resume(.failure(ServeError(status: 504, "not finished within \(Int(seconds)) s")))
        }
    }
}

/// A continuation resumed by whichever of several tasks finishes first.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    func set(_ c: CheckedContinuation<T, any Error>) { lock.lock(); continuation = c; lock.unlock() }
    func resume(_ result: Result<T, any Error>) {
        lock.lock(); let c = continuation; continuation = nil; lock.unlock()
        c?.resume(with: result)
    }
}
