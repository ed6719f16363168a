import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why the thing at `path` (links followed) cannot be read as a file, or nil for a regular
/// file. A FIFO or character device would block or never end (`/dev/zero`), so readers refuse
/// them before opening.
public func notARegularFile(_ path: String) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return nil
    case S_IFDIR: return "is a folder"
    case S_IFIFO: return "is a FIFO (named pipe), not a regular file"
    case S_IFCHR, S_IFBLK: return "is a device, not a regular file"
    case S_IFSOCK: return "is a socket, not a regular file"
    default: return "is not a regular file"
    }
}
