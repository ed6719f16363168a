import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `photo` to `path` in the format its extension names, atomically (temp file + rename).
///
/// The photo is encoded completely in memory first, then written to a hidden temporary
/// file in the same folder, fsynced and renamed over `path`. On any failure the temporary
/// file is removed and a file already at `path` is left as it was.
public func writePhoto(_ photo: Photo, to path: String, options: EncodeOptions = EncodeOptions()) throws {
    let fileExtension = URL(fileURLWithPath: path).pathExtension
    guard let format = PhotoFormat(fileExtension: fileExtension) else {
        throw PhotoError(
            path: path,
            problem: "unknown photo extension \"\(fileExtension)\" (use jpg, jpeg, png, tif, tiff, webp, heic or heif)",
            kind: .badArgument)
    }
    let bytes = try encode(photo, format: format, options: options, context: VipsContext(path: path))
    try writeAtomically(bytes, to: path)
}

/// Writes `bytes` to `path` atomically: a temporary file in the target's folder (so the rename
/// cannot cross file systems), fsync, rename, then fsync of the folder so the new name
/// survives a crash. A failure leaves any file at `path` as it was and is a `PhotoError`
/// naming `path` and the system's reason in one line. Every file a command writes (reports,
/// recipes, licences) goes through here, not only photos.
public func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    let target = URL(fileURLWithPath: path)
    let folder = target.deletingLastPathComponent().path
    // A prefix of the name only: the full name plus a suffix could pass the 255-byte limit
    // of a file name that the target itself fits in.
    let temporary = "\(folder)/.\(String(target.lastPathComponent.prefix(40))).\(UInt64.random(in: 0...UInt64.max)).tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard descriptor >= 0 else {
        throw PhotoError(path: path, problem: "cannot create a temporary file in \(folder): \(errorText(errno))", kind: .internal)
    }
    var done = false
    defer { if !done { unlink(temporary) } }
    do {
        defer { close(descriptor) }
        try writeAll(bytes, to: descriptor, path: path)
        guard fsync(descriptor) == 0 else { throw PhotoError(path: path, problem: "fsync failed: \(errorText(errno))", kind: .internal) }
    }
    guard rename(temporary, path) == 0 else {
        throw PhotoError(path: path, problem: "cannot move the temporary file into place: \(errorText(errno))", kind: .internal)
    }
    done = true
    let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if folderDescriptor >= 0 {
        // Some file systems cannot fsync a folder; the rename has happened all the same.
        _ = fsync(folderDescriptor)
        close(folderDescriptor)
    }
}

/// `text` as UTF-8, written as `writeAtomically(_:to:)` does.
public func writeAtomically(_ text: String, to path: String) throws {
    try writeAtomically(Array(text.utf8), to: path)
}

private func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
    try bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw PhotoError(path: path, problem: "write failed: \(errorText(errno))", kind: .internal)
            }
            offset += written
        }
    }
}

private func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
