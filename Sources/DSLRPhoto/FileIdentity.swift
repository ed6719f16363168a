import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One file on disk, however it is named: its device and inode. Two paths that are hard
/// links of each other (or reach one file through a bind mount) have the same identity,
/// which comparing paths, even with links resolved, cannot see.
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    /// The identity of the file at `path` (symbolic links followed); nil when nothing is there.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// `path` absolute, with `.`, `..` and symbolic links resolved.
public func canonicalPath(_ path: String) -> String {
    URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
}

/// Whether two paths name one file: the same canonical path, or the same existing file.
public func sameFile(_ a: String, _ b: String) -> Bool {
    if canonicalPath(a) == canonicalPath(b) { return true }
    guard let x = FileIdentity(path: a), let y = FileIdentity(path: b) else { return false }
    return x == y
}
