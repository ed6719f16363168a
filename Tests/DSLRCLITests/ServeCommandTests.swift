import DSLRPhoto
import DSLRTensor
import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// A `dslr serve` on a free loopback port, stopped with SIGTERM by `stop()`.
private final class RunningServer {
    let process = Process()
    let folder: String
    private(set) var port = 0

    init(_ arguments: [String]) throws {
        guard let dslr else { throw TorchError("dslr is not built beside the tests") }
        folder = try scratchFolder()
        let models = folder + "/models", out = folder + "/stdout.txt", err = folder + "/stderr.txt"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        (process.executableURL, process.arguments) = (dslr, ["serve", "--port", "0"] + arguments)
        process.environment = ProcessInfo.processInfo.environment.merging(["DSLRKIT_MODELS": models]) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while port == 0, Date() < deadline, process.isRunning {
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(text[range].split(separator: ":").last!)!
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard port != 0 else { throw TorchError("dslr serve did not start: \(stderr)") }
    }

    var stderr: String { (try? String(contentsOfFile: folder + "/stderr.txt", encoding: .utf8)) ?? "" }

    /// SIGTERM, then the exit status.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
        return process.terminationStatus
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }
}

private struct Reply {
    var status: Int
    var headers: [String: String]
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
    /// The `error.kind` and `error.message` of a JSON error body.
    var error: (kind: String, message: String)? {
        guard let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let error = json["error"] as? [String: String] else { return nil }
        return (error["kind"] ?? "", error["message"] ?? "")
    }
}

/// A multipart/form-data body with `fields` and one file part, and its Content-Type.
private func form(_ fields: [(String, String)], file: (name: String, filename: String, bytes: Data)) -> (Data, String) {
    let boundary = "dslr-test-boundary-7c1f"
    var body = Data()
    for (name, value) in fields {
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }
    body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
    body += file.bytes
    body += Data("\r\n--\(boundary)--\r\n".utf8)
    return (body, "multipart/form-data; boundary=\(boundary)")
}

private func call(_ url: URL, method: String = "GET", body: Data? = nil, contentType: String? = nil) throws -> Reply {
    var request = URLRequest(url: url, timeoutInterval: 120)
    request.httpMethod = method
    request.httpBody = body
    if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var reply: Reply?
    nonisolated(unsafe) var failure: (any Error)?
    URLSession.shared.dataTask(with: request) { data, response, error in
        if let http = response as? HTTPURLResponse {
            let headers = Dictionary(uniqueKeysWithValues: http.allHeaderFields.map { ("\($0.key)".lowercased(), "\($0.value)") })
            reply = Reply(status: http.statusCode, headers: headers, body: data ?? Data())
        } else {
            failure = error ?? TorchError("no HTTP response")
        }
        done.signal()
    }.resume()
    done.wait()
    if let failure { throw failure }
    return reply!
}

/// Connects to 127.0.0.1:`port`, sends `bytes`, and returns how many seconds passed until
/// the server closed the connection (nil if it was still open after `limit` seconds).
private func secondsUntilClosed(port: Int, sending bytes: String, limit: Double) throws -> Double? {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw TorchError("socket: \(errno)") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw TorchError("connect: \(errno)") }
    _ = bytes.withCString { send(socket, $0, strlen($0), 0) }
    var timeout = timeval(tv_sec: Int(limit), tv_usec: Int((limit - limit.rounded(.down)) * 1e6))
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let start = Date()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(socket, &buffer, buffer.count, 0)
        if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { return Date().timeIntervalSince(start) }
        if n < 0 && errno != EINTR { return nil }  // still open when the limit passed
    }
}

@Suite(.serialized, .enabled(if: dslr != nil, "dslr is not built beside the tests"))
struct ServeCommandTests {
    /// Silent connections and half-sent requests are closed after --idle-timeout, so
    /// trickling clients cannot hold every connection; the server keeps answering.
    @Test func idleAndTricklingConnectionsAreClosed() throws {
        let server = try RunningServer(["--models", "classic", "--idle-timeout", "1"])
        defer { _ = server.stop() }
        let silent = try secondsUntilClosed(port: server.port, sending: "", limit: 10)
        let halfSent = try secondsUntilClosed(port: server.port, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\n", limit: 10)
        for seconds in [silent, halfSent] {
            #expect(seconds != nil && seconds! > 0.5 && seconds! < 5, "closed after \(String(describing: seconds)) s")
        }
        #expect(try call(server.url("/healthz")).status == 200)
    }

    @Test func apiAnswersPhotosAndRefusesBadRequestsWithOneLineReasons() throws {
        let server = try RunningServer(["--models", "classic,dslrkit-default", "--max-upload-mb", "0.5", "--max-megapixels", "0.5"])
        var stopped = false
        defer { if !stopped { _ = server.stop() } }

        #expect(try call(server.url("/healthz")).text == "ok\n")
        let deadline = Date().addingTimeInterval(60)
        while try call(server.url("/readyz")).status != 200, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(try call(server.url("/readyz")).status == 200)

        let models = try JSONSerialization.jsonObject(with: call(server.url("/v1/models")).body) as? [String: Any]
        #expect(models?["default"] as? String == "classic")
        #expect((models?["models"] as? [[String: String]])?.map { $0["name"] ?? "" } == ["classic", "dslrkit-default"])

        // A photo with EXIF comes back the same size, as asked, with its EXIF.
        let photoPath = server.folder + "/in.jpg"
        Torch.manualSeed(7)
        let exif = try readPhoto(modelsFixturePhotoWithEXIF()).metadata.exif
        try writePhoto(Photo(pixels: try Tensor.rand([3, 40, 64]), metadata: PhotoMetadata(exif: exif)), to: photoPath)
        let upload = try Data(contentsOf: URL(fileURLWithPath: photoPath))
        let enhanced = try call(server.url("/v1/enhance?model=dslrkit-default&strength=0.5&format=png"), method: "POST", body: upload)
        #expect(enhanced.status == 200, "\(enhanced.text)")
        #expect(enhanced.headers["content-type"] == "image/png")
        #expect(enhanced.headers["x-dslr-model"] == "dslrkit-default")
        let back = try decodePhoto(Array(enhanced.body), name: "reply")
        #expect(back.width == 64 && back.height == 40)
        #expect(exif != nil && back.metadata.exif != nil, "EXIF was not kept")

        // The same photo as a form, with its parameters as fields: the same result.
        let (formBody, formType) = form([("model", "dslrkit-default"), ("strength", "0.5"), ("format", "png")],
                                        file: ("photo", "in.jpg", upload))
        let viaForm = try call(server.url("/v1/enhance"), method: "POST", body: formBody, contentType: formType)
        #expect(viaForm.status == 200, "\(viaForm.text)")
        #expect(viaForm.body == enhanced.body)
        let (noPhoto, noPhotoType) = form([("strength", "0.5")], file: ("photo", "a.jpg", Data()))
        let emptyPart = try call(server.url("/v1/enhance"), method: "POST", body: noPhoto, contentType: noPhotoType)
        #expect(emptyPart.status == 422, "\(emptyPart.text)")
        let badField = try call(server.url("/v1/enhance"), method: "POST",
                                body: form([("strenght", "1")], file: ("photo", "in.jpg", upload)).0, contentType: formType)
        #expect(badField.status == 400)
        #expect(badField.error?.message.hasPrefix("unknown parameter 'strenght'") == true, "\(badField.text)")

        let junk = try call(server.url("/v1/enhance"), method: "POST", body: Data((0..<2000).map { UInt8($0 % 251) }))
        #expect(junk.status == 422)
        #expect(junk.error?.kind == "bad_input")
        #expect(junk.error?.message.contains("not a photo") == true, "\(junk.text)")

        let big = try call(server.url("/v1/enhance"), method: "POST", body: Data(count: 600_000))
        #expect(big.status == 413, "\(big.text)")
        let wide = server.folder + "/wide.png"
        try writePhoto(Photo(pixels: try Tensor.zeros([3, 600, 1000])), to: wide)
        let pixels = try call(server.url("/v1/enhance"), method: "POST", body: Data(contentsOf: URL(fileURLWithPath: wide)))
        #expect(pixels.status == 413)
        #expect(pixels.error?.message.contains("0.6 MP") == true, "\(pixels.text)")

        let path = try call(server.url("/v1/enhance?model=/etc/passwd"), method: "POST", body: upload)
        #expect(path.status == 404)
        #expect(path.error?.message == "model '/etc/passwd' is not served here (served: classic, dslrkit-default)")
        let typo = try call(server.url("/v1/enhance?strenght=1"), method: "POST", body: upload)
        #expect(typo.status == 400)
        #expect(typo.error?.message.hasPrefix("unknown parameter 'strenght'") == true)
        #expect(try call(server.url("/v1/enhance?strength=2"), method: "POST", body: upload).status == 400)

        let metrics = try call(server.url("/metrics")).text
        #expect(metrics.contains(#"dslr_requests_total{route="/v1/enhance",status="200"} 2"#), "\(metrics)")
        #expect(metrics.contains(#"dslr_requests_total{route="/v1/enhance",status="422"} 2"#))
        #expect(metrics.contains(#"dslr_errors_total{kind="too_large"} 2"#))
        #expect(metrics.contains("dslr_queue_depth 0"))

        // The OpenAPI document is JSON and lists every route served.
        let document = try JSONSerialization.jsonObject(with: call(server.url("/openapi.json")).body) as? [String: Any]
        let paths = Set(((document?["paths"] as? [String: Any]) ?? [:]).keys)
        #expect(paths == ["/", "/healthz", "/readyz", "/metrics", "/openapi.json", "/v1/models", "/v1/enhance"])
        #expect(try call(server.url("/")).text.contains("<title>DSLRKit</title>"))

        #expect(server.stop() == 0, "\(server.stderr)")
        stopped = true
    }

    /// With no room to queue, a second photo while one is being enhanced is refused with
    /// 503 and Retry-After; SIGTERM lets the one in flight finish.
    @Test func fullQueueIs503AndSigtermFinishesWhatIsInFlight() throws {
        let server = try RunningServer(["--models", "dslrkit-default", "--max-queue", "0", "--workers", "1"])
        let photoPath = server.folder + "/big.jpg"
        Torch.manualSeed(8)
        try writePhoto(Photo(pixels: try Tensor.rand([3, 2400, 3200])), to: photoPath)
        let upload = try Data(contentsOf: URL(fileURLWithPath: photoPath))
        let deadline = Date().addingTimeInterval(60)
        while try call(server.url("/readyz")).status != 200, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }

        nonisolated(unsafe) var first: Reply?
        nonisolated(unsafe) var firstError: (any Error)?
        let firstDone = DispatchSemaphore(value: 0)
        let enhanceURL = server.url("/v1/enhance")
        Thread.detachNewThread {
            do { first = try call(enhanceURL, method: "POST", body: upload) } catch { firstError = error }
            firstDone.signal()
        }
        // Wait until the first photo is being enhanced, then ask again.
        let busyDeadline = Date().addingTimeInterval(60)
        while !(try call(server.url("/metrics")).text.contains("dslr_in_flight 1")), Date() < busyDeadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let second = try call(server.url("/v1/enhance"), method: "POST", body: upload)
        #expect(second.status == 503, "\(second.text)")
        #expect(second.headers["retry-after"] == "5")
        #expect(second.error?.kind == "busy")

        server.process.terminate()
        firstDone.wait()
        #expect(first?.status == 200, "the request in flight was not finished: \(String(describing: firstError))")
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
        try? FileManager.default.removeItem(atPath: server.folder)
    }

    /// The fuzzer's find (fuzz/ http target, issue 19): a byte over 0x7F in a form part's
    /// header name trapped MultipartKit's parser and took the whole service down. It is now
    /// refused with 400, and the service goes on.
    @Test func aFormPartHeaderNameOutsideASCIIIsRefusedAndTheServiceLives() throws {
        // The fuzzer's input: a request line, headers, a blank line, the body.
        let input = try [UInt8](Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz-multipart-header-name.http")))
        let split = try #require((0..<(input.count - 3)).first { Array(input[$0..<($0 + 4)]) == Array("\r\n\r\n".utf8) })
        let head = String(decoding: input[..<split], as: UTF8.self).components(separatedBy: "\r\n")
        let target = try #require(head.first?.split(separator: " ").dropFirst().first.map(String.init))
        let type = try #require(head.first { $0.lowercased().hasPrefix("content-type:") }?.dropFirst(13)
            .trimmingCharacters(in: .whitespaces))
        let server = try RunningServer(["--models", "classic"])
        var stopped = false
        defer { if !stopped { _ = server.stop() } }
        let reply = try call(server.url(target), method: "POST", body: Data(input[(split + 4)...]), contentType: type)
        #expect(reply.status == 400, "\(reply.text)")
        #expect(reply.error?.message == "the multipart upload cannot be read (a part's header name is not ASCII)", "\(reply.text)")
        #expect(try call(server.url("/healthz")).text == "ok\n")
        #expect(server.stop() == 0, "\(server.stderr)")
        stopped = true
    }
}

/// A JPEG with EXIF among DSLRPhotoTests' fixtures.
private func modelsFixturePhotoWithEXIF() -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DSLRPhotoTests/Fixtures/orient6.jpg").path
}
