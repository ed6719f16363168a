// libFuzzer entry point for what a remote client can send to `dslr serve`: each input is
// one request, written as HTTP/1.1 writes it,
//
//     METHOD TARGET\n          e.g. "POST /v1/enhance?strength=0.5" (a trailing " HTTP/1.1" is dropped)
//     Name: value\n            any number of header lines ("\r\n" also ends a line)
//     \n                       an empty line
//     body                     the rest of the input, as is
//
// and is answered by the service's own router and middleware (EnhanceService.router(), the
// same responder `dslr serve` runs), with no socket: the handler runs and the reply's body
// is read to its end, as the server writes it. Content-Length is set to the body's length,
// as the server's HTTP parser guarantees; an input whose request line or headers the
// parser would refuse (no method token, a target not starting with "/", control
// characters, a malformed header) is skipped. The service serves the built-in
// "dslrkit-default" model (first, so the default) and "classic", with one worker, uploads
// up to 48 KiB, photos up to 256×256 pixels and 15 s a request, so an enhance really runs
// and stays fast. DSLRKIT_FUZZ_VERBOSE=1 prints each answer's status (to
// check that the seeds reach what they should: `HTTPFuzz -runs=0 fuzz/corpus/http`). Any answer (an error status included) is fine; a trap, an overflow, an
// AddressSanitizer report in DSLRKit's code or a hang is a finding.
import DSLREnhance
import DSLRServe
import Dispatch
import Foundation
import FuzzDriver
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded

/// libFuzzer's driver, as this executable's entry point (see FuzzDriver.h).
@_cdecl("HTTPFuzz_main")
public func hTTPFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    dslrkit_fuzz_main(argc, argv)
}

/// Reads a reply's body to its end, as the server writes it to the connection.
struct Drain: ResponseBodyWriter {
    mutating func write(_ buffer: ByteBuffer) async throws {}
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// The service and its responder, made once: the model loads before the first input.
final class Harness: @unchecked Sendable {
    let service: EnhanceService
    let responder: RouterResponder<BasicRequestContext>
    let channel = EmbeddedChannel()
    let logger = Logger(label: "fuzz")
    let verbose = ProcessInfo.processInfo.environment["DSLRKIT_FUZZ_VERBOSE"] == "1"

    init() {
        var registry = ModelRegistry.standard()
        // The built-in models only, whatever the user's model folder holds.
        registry.entries = registry.entries.filter { $0.origin == .builtIn }
        let configuration = ServeConfiguration(
            models: ["dslrkit-default", "classic"], workers: 1, maxQueue: 2, maxUploadBytes: 48 << 10,
            maxPixels: 256 * 256, timeoutSeconds: 15)
        do {
            service = try EnhanceService(configuration: configuration, registry: registry)
        } catch {
            fatalError("fuzz: cannot start the service: \(error)")
        }
        responder = service.router().buildResponder()
        let service = service
        wait { try? await service.warmUp() }
    }

    func answer(_ request: Request) {
        let context = BasicRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
        let (responder, verbose) = (responder, verbose)
        wait {
            guard let response = try? await responder.respond(to: request, context: context) else {
                if verbose { print("fuzz: \(request.method) \(request.uri): thrown past the middleware") }
                return
            }
            try? await response.body.write(Drain())
            if verbose { print("fuzz: \(request.method) \(request.uri): \(response.status.code)") }
        }
    }

    /// Runs `work` to its end on Swift's concurrency pool while this (libFuzzer's) thread waits.
    private func wait(_ work: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await work()
            done.signal()
        }
        done.wait()
    }
}

let harness = Harness()

/// The request in `input`, or nil where an HTTP/1.1 server would refuse its head.
func request(from input: [UInt8]) -> Request? {
    var lines: [[UInt8]] = []
    var start = 0
    var bodyStart: Int?
    while start < input.count {
        guard let end = input[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        var line = Array(input[start..<end])
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        start = end + 1
        if line.isEmpty, !lines.isEmpty {
            bodyStart = start
            break
        }
        lines.append(line)
    }
    guard let bodyStart, let requestLine = lines.first,
          let text = String(validating: requestLine, as: UTF8.self) else { return nil }
    var words = text.split(separator: " ", omittingEmptySubsequences: false)
    if words.count == 3, words[2] == "HTTP/1.1" || words[2] == "HTTP/1.0" { words.removeLast() }
    guard words.count == 2, let method = HTTPRequest.Method(String(words[0])) else { return nil }
    let target = String(words[1])
    guard target.hasPrefix("/"), target.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
        return nil
    }
    var fields = HTTPFields()
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
              let name = String(validating: line[..<colon], as: UTF8.self).flatMap({ HTTPField.Name($0) }),
              let value = String(validating: line[(colon + 1)...], as: UTF8.self)
        else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard HTTPField.isValidValue(trimmed) else { return nil }
        fields.append(HTTPField(name: name, value: trimmed))
    }
    let body = ByteBuffer(bytes: input[bodyStart...])
    fields[.contentLength] = body.readableBytes > 0 || method == .post || method == .put ? String(body.readableBytes) : nil
    let head = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: target, headerFields: fields)
    return Request(head: head, body: RequestBody(buffer: body))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func httpFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let request = request(from: Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    harness.answer(request)
    return 0
}
