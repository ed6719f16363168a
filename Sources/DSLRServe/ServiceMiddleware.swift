import DSLRTensor
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Answers every error as a status with a one-line JSON reason, and counts every request.
struct ServiceMiddleware<Context: RequestContext>: RouterMiddleware {
    let service: EnhanceService

    /// Routes as the metrics label them: known paths only, so a scan of random URLs cannot
    /// grow the exposition without bound.
    static func routeLabel(_ path: String) -> String {
        ["/", "/healthz", "/readyz", "/metrics", "/openapi.json", "/v1/models", "/v1/enhance"].contains(path) ? path : "other"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let (status, kind, message) = describe(error)
            service.metrics.recordError(kind: kind)
            response = errorResponse(status: status, kind: kind, message: message)
        }
        let elapsed = ContinuousClock.now - started
        service.metrics.record(
            route: Self.routeLabel(request.uri.path), status: response.status.code,
            seconds: inSeconds(elapsed))
        return response
    }

    /// The status, the metrics' kind label and the one-line message of `error`.
    func describe(_ error: any Error) -> (status: Int, kind: String, message: String) {
        switch error {
        case let e as ServeError:
            let kind = switch e.status {
            case 413: "too_large"
            case 415: "unsupported"
            case 503: "busy"
            case 504: "timeout"
            case 404: "not_found"
            default: e.status >= 500 ? "internal" : "bad_argument"
            }
            return (e.status, kind, e.description)
        case is NIOTooManyBytesError:
            return (413, "too_large", "the upload is over the limit of \(service.configuration.maxUploadBytes) bytes")
        case let e as HTTPError:
            return (Int(e.status.code), e.status.code == 404 ? "not_found" : "bad_argument", e.body ?? e.status.reasonPhrase)
        case let e as any KindedError:
            return (e.kind.httpStatus, snakeCase(e.kind.rawValue), "\(e)")
        default:
            return (500, "internal", "\(error)")
        }
    }

    private func errorResponse(status: Int, kind: String, message: String) -> Response {
        let line = message.replacingOccurrences(of: "\n", with: " ")
        let json = (try? JSONSerialization.data(withJSONObject: ["error": ["kind": kind, "message": line]], options: [.sortedKeys])) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == 503 { headers[.retryAfter] = String(service.configuration.retryAfterSeconds) }
        return Response(status: HTTPResponse.Status(code: status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }
}

/// `badInput` → `bad_input`: Prometheus label values in the usual style.
private func snakeCase(_ name: String) -> String {
    name.reduce(into: "") { out, c in
        if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
    }
}
