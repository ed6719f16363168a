import ArgumentParser
import DSLREnhance
import DSLRServe
import Foundation

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve photo enhancement over HTTP, with a web page at /.",
        discussion: """
            POST a photo to /v1/enhance (the file as the body, or the field "photo" of a \
            multipart form; ?model=, strength=, format=, quality= or form fields) and get it \
            back enhanced with its metadata. Also GET /v1/models, /healthz, \
            /readyz, /metrics (Prometheus) and /openapi.json. Requests name models, never files. \
            SIGTERM or Ctrl-C stops accepting and finishes the requests in flight.
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port; the one chosen is printed).")
    var port = 8080

    @Option(help: "Comma-separated model names to serve; the first is the default (default: dslrkit-default and classic).")
    var models: String?

    @Option(help: "Photos enhanced at the same time.")
    var workers = 1

    @Option(help: "Requests that may wait for a worker; more are answered 503 with Retry-After.")
    var maxQueue = 8

    @Option(help: "Largest upload in MB (10^6 bytes); larger ones are refused while they stream (413).")
    var maxUploadMb: Double = 50

    @Option(help: "Largest photo in megapixels, judged from its header before decoding (413).")
    var maxMegapixels: Double = 50

    @Option(help: "Seconds one request may take before it is answered 504.")
    var timeout: Double = 120

    @Option(help: "Seconds a connection may stay silent (idle, or sending its request) before it is closed.")
    var idleTimeout: Double = 30

    var modelNames: [String] {
        (models ?? "\(ModelRegistry.defaultName),classic").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard maxQueue >= 0 else { throw ValidationError("--max-queue must not be negative") }
        guard maxUploadMb.isFinite, maxUploadMb > 0, maxUploadMb <= 10_000 else {
            throw ValidationError("--max-upload-mb must be a number above 0 and at most 10000")
        }
        try validateMegapixels(maxMegapixels)
        guard timeout.isFinite, timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout must be 0 to 86400 seconds") }
        guard idleTimeout.isFinite, idleTimeout >= 0.1, idleTimeout <= 86_400 else {
            throw ValidationError("--idle-timeout must be 0.1 to 86400 seconds")
        }
        guard !modelNames.isEmpty else { throw ValidationError("--models must name at least one model") }
    }

    func run() async throws {
        let service: EnhanceService
        do {
            service = try EnhanceService(configuration: ServeConfiguration(
                host: host, port: port, models: modelNames, workers: workers, maxQueue: maxQueue,
                maxUploadBytes: Int(maxUploadMb * 1e6), maxPixels: Int(maxMegapixels * 1e6), timeoutSeconds: timeout,
                idleTimeoutSeconds: idleTimeout))
        } catch {
            warn("error: \(error)")
            throw ExitCode(1)
        }
        let host = host
        try await service.run { port in
            // Unbuffered, so a script or test waiting for this line sees it at once.
            let line = "dslr serve: listening on http://\(host):\(port) (models: \(service.configuration.models.joined(separator: ", ")))\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}
