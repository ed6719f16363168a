import CTorch
import DSLRTensor
import Foundation

/// Which c10d backend carries the collectives.
public enum DistributedBackend: String, Sendable, CaseIterable {
    /// Gloo, over TCP: CPU tensors (CUDA tensors go through host copies).
    case gloo
    /// NCCL, GPU to GPU: needs a libtorch built with CUDA and c10d's NCCL headers.
    case nccl
}

/// How the ranks find each other before their first collective.
public enum Rendezvous: Sendable, Equatable {
    /// A c10d TCPStore that rank 0 hosts at `host:port` (PyTorch's MASTER_ADDR/MASTER_PORT).
    case tcp(host: String, port: Int)
    /// A c10d FileStore: every rank opens the same file (shared filesystem, or one machine).
    case file(path: String)
}

/// A failure of a distributed call, with libtorch's message (timeouts, a peer that died).
public struct DistributedError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    static func last(_ context: String = "") -> DistributedError {
        let text = String(cString: ct_last_error())
        return DistributedError(context.isEmpty ? text : "\(context): \(text)")
    }
}

/// This process's membership in a group of `worldSize` ranks that run the same program on
/// different data, reached through libtorch's c10d process groups.
///
/// Every collective blocks until all ranks call it with tensors of the same shapes, dtypes
/// and order; a rank that never arrives turns into a `DistributedError` after `timeout`.
/// The group is safe to hand to another thread, but its collectives must be called from one
/// thread at a time, in the same order on every rank.
public final class ProcessGroup: @unchecked Sendable {
    private let handle: OpaquePointer
    public let backend: DistributedBackend
    public let rank: Int
    public let worldSize: Int
    /// Bound on joining and on each collective.
    public let timeout: Duration

    /// The default bound on joining and on each collective.
    public static let defaultTimeout: Duration = .seconds(60)

    /// Joins the group; blocks until all `worldSize` ranks have joined or `timeout` passes.
    public init(
        backend: DistributedBackend = .gloo, rank: Int, worldSize: Int, rendezvous: Rendezvous,
        timeout: Duration = ProcessGroup.defaultTimeout
    ) throws {
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        let raw: OpaquePointer?
        switch rendezvous {
        case .tcp(let host, let port):
            raw = ct_group_create(backend.rawValue, Int32(rank), Int32(worldSize), host, Int32(clamping: port), nil, milliseconds)
        case .file(let path):
            raw = ct_group_create(backend.rawValue, Int32(rank), Int32(worldSize), nil, 0, path, milliseconds)
        }
        guard let raw else { throw DistributedError.last() }
        self.handle = raw
        self.backend = backend
        self.rank = rank
        self.worldSize = worldSize
        self.timeout = timeout
    }

    deinit {
        ct_group_free(handle)
    }

    /// Whether this build can create groups of `backend`, or why not.
    public static func check(_ backend: DistributedBackend) -> Result<Void, DistributedError> {
        ct_group_backend_available(backend.rawValue) == 1 ? .success(()) : .failure(.last("\(backend.rawValue) backend"))
    }

    /// Replaces every tensor, in place, by its elementwise mean over the ranks.
    /// Tensors of one dtype travel as one flattened buffer: one collective per call.
    public func allReduceMean(_ tensors: [Tensor]) throws {
        try allReduce(tensors, average: true)
    }

    /// Replaces every tensor, in place, by its elementwise sum over the ranks.
    public func allReduceSum(_ tensors: [Tensor]) throws {
        try allReduce(tensors, average: false)
    }

    /// Overwrites every tensor, in place, with `root`'s values.
    public func broadcast(_ tensors: [Tensor], from root: Int = 0) throws {
        try withHandles(tensors) { pointer, count in
            if ct_group_broadcast(handle, pointer, count, Int32(root)) != 0 { throw DistributedError.last() }
        }
    }

    /// Returns once every rank has reached it.
    public func barrier() throws {
        if ct_group_barrier(handle) != 0 { throw DistributedError.last() }
    }

    private func allReduce(_ tensors: [Tensor], average: Bool) throws {
        try withHandles(tensors) { pointer, count in
            if ct_group_all_reduce(handle, pointer, count, average ? 1 : 0) != 0 {
                throw DistributedError.last()
            }
        }
    }

    private func withHandles(_ tensors: [Tensor], _ body: (UnsafePointer<OpaquePointer?>?, Int64) throws -> Void) throws {
        guard !tensors.isEmpty else { return }
        let handles: [OpaquePointer?] = tensors.map { $0.handle }
        try withExtendedLifetime(tensors) {
            try handles.withUnsafeBufferPointer { try body($0.baseAddress, Int64($0.count)) }
        }
    }
}
