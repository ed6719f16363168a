import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A port on 127.0.0.1 that nothing listens on right now (the kernel picks it), for a
/// single-machine TCP rendezvous.
public func freeLoopbackPort() throws -> Int {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw DistributedError("no socket for a free port: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Int32 in
            guard bind(fd, raw, length) == 0 else { return -1 }
            return getsockname(fd, raw, &length)
        }
    }
    guard bound == 0 else { throw DistributedError("binding 127.0.0.1:0 failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs `nproc` copies of `executable` (default: this program) with `arguments`, each with
/// RANK, WORLD_SIZE, MASTER_ADDR=127.0.0.1, a free MASTER_PORT and (unless set) OMP_NUM_THREADS
/// = cores / nproc, and returns when all
/// have exited. Every line a worker prints is forwarded with a "[rank r]" prefix (stdout to
/// stdout, stderr to stderr). When a worker fails the others are stopped, since they would
/// only wait for it until their timeout (SIGTERM, then SIGKILL after `stopGrace` seconds);
/// the error names the first rank that failed.
public func launchWorkers(
    nproc: Int, arguments: [String], executable: URL? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    standardOutput: FileHandle = .standardOutput, standardError: FileHandle = .standardError,
    stopGrace: TimeInterval = 2
) throws {
    guard nproc >= 1 else { throw DistributedError("--nproc must be at least 1, got \(nproc)") }
    guard let program = executable ?? currentExecutable() else {
        throw DistributedError("cannot find this program's executable to start workers")
    }
    let port = try freeLoopbackPort()
    let output = LineForwarder()
    var workers: [Process] = []
    for rank in 0..<nproc {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        var variables = environment
        variables["RANK"] = String(rank)
        variables["LOCAL_RANK"] = String(rank)
        variables["WORLD_SIZE"] = String(nproc)
        variables["MASTER_ADDR"] = "127.0.0.1"
        variables["MASTER_PORT"] = String(port)
        // N workers each using every core would oversubscribe the CPU; share the cores out
        // unless the user chose a thread count.
        if variables["OMP_NUM_THREADS"] == nil {
            variables["OMP_NUM_THREADS"] = String(max(1, ProcessInfo.processInfo.activeProcessorCount / nproc))
        }
        process.environment = variables
        process.standardOutput = output.pipe(prefix: "[rank \(rank)] ", to: standardOutput)
        process.standardError = output.pipe(prefix: "[rank \(rank)] ", to: standardError)
        do {
            try process.run()
        } catch {
            workers.forEach { $0.terminate() }
            throw DistributedError("starting worker \(rank) (\(program.path)) failed: \(error)")
        }
        workers.append(process)
    }
    let failure = waitForAll(workers, grace: stopGrace)
    output.flush()
    if let rank = failure {
        let worker = workers[rank]
        let how = worker.terminationReason == .uncaughtSignal
            ? "was killed by signal \(worker.terminationStatus)" : "exited with status \(worker.terminationStatus)"
        throw DistributedError("worker rank \(rank) of \(nproc) \(how)")
    }
}

/// Waits for every worker; on the first failure terminates the rest (SIGTERM, then SIGKILL
/// after a grace period: a child started from a thread that blocks signals, as test runners'
/// threads do, inherits that mask and never sees the SIGTERM). Returns the rank that failed
/// first.
private func waitForAll(_ workers: [Process], grace: TimeInterval) -> Int? {
    var failure: Int?
    var stoppedAt: Date?
    var running = Set(workers.indices)
    while !running.isEmpty {
        for rank in running.sorted() where !workers[rank].isRunning {
            running.remove(rank)
            let failed = workers[rank].terminationStatus != 0 || workers[rank].terminationReason == .uncaughtSignal
            if failed && failure == nil {
                failure = rank
                stoppedAt = Date()
                for other in running { kill(workers[other].processIdentifier, SIGTERM) }
            }
        }
        if let stoppedAt, Date().timeIntervalSince(stoppedAt) > grace {
            for other in running where workers[other].isRunning { kill(workers[other].processIdentifier, SIGKILL) }
        }
        if !running.isEmpty { Thread.sleep(forTimeInterval: 0.02) }
    }
    return failure
}

/// The running program, resolved through /proc on Linux so a relative argv[0] works.
func currentExecutable() -> URL? {
    #if os(Linux)
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        return URL(fileURLWithPath: path)
    }
    #endif
    return Bundle.main.executableURL
}

/// Forwards child output line by line with a prefix; whole lines only, so ranks' lines never
/// interleave mid-line.
final class LineForwarder: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [ObjectIdentifier: (prefix: String, sink: FileHandle, data: Data)] = [:]
    private let open = DispatchGroup()

    /// A pipe for one child stream, drained by its own thread with blocking reads until the
    /// child closes it (Foundation's readability handlers can miss the end of a stream).
    func pipe(prefix: String, to sink: FileHandle) -> Pipe {
        let pipe = Pipe()
        let handle = pipe.fileHandleForReading
        let key = ObjectIdentifier(handle)
        lock.withLock { pending[key] = (prefix, sink, Data()) }
        open.enter()
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                lock.withLock {
                    pending[key]?.data.append(chunk)
                    emit(key, final: chunk.isEmpty)
                }
                if chunk.isEmpty { break }
            }
            open.leave()
        }.start()
        return pipe
    }

    /// Waits (a few seconds at most: a worker's own child may hold a pipe open) until every
    /// stream has ended, then writes what is left (a last line without a newline).
    func flush() {
        _ = open.wait(timeout: .now() + 5)
        lock.withLock { for key in pending.keys { emit(key, final: true) } }
    }

    private func emit(_ key: ObjectIdentifier, final: Bool) {
        guard var entry = pending[key] else { return }
        var text = Data()
        while let newline = entry.data.firstIndex(of: UInt8(ascii: "\n")) {
            text.append(Data(entry.prefix.utf8))
            text.append(entry.data[entry.data.startIndex...newline])
            entry.data.removeSubrange(entry.data.startIndex...newline)
        }
        if final && !entry.data.isEmpty {
            text.append(Data(entry.prefix.utf8))
            text.append(entry.data)
            text.append(UInt8(ascii: "\n"))
            entry.data.removeAll()
        }
        pending[key] = entry
        if !text.isEmpty { entry.sink.write(text) }
    }
}
