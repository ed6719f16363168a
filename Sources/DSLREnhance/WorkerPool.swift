import DSLRTensor
import Foundation

/// At most `workers` pieces of work at once, on threads of its own.
///
/// Dedicated threads rather than Swift concurrency: a forward pass blocks for seconds, and
/// blocking the cooperative pool with it would starve every other task in the process.
/// Threads start on demand and stop when the pool is shut down.
final class WorkerPool: @unchecked Sendable {
    let workers: Int
    /// Requests that may wait for a worker before `submit` refuses with `busy`; nil: no limit.
    let queueLimit: Int?
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var threads = 0
    private var idle = 0
    private var running = 0
    private var stopped = false

    /// Set on the pool's own threads, so that work submitted from a worker runs inline
    /// instead of waiting for a worker that may be itself.
    private static let isWorkerKey = "DSLREnhance.WorkerPool.isWorker"

    init(workers: Int, queueLimit: Int? = nil) {
        self.workers = max(1, workers)
        self.queueLimit = queueLimit.map { max(0, $0) }
    }

    /// Work running on a worker and work waiting for one (a service's gauges).
    var occupancy: (running: Int, waiting: Int) {
        condition.lock(); defer { condition.unlock() }
        return (running, queue.count)
    }

    /// Work queued or running.
    var inFlight: Int {
        condition.lock(); defer { condition.unlock() }
        return queue.count + running
    }

    /// Runs `body` on a worker and waits for it; bypasses the queue limit (the caller is
    /// already committed to waiting).
    func run<T>(_ body: () throws -> T) throws -> T {
        if Thread.current.threadDictionary[Self.isWorkerKey] != nil { return try body() }
        return try withoutActuallyEscaping(body) { escaping in
            let call = BlockingCall(escaping)
            do { try enqueue(limited: false) { call.perform() } } catch {
                call.cancel()
                throw error
            }
            return try call.wait()
        }
    }

    /// Runs `body` on a worker; the calling task is suspended, not blocked, meanwhile.
    /// Throws `busy` when `queueLimit` requests are already waiting.
    func submit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try enqueue(limited: true) { continuation.resume(with: Result { try body() }) }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Queues `work` without waiting for it and without the queue limit (a batch the caller
    /// waits for as a whole).
    func post(_ work: @escaping @Sendable () -> Void) throws {
        try enqueue(limited: false, work)
    }

    /// Stops the threads once the queue is empty.
    func shutDown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func enqueue(limited: Bool, _ work: @escaping @Sendable () -> Void) throws {
        condition.lock(); defer { condition.unlock() }
        guard !stopped else { throw EngineError("the enhance engine has shut down", kind: .internal) }
        let waiting = queue.count
        // Free workers take requests at once, so only those beyond them count as queued.
        if limited, let queueLimit, waiting + running >= workers + queueLimit {
            throw EngineError(
                "busy: \(running) photos running and \(waiting) waiting (limit \(queueLimit)); try again later",
                kind: .busy)
        }
        queue.append(work)
        if threads < workers, waiting + 1 > idle { startThread() }
        condition.signal()
    }

    private func startThread() {
        threads += 1
        let thread = Thread { [self] in loop() }
        // libtorch's kernels recurse deeper than Foundation's 512 KiB default allows.
        thread.stackSize = 8 << 20
        thread.name = "dslr-enhance-\(threads)"
        thread.start()
    }

    private func loop() {
        Thread.current.threadDictionary[Self.isWorkerKey] = true
        condition.lock()
        while true {
            while queue.isEmpty && !stopped {
                idle += 1
                condition.wait()
                idle -= 1
            }
            if queue.isEmpty { break }
            // Taken out of the array, so the photo it holds is freed when it finishes. The
            // queue is short (photos, not pixels), so removing from the front is cheap.
            let work = queue.removeFirst()
            running += 1
            condition.unlock()
            work()
            condition.lock()
            running -= 1
        }
        threads -= 1
        condition.unlock()
    }
}

/// A call whose caller blocks until a worker has run it. The caller's closure is not
/// escaping, so the worker lets go of it before waking the caller.
private final class BlockingCall<T>: @unchecked Sendable {
    private var body: (() throws -> T)?
    private var result: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping () throws -> T) { self.body = body }

    func perform() {
        if let body { result = Result { try body() } }
        body = nil
        done.signal()
    }

    /// Lets go of the closure when the call was never queued.
    func cancel() { body = nil }

    func wait() throws -> T {
        done.wait()
        guard let result else { throw EngineError("a worker dropped a call", kind: .internal) }
        return try result.get()
    }
}
