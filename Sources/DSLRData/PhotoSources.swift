import DSLRPhoto
import DSLRTensor
import Foundation

/// Freely licensed photographs that a Debian package installs, usable as high-quality
/// sources for synthetic pairs and as test photos without downloads outside the package
/// registries. A combined source (`parts` not empty) unions other sources.
public struct PhotoSource: Sendable, Equatable {
    /// The name `dslr data photos --source` takes.
    public var name: String
    public var package: String
    /// Where the package installs its photos.
    public var directory: String
    /// The folders under `directory` that hold only photographs (not drawings): every photo in them is used.
    public var folders: [String]
    /// Photographs named one by one, relative to `directory`, for packages that mix them with drawings.
    public var files: [String]
    /// Where `directory` lies in the package's source tree, as its copyright file names paths
    /// ("" when the installed layout is the source layout).
    public var sourcePrefix: String
    /// Upstream notices (credits, licence files) relative to `directory`, copied next to LICENSE.md.
    public var notices: [String]
    /// Whole photos (relative to `directory`) that training never uses: synthesis keeps them for testing.
    public var heldOut: [String]
    /// The sources a combined source unions (empty for a package's source).
    public var parts: [PhotoSource]

    public init(name: String, package: String, directory: String, folders: [String] = [], files: [String] = [],
                sourcePrefix: String = "", notices: [String] = [], heldOut: [String] = [], parts: [PhotoSource] = []) {
        self.name = name; self.package = package; self.directory = directory; self.folders = folders; self.files = files
        self.sourcePrefix = sourcePrefix; self.notices = notices; self.heldOut = heldOut; self.parts = parts
    }

    /// mate-backgrounds' nature photographs (12 JPEGs of 1280 to 2560 pixels, GPL-2+).
    public static let debianMate = PhotoSource(
        name: "debian-mate", package: "mate-backgrounds", directory: "/usr/share/backgrounds/mate", folders: ["nature"],
        heldOut: ["nature/Garden.jpg"])

    /// plasma-workspace-wallpapers' unprocessed photographs (5 JPEGs of 2560×1600, GPL-2+ by
    /// Debian's copyright file; each wallpaper's metadata.json names its photographer and
    /// says LGPLv3). Its drawings and renders, the black-and-white photos (ColdRipple, Grey)
    /// and the heavily colour-graded or tone-mapped ones (BytheWater, ColorfulCups,
    /// DarkestHour, EveningGlow) are left out. KDE's layout `NAME/contents/images/WxH.jpg`
    /// is installed as `NAME.jpg`.
    public static let debianPlasma = PhotoSource(
        name: "debian-plasma", package: "plasma-workspace-wallpapers", directory: "/usr/share/wallpapers",
        files: ["FallenLeaf", "Kite", "OneStandsOut", "Path", "summer_1am"].map { "\($0)/contents/images/2560x1600.jpg" },
        notices: ["FallenLeaf", "Kite", "OneStandsOut", "Path", "summer_1am"].map { "\($0)/metadata.json" },
        heldOut: ["Path/contents/images/2560x1600.jpg"])

    /// lxqt-themes' photographs (10 PNGs and JPEGs of 1920 to 3000 pixels, LGPL-2.1+ by
    /// Debian's copyright file; upstream's wallpapers/License says CC-BY-SA-3.0 and credits
    /// stefonarch). Its origami, logo and polygon drawings and the faded
    /// Butterfly-Kenneth-Wimer.jpg are left out.
    public static let debianLXQt = PhotoSource(
        name: "debian-lxqt", package: "lxqt-themes", directory: "/usr/share/lxqt/wallpapers",
        files: ["Valendas.png", "after-the-rain.jpg", "appleflower.png", "beam.png", "butterfly.png", "cloud.png",
                "drop.png", "flowers.png", "fog.jpg", "this-is-not-windows.jpg"],
        sourcePrefix: "wallpapers", notices: ["License"], heldOut: ["fog.jpg"])

    /// lomiri-wallpapers-16.04's photographs (13 JPEGs of 1365 to 5312 pixels from Ubuntu's
    /// 2018 wallpaper contest: CC-BY-4.0, CC-BY-SA-4.0 and CC0-1.0, per photo). The
    /// abstract analogpattern and umang are left out.
    public static let debianLomiri1604 = PhotoSource(
        name: "debian-lomiri-16.04", package: "lomiri-wallpapers-16.04", directory: "/usr/share/backgrounds",
        files: ["Bridge_by_Sander_Klootwijk.jpg", "Dragonfly_by_Bolly.jpg", "Picture_0B_by_freespace.jpg",
                "Picture_1A_by_freespace.jpg", "Wine_by_Jakkub_Mede.jpg", "aitzgorri_by_Aitzol_Berasategi.jpg",
                "free_by_Peter_Nerlich.jpg", "friends_by_Aitzol_Berasategi.jpg", "greentock_by_Peter_Nerlich.jpg",
                "life_by_Aitzol_Berasategi.jpg", "picosdeeuropa_by_Aitzol_Berasategi.jpg",
                "seeding_by_Clements_Engelhardt.jpg", "sunset_by_Aitzol_Berasategi.jpg"],
        sourcePrefix: "16.04", heldOut: ["friends_by_Aitzol_Berasategi.jpg", "seeding_by_Clements_Engelhardt.jpg"])

    /// lomiri-wallpapers-20.04's one photograph (a nuthatch, 6028×3391, CC-BY-SA-3.0); its
    /// other three wallpapers are drawings or composites.
    public static let debianLomiri2004 = PhotoSource(
        name: "debian-lomiri-20.04", package: "lomiri-wallpapers-20.04", directory: "/usr/share/backgrounds",
        files: ["Kleiber_by_Lukas_Baubkus.jpg"], sourcePrefix: "20.04")

    /// Every package's photographs above (41 photos, 5 of them held out).
    public static let debianAll = PhotoSource(
        name: "debian-all", package: "", directory: "",
        parts: [debianMate, debianPlasma, debianLXQt, debianLomiri1604, debianLomiri2004])

    public static let all = [debianMate, debianPlasma, debianLXQt, debianLomiri1604, debianLomiri2004, debianAll]

    public static func named(_ name: String) throws -> PhotoSource {
        guard let source = all.first(where: { $0.name == name }) else {
            throw DataError("unknown photo source '\(name)' (known: \(all.map(\.name).joined(separator: ", ")))")
        }
        return source
    }

    /// The Debian packages a source needs.
    public var packages: [String] { parts.isEmpty ? [package] : parts.flatMap(\.packages) }

    public var copyrightFile: String { "/usr/share/doc/\(package)/copyright" }

    /// The held-out photos' installed paths (`heldOut` of every part for a combined source).
    public var heldOutPaths: [String] {
        parts.isEmpty ? heldOut.map { "\(directory)/\($0)" } : parts.flatMap(\.heldOutPaths)
    }

    /// Where the package installs each of the source's photos, whether installed or not
    /// (those of `folders` only when installed).
    var listedPaths: [String] {
        if !parts.isEmpty { return parts.flatMap(\.listedPaths) }
        return folders.flatMap { photos(in: URL(fileURLWithPath: directory).appendingPathComponent($0)) }
            + files.map { "\(directory)/\($0)" }
    }

    /// The installed photos, in natural order within each folder, then `files` in their
    /// order (each part's in turn for a combined source); an error says how to install the
    /// packages that are missing.
    public func photoPaths() throws -> [String] {
        if !parts.isEmpty {
            var missing: [String] = []
            var paths: [String] = []
            for part in parts {
                do { paths += try part.photoPaths() } catch { missing += part.packages }
            }
            guard missing.isEmpty else {
                throw DataError("\(name): photos missing; install the Debian packages \(missing.joined(separator: " ")) "
                    + "(DSLRKIT_APT_PACKAGES=\"\(missing.joined(separator: " "))\" bash scripts/setup.sh does)")
            }
            return paths
        }
        let paths = listedPaths
        let present = paths.filter { FileManager.default.fileExists(atPath: $0) }
        guard !present.isEmpty else {
            throw DataError("\(directory): no photos; install the Debian package \(package) (scripts/setup.sh does)")
        }
        if let absent = paths.first(where: { !present.contains($0) }) {
            throw DataError("\(absent): missing; the installed \(package) is not the version this source lists")
        }
        return paths
    }

    /// The name a photo is copied under: its file name, or `NAME.ext` for KDE's wallpaper
    /// layout `NAME/contents/images/WxH.ext`.
    static func outputName(_ path: String) -> String {
        let parts = path.split(separator: "/").map(String.init)
        let ext = (path as NSString).pathExtension
        if parts.count >= 4, parts[parts.count - 3] == "contents", parts[parts.count - 2].hasPrefix("images") {
            return "\(parts[parts.count - 4]).\(ext)"
        }
        return (path as NSString).lastPathComponent
    }

    /// The path of an installed photo (under `directory`) as the copyright file names it.
    func copyrightPath(of path: String) -> String {
        let relative = path.hasPrefix(directory + "/") ? String(path.dropFirst(directory.count + 1)) : path
        return sourcePrefix.isEmpty ? relative : "\(sourcePrefix)/\(relative)"
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
/// package, version and each photo's copyright and licence (one section per package for a
/// combined source), the licence texts from /usr/share/common-licenses or else from the
/// package's copyright file, and the package's upstream notices.
@discardableResult
public func installPhotos(
    from source: PhotoSource, to folder: String, maxSide: Int? = nil, limit: Int? = nil
) throws -> [InstalledPhoto] {
    var paths = try source.photoPaths()
    if let limit { paths = Array(paths.prefix(max(0, limit))) }
    let groups = try source.licensedGroups(paths)
    let licensed = groups.flatMap(\.photos)
    var seen: Set<String> = []
    for photo in licensed where !seen.insert(photo.file).inserted {
        throw DataError("\(source.name): two photos would be copied as \(photo.file)")
    }
    let out = try outputFolder(folder)
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
    try writeLicense(groups, source: source, to: out, note: maxSide.map {
        ", shrunk to at most \($0) pixels on the longer side and re-encoded as JPEG" } ?? "")
    return licensed
}

/// Writes `LICENSE.md` (and the licence texts) for a dataset made from photos of `source`
/// into `folder`, so derived files keep their sources' notices.
public func writeSourceLicence(
    for paths: [String], source: PhotoSource, to folder: String, note: String = ", degraded and cut into patches by `dslr data synth`"
) throws {
    try writeLicense(source.licensedGroups(paths), source: source, to: outputFolder(folder), note: note)
}

/// The photos of one package's source with their licences.
struct LicensedGroup {
    var source: PhotoSource
    var photos: [InstalledPhoto]
    var licenseTexts: [String: String]
}

extension PhotoSource {
    /// The photos of `paths` grouped by package (one group unless the source is combined).
    func licensedGroups(_ paths: [String]) throws -> [LicensedGroup] {
        guard !parts.isEmpty else { return [try licences(of: paths)] }
        var groups: [LicensedGroup] = []
        var claimed: Set<String> = []
        for part in parts {
            let listed = Set(part.listedPaths)
            let mine = paths.filter { listed.contains($0) && !claimed.contains($0) }
            claimed.formUnion(mine)
            if !mine.isEmpty { groups.append(try part.licences(of: mine)) }
        }
        if let stray = paths.first(where: { !claimed.contains($0) }) {
            throw DataError("\(stray): not a photo of source \(name)")
        }
        return groups
    }

    /// Each photo's copyright and licence from the package's DEP-5 copyright file.
    func licences(of paths: [String]) throws -> LicensedGroup {
        guard let copyrightText = try? String(contentsOfFile: copyrightFile, encoding: .utf8) else {
            throw DataError("\(copyrightFile): cannot read the licence of package \(package)")
        }
        let stanzas = parseDebianCopyright(copyrightText)
        let photos = try paths.map { path in
            guard let stanza = copyrightStanza(for: copyrightPath(of: path), in: stanzas) else {
                throw DataError("\(path): no licence for it in \(copyrightFile)")
            }
            let relative = path.hasPrefix(directory + "/") ? String(path.dropFirst(directory.count + 1)) : path
            return InstalledPhoto(
                file: Self.outputName(relative), origin: path, copyright: stanza.copyright, license: stanza.license)
        }
        return LicensedGroup(source: self, photos: photos, licenseTexts: parseDebianLicenseTexts(copyrightText))
    }
}

private func outputFolder(_ folder: String) throws -> URL {
    let out = URL(fileURLWithPath: folder)
    try DSLRPhoto.createFolder(folder)
    return out
}

private func writeLicense(_ groups: [LicensedGroup], source: PhotoSource, to out: URL, note: String) throws {
    func table(_ group: LicensedGroup) -> String {
        var text = """
            | file | copyright | licence |
            | --- | --- | --- |

            """
        for photo in group.photos {
            text += "| \(photo.file) | \(photo.copyright.joined(separator: "; ")) | \(photo.license) |\n"
        }
        let notices = copyNotices(of: group.source, to: out)
        if !notices.isEmpty {
            text += "\nUpstream notices of \(group.source.package), copied next to this file: "
                + notices.map { "`\($0)`" }.joined(separator: ", ") + ".\n"
        }
        return text
    }
    func version(_ package: String) -> String { packageVersion(package).map { " \($0)" } ?? "" }
    var text: String
    if source.parts.isEmpty, let group = groups.first {
        text = """
            # Photos from the Debian package \(source.package)\(version(source.package))

            From \(source.directory) (`--source \(source.name)`)\(note).
            Licences as stated in \(source.copyrightFile); full texts of the licences are next to this file.


            """ + table(group)
    } else {
        text = """
            # Photos from Debian packages

            `--source \(source.name)`\(note): \(groups.map(\.source.package).joined(separator: ", ")).
            Licences as stated in each package's copyright file; full texts of the licences are next to this file.

            """
        for group in groups {
            text += """

                ## \(group.source.package)\(version(group.source.package))

                From \(group.source.directory) (`--source \(group.source.name)`); licences as stated in \(group.source.copyrightFile).


                """ + table(group)
        }
    }
    try writeAtomically(text, to: out.appendingPathComponent("LICENSE.md").path)
    // GPL-2+ → /usr/share/common-licenses/GPL-2; CC-BY-4.0 has no common copy, so its text
    // comes from the package's copyright file.
    for group in groups {
        for license in Set(group.photos.map(\.license)) {
            let name = license.replacingOccurrences(of: "+", with: "")
            let common = "/usr/share/common-licenses/\(name)"
            let copy = out.appendingPathComponent("\(name).txt")
            guard !FileManager.default.fileExists(atPath: copy.path) else { continue }
            if FileManager.default.fileExists(atPath: common) {
                try? FileManager.default.copyItem(atPath: common, toPath: copy.path)
            } else if let body = group.licenseTexts[license] {
                try writeAtomically(body, to: copy.path)
            }
        }
    }
}

/// Copies a source's upstream notices into `out` as `PACKAGE-PATH` (slashes as dashes) and
/// returns the names of those copied.
private func copyNotices(of source: PhotoSource, to out: URL) -> [String] {
    source.notices.compactMap { notice in
        let origin = "\(source.directory)/\(notice)"
        let name = "\(source.package)-\(notice.replacingOccurrences(of: "/", with: "-"))"
        let copy = out.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: origin) else { return nil }
        try? FileManager.default.removeItem(atPath: copy)
        return (try? FileManager.default.copyItem(atPath: origin, toPath: copy)) != nil ? name : nil
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
