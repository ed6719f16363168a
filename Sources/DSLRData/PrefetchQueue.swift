import Foundation

/// Background threads that build numbered items ahead of the consumer, at most `depth`
/// ahead, and hand them over strictly in order.
final class PrefetchQueue<Item: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var claimed: Int
    private var delivered: Int
    private var ready: [Int: Result<Item, any Error>] = [:]
    private var stopped = false
    private let depth: Int
    private let build: @Sendable (Int) throws -> Item

    init(start: Int, workers: Int, depth: Int, build: @escaping @Sendable (Int) throws -> Item) {
        claimed = start; delivered = start; self.depth = depth; self.build = build
        for _ in 0..<workers {
            let thread = Thread { [self] in work() }
            thread.name = "dslr.data.prefetch"
            thread.start()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while !stopped && claimed >= delivered + depth { condition.wait() }
            if stopped { condition.unlock(); return }
            let number = claimed
            claimed += 1
            condition.unlock()
            let result = Result { try build(number) }
            condition.lock()
            ready[number] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The item `number`, which must be the next in order; waits until it is built.
    func take(_ number: Int) throws -> Item {
        condition.lock()
        defer { condition.unlock() }
        precondition(number == delivered, "PrefetchQueue items are taken in order")
        while ready[number] == nil { condition.wait() }
        let result = ready.removeValue(forKey: number)!
        delivered += 1
        condition.broadcast()
        return try result.get()
    }

    /// Lets the threads finish their current item and exit.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
