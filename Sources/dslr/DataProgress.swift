import Foundation

/// A one-line progress display on a terminal (items, rate, time left); silent when stderr
/// is not a terminal, so logs stay clean.
struct DataProgress {
    let label: String
    let start = Date()
    let enabled = isatty(STDERR_FILENO) != 0

    func update(_ done: Int, _ total: Int) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "\r%@ %d/%d  %.2f/s  ETA %@   ", label, done, total, rate, clock(left))
        FileHandle.standardError.write(Data(line.utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }
}

/// Writes a line to stderr (warnings, skipped files).
func warn(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}
