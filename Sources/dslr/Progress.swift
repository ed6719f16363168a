import Foundation

/// Progress of long work on stderr: a redrawn bar on a terminal, plain lines otherwise.
final class ProgressReporter: @unchecked Sendable {
    let total: Int
    let unit: String
    let isTerminal = isatty(2) == 1
    private let lock = NSLock()
    private let start = Date()
    private var done = 0
    private var work = 0.0
    private var current = ""
    private var lastDraw = Date.distantPast

    init(total: Int, unit: String) {
        self.total = total
        self.unit = unit
    }

    /// A step inside the current item (e.g. tiles), redrawn at most 10 times a second.
    func step(_ label: String) {
        lock.lock(); defer { lock.unlock() }
        current = label
        guard isTerminal, Date().timeIntervalSince(lastDraw) > 0.1 else { return }
        draw()
    }

    /// One item finished: `line` is printed on its own line (always, so logs keep it).
    func finish(_ line: String, work amount: Double = 0) {
        lock.lock(); defer { lock.unlock() }
        done += 1
        work += amount
        printLine(line)
    }

    /// A line of its own (a log line about the current item) that does not count as an item.
    func note(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        printLine(line)
    }

    /// Prints `line` under the bar, which is redrawn after it; the lock is held.
    private func printLine(_ line: String) {
        if isTerminal { clear() }
        FileHandle.standardError.write(Data((line + "\n").utf8))
        if isTerminal && done < total { draw() }
    }

    /// Work reported as a running count (`done` of `total` items finished): redraws the bar
    /// on a terminal and ends its line when everything is done; silent otherwise.
    func update(_ done: Int, _ total: Int) {
        lock.lock(); defer { lock.unlock() }
        self.done = done
        guard isTerminal else { return }
        if done >= total {
            clear()
            FileHandle.standardError.write(Data(String(format: "%d/%d %@ in %@\n", done, total, unit, formatDuration(elapsed)).utf8))
        } else if Date().timeIntervalSince(lastDraw) > 0.1 {
            draw()
        }
    }

    /// Seconds since the start.
    var elapsed: Double { Date().timeIntervalSince(start) }

    private func clear() { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }

    private func draw() {
        lastDraw = Date()
        let t = elapsed
        let rate = t > 0 ? Double(done) / t : 0
        let eta = rate > 0 ? formatDuration(Double(total - done) / rate) : "--:--"
        let width = 24
        let filled = total > 0 ? width * done / total : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let text = String(format: "[%@] %d/%d %@ | %.2f %@/s | ETA %@ | %@", bar, done, total, unit, rate, unit, eta, current)
        clear()
        FileHandle.standardError.write(Data(String(text.prefix(160)).utf8))
    }
}

/// "1:02:03" or "2:03".
func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--:--" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
}
