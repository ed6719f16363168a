import Foundation

/// Rank, world size and rendezvous read from the environment, with PyTorch's names
/// (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) so `torchrun`-style launchers work too;
/// DSLRKIT_DIST_FILE picks a file rendezvous instead of TCP, DSLRKIT_DIST_BACKEND the backend
/// and DSLRKIT_DIST_TIMEOUT the timeout in seconds.
public struct DistributedEnvironment: Sendable, Equatable {
    public var backend: DistributedBackend
    public var rank: Int
    public var worldSize: Int
    public var rendezvous: Rendezvous
    public var timeout: Duration

    /// nil when WORLD_SIZE is unset (a plain single-process run); throws when the variables
    /// are present but incomplete or malformed.
    public static func read(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Self? {
        guard let sizeText = environment["WORLD_SIZE"] else { return nil }
        func integer(_ name: String, _ text: String?) throws -> Int {
            guard let text else { throw DistributedError("\(name) is not set (WORLD_SIZE is \(sizeText))") }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw DistributedError("\(name)=\(text) is not an integer")
            }
            return value
        }
        let worldSize = try integer("WORLD_SIZE", sizeText)
        let rank = try integer("RANK", environment["RANK"])
        guard worldSize >= 1, (0..<worldSize).contains(rank) else {
            throw DistributedError("RANK=\(rank) is outside 0..<WORLD_SIZE=\(worldSize)")
        }
        let rendezvous: Rendezvous
        if let path = environment["DSLRKIT_DIST_FILE"], !path.isEmpty {
            rendezvous = .file(path: path)
        } else {
            let host = environment["MASTER_ADDR"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
            rendezvous = .tcp(host: host, port: try integer("MASTER_PORT", environment["MASTER_PORT"]))
        }
        var backend = DistributedBackend.gloo
        if let name = environment["DSLRKIT_DIST_BACKEND"], !name.isEmpty {
            guard let parsed = DistributedBackend(rawValue: name.lowercased()) else {
                throw DistributedError("DSLRKIT_DIST_BACKEND=\(name) is not one of gloo, nccl")
            }
            backend = parsed
        }
        var timeout = ProcessGroup.defaultTimeout
        if let text = environment["DSLRKIT_DIST_TIMEOUT"], !text.isEmpty {
            guard let seconds = Double(text), seconds > 0 else {
                throw DistributedError("DSLRKIT_DIST_TIMEOUT=\(text) is not a positive number of seconds")
            }
            timeout = .milliseconds(Int((seconds * 1000).rounded()))
        }
        return Self(backend: backend, rank: rank, worldSize: worldSize, rendezvous: rendezvous, timeout: timeout)
    }
}

extension ProcessGroup {
    /// Joins the group the environment describes (see `DistributedEnvironment`), or returns
    /// nil when this is not a distributed run.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ProcessGroup?
    {
        guard let settings = try DistributedEnvironment.read(environment) else { return nil }
        return try ProcessGroup(
            backend: settings.backend, rank: settings.rank, worldSize: settings.worldSize,
            rendezvous: settings.rendezvous, timeout: settings.timeout)
    }
}
