import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes the folder `path` and any missing parents, like `mkdir -p`. A failure is a
/// `PhotoError` naming the folder that could not be made and the system's reason in one
/// line ("/proc/self/x: cannot create this folder: No such file or directory"), where
/// FileManager's error would print a Foundation error dump.
public func createFolder(_ path: String) throws {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
        prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
        if mkdir(prefix, 0o777) == 0 { continue }
        let code = errno
        var info = stat()
        if stat(prefix, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw PhotoError(path: prefix, problem: "is a file, so the folder \(path) cannot be made", kind: .badArgument)
            }
            continue
        }
        throw PhotoError(path: prefix, problem: "cannot create this folder: \(String(cString: strerror(code)))", kind: .internal)
    }
}
