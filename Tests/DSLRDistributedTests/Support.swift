import DSLRDistributed
import Foundation

/// A fresh path for a FileStore rendezvous (c10d removes the file when every rank has left).
func storePath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("dslr-\(name)-\(UUID().uuidString)").path
}

/// Runs `body(rank)` for each rank on its own thread (collectives block until every rank
/// arrives, so the ranks must run at the same time) and returns the results by rank.
func onRanks<R: Sendable>(_ worldSize: Int, _ body: @escaping @Sendable (Int) throws -> R) throws -> [R] {
    let results = RankResults<R>(worldSize)
    let done = DispatchGroup()
    for rank in 0..<worldSize {
        done.enter()
        let thread = Thread {
            results.set(rank, Result { try body(rank) })
            done.leave()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
    done.wait()
    return try results.values.map { try $0!.get() }
}

final class RankResults<R: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Result<R, any Error>?]
    init(_ count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ rank: Int, _ value: Result<R, any Error>) { lock.withLock { storage[rank] = value } }
    var values: [Result<R, any Error>?] { lock.withLock { storage } }
}
