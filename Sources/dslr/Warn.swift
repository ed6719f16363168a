import Foundation

/// Writes a line to stderr (warnings, skipped files).
func warn(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}
