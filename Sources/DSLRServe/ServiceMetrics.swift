import Foundation

/// `duration` in seconds, for latencies.
func inSeconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// The service's counters in Prometheus' text exposition format: requests by route and
/// status, latency histograms by route, errors by kind, and the queue gauges read at scrape time.
public final class ServiceMetrics: @unchecked Sendable {
    /// Upper bounds (seconds) of the latency histogram's buckets: from a health check to a 12 MP photo.
    static let latencyBuckets: [Double] = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

    private struct Histogram {
        var counts = [Int](repeating: 0, count: ServiceMetrics.latencyBuckets.count)
        var sum = 0.0
        var count = 0
    }

    private let lock = NSLock()
    private var requests: [String: [Int: Int]] = [:]
    private var latency: [String: Histogram] = [:]
    private var errors: [String: Int] = [:]

    public init() {}

    /// Records one answered request.
    public func record(route: String, status: Int, seconds: Double) {
        lock.lock(); defer { lock.unlock() }
        requests[route, default: [:]][status, default: 0] += 1
        var histogram = latency[route] ?? Histogram()
        for (i, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { histogram.counts[i] += 1 }
        histogram.sum += seconds
        histogram.count += 1
        latency[route] = histogram
    }

    /// Records a refused or failed request by its error kind (bad_input, busy, too_large, ...).
    public func recordError(kind: String) {
        lock.lock(); defer { lock.unlock() }
        errors[kind, default: 0] += 1
    }

    /// Requests answered with `status` on `route` so far.
    public func requestCount(route: String, status: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        return requests[route]?[status] ?? 0
    }

    /// The exposition text; `running` and `waiting` are the engine's gauges now.
    public func render(running: Int, waiting: Int) -> String {
        lock.lock(); defer { lock.unlock() }
        var out = """
            # HELP dslr_requests_total HTTP requests answered, by route and status.
            # TYPE dslr_requests_total counter

            """
        for route in requests.keys.sorted() {
            for (status, n) in requests[route]!.sorted(by: { $0.key < $1.key }) {
                out += "dslr_requests_total{route=\"\(route)\",status=\"\(status)\"} \(n)\n"
            }
        }
        out += """
            # HELP dslr_request_duration_seconds Time from request to response, by route.
            # TYPE dslr_request_duration_seconds histogram

            """
        for route in latency.keys.sorted() {
            let h = latency[route]!
            for (bound, n) in zip(Self.latencyBuckets, h.counts) {
                out += "dslr_request_duration_seconds_bucket{route=\"\(route)\",le=\"\(bound)\"} \(n)\n"
            }
            out += "dslr_request_duration_seconds_bucket{route=\"\(route)\",le=\"+Inf\"} \(h.count)\n"
            out += "dslr_request_duration_seconds_sum{route=\"\(route)\"} \(h.sum)\n"
            out += "dslr_request_duration_seconds_count{route=\"\(route)\"} \(h.count)\n"
        }
        out += """
            # HELP dslr_errors_total Requests refused or failed, by kind.
            # TYPE dslr_errors_total counter

            """
        for (kind, n) in errors.sorted(by: { $0.key < $1.key }) {
            out += "dslr_errors_total{kind=\"\(kind)\"} \(n)\n"
        }
        out += """
            # HELP dslr_in_flight Photos being enhanced now.
            # TYPE dslr_in_flight gauge
            dslr_in_flight \(running)
            # HELP dslr_queue_depth Requests waiting for a worker.
            # TYPE dslr_queue_depth gauge
            dslr_queue_depth \(waiting)

            """
        return out
    }
}
