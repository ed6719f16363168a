import DSLRPhoto
import DSLRTensor
import Foundation

/// Freely licensed photographs that a Debian package installs, usable as high-quality
/// sources for synthetic pairs and as test photos without downloads outside the package
/// registries.
public struct PhotoSource: Sendable, Equatable {
    /// The name `dslr data photos --source` takes.
    public var name: String
    public var package: String
    /// Where the package installs its photos.
    public var directory: String
    /// The folders under `directory` that hold photographs (not drawings).
    public var folders: [String]

    /// mate-backgrounds' nature photographs (12 JPEGs of 1280 to 2560 pixels, GPL-2+).
    public static let debianMate = PhotoSource(
        name: "debian-mate", package: "mate-backgrounds", directory: "/usr/share/backgrounds/mate", folders: ["nature"])
    public static let all = [debianMate]

    public static func named(_ name: String) throws -> PhotoSource {
        guard let source = all.first(where: { $0.name == name }) else {
            throw DataError("unknown photo source '\(name)' (known: \(all.map(\.name).joined(separator: ", ")))")
        }
        return source
    }

    public var copyrightFile: String { "/usr/share/doc/\(package)/copyright" }

    /// The installed photos, in natural order; an error says how to install the package.
    public func photoPaths() throws -> [String] {
        let paths = folders.flatMap { photos(in: URL(fileURLWithPath: directory).appendingPathComponent($0)) }
        guard !paths.isEmpty else {
            throw DataError("\(directory): no photos; install the Debian package \(package) (scripts/setup.sh does)")
        }
        return paths
    }
}

/// One photo copied by `installPhotos`.
public struct InstalledPhoto: Sendable, Equatable {
    public var file: String
    public var origin: String
    public var copyright: [String]
    public var license: String
}

/// Copies the photos of `source` into `folder` (at most `limit`, shrunk to `maxSide` and
/// re-encoded as JPEG when given, else byte for byte) and writes `LICENSE.md` naming the
/// package, version and each photo's copyright and licence, plus the licence texts from
/// /usr/share/common-licenses.
@discardableResult
public func installPhotos(
    from source: PhotoSource, to folder: String, maxSide: Int? = nil, limit: Int? = nil
) throws -> [InstalledPhoto] {
    var paths = try source.photoPaths()
    if let limit { paths = Array(paths.prefix(max(0, limit))) }
    let licensed = try source.licences(of: paths)
    let out = try createFolder(folder)
    for photo in licensed {
        let destination = out.appendingPathComponent(photo.file).path
        if let maxSide {
            let pixels = try shrink(readPhoto(photo.origin).pixels, maxSide: maxSide)
            try writePhoto(Photo(pixels: pixels), to: destination, options: EncodeOptions(quality: 95, keepMetadata: false))
        } else {
            try? FileManager.default.removeItem(atPath: destination)
            do { try FileManager.default.copyItem(atPath: photo.origin, toPath: destination) } catch {
                throw DataError("\(destination): cannot copy \(photo.origin) (\(error.localizedDescription))")
            }
        }
    }
    try writeLicense(licensed, source: source, to: out, note: maxSide.map {
        ", shrunk to at most \($0) pixels on the longer side and re-encoded as JPEG" } ?? "")
    return licensed
}

/// Writes `LICENSE.md` (and the licence texts) for a dataset made from photos of `source`
/// into `folder`, so derived files keep their sources' notices.
public func writeSourceLicence(for paths: [String], source: PhotoSource, to folder: String) throws {
    try writeLicense(source.licences(of: paths), source: source, to: createFolder(folder),
                     note: ", degraded and cut into patches by `dslr data synth`")
}

extension PhotoSource {
    /// Each photo's copyright and licence from the package's DEP-5 copyright file.
    func licences(of paths: [String]) throws -> [InstalledPhoto] {
        guard let copyrightText = try? String(contentsOfFile: copyrightFile, encoding: .utf8) else {
            throw DataError("\(copyrightFile): cannot read the licence of package \(package)")
        }
        let stanzas = parseDebianCopyright(copyrightText)
        return try paths.map { path in
            let relative = String(path.dropFirst(directory.count + 1))
            guard let stanza = copyrightStanza(for: relative, in: stanzas) else {
                throw DataError("\(path): no licence for it in \(copyrightFile)")
            }
            return InstalledPhoto(
                file: (path as NSString).lastPathComponent, origin: path, copyright: stanza.copyright, license: stanza.license)
        }
    }
}

private func createFolder(_ folder: String) throws -> URL {
    let out = URL(fileURLWithPath: folder)
    do { try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true) } catch {
        throw DataError("\(folder): cannot create folder (\(error.localizedDescription))")
    }
    return out
}

private func writeLicense(_ photos: [InstalledPhoto], source: PhotoSource, to out: URL, note: String) throws {
    let version = packageVersion(source.package).map { " \($0)" } ?? ""
    var text = """
        # Photos from the Debian package \(source.package)\(version)

        From \(source.directory) (`--source \(source.name)`)\(note).
        Licences as stated in \(source.copyrightFile); full texts of the licences are next to this file.

        | file | copyright | licence |
        | --- | --- | --- |

        """
    for photo in photos {
        text += "| \(photo.file) | \(photo.copyright.joined(separator: "; ")) | \(photo.license) |\n"
    }
    try Data(text.utf8).write(to: out.appendingPathComponent("LICENSE.md"))
    // GPL-2+ → /usr/share/common-licenses/GPL-2, CC-BY-SA-4.0 has no common copy.
    for license in Set(photos.map { $0.license.replacingOccurrences(of: "+", with: "") }) {
        let common = "/usr/share/common-licenses/\(license)"
        let copy = out.appendingPathComponent("\(license).txt")
        if FileManager.default.fileExists(atPath: common), !FileManager.default.fileExists(atPath: copy.path) {
            try? FileManager.default.copyItem(atPath: common, toPath: copy.path)
        }
    }
}

/// The installed version of a Debian package, from dpkg's status file.
func packageVersion(_ package: String) -> String? {
    guard let status = try? String(contentsOfFile: "/var/lib/dpkg/status", encoding: .utf8) else { return nil }
    for block in status.components(separatedBy: "\n\n") where block.hasPrefix("Package: \(package)\n") {
        return block.split(separator: "\n").first { $0.hasPrefix("Version: ") }.map { String($0.dropFirst(9)) }
    }
    return nil
}

extension PhotoSource {
    /// The first `count` photos of the source, decoded and shrunk to at most `maxSide`
    /// pixels on the longer side: [3, h, w] sRGB tensors in [0, 1], for tests and demos that
    /// want real photographs quickly.
    public func smallPhotos(count: Int = 4, maxSide: Int = 256) throws -> [Tensor] {
        try photoPaths().prefix(max(0, count)).map { try shrink(readPhoto($0).pixels, maxSide: maxSide) }
    }
}
