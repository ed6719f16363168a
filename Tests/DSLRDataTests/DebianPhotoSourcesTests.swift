@testable import DSLRData
import Foundation
import Testing

/// The Debian photo sources against excerpts of their packages' real copyright files
/// (Fixtures/copyright-*.txt), so the licences are checked without the packages; the
/// installed photos are checked only where the packages are installed.
@Suite struct DebianPhotoSourcesTests {
    func stanzas(_ fixture: String) throws -> [CopyrightStanza] {
        parseDebianCopyright(try String(contentsOf: fixtureURL(fixture), encoding: .utf8))
    }

    /// Each listed photo's (copyright path, licence) through the source's own mapping.
    func licences(of source: PhotoSource, fixture: String) throws -> [String: String] {
        let stanzas = try self.stanzas(fixture)
        var result: [String: String] = [:]
        for file in source.files {
            let path = source.copyrightPath(of: "\(source.directory)/\(file)")
            result[file] = copyrightStanza(for: path, in: stanzas)?.license
        }
        return result
    }

    @Test func plasmaPhotosAreGPL2PlusAndNamedAfterTheirWallpaper() throws {
        let source = PhotoSource.debianPlasma
        let licences = try self.licences(of: source, fixture: "copyright-plasma-workspace-wallpapers.txt")
        #expect(licences.count == 5)
        #expect(licences.values.allSatisfy { $0 == "GPL-2+" })
        #expect(copyrightStanza(for: "Path/contents/images/2560x1600.jpg", in: try stanzas("copyright-plasma-workspace-wallpapers.txt"))?
            .copyright == ["2014 KDE Visual Design Group http://vdesign.kde.org/"])
        #expect(PhotoSource.outputName("Path/contents/images/2560x1600.jpg") == "Path.jpg")
        #expect(PhotoSource.outputName("nature/Garden.jpg") == "Garden.jpg")
        #expect(source.notices.count == 5)
    }

    @Test func lxqtWallpapersAreFoundUnderTheirSourceFolder() throws {
        let source = PhotoSource.debianLXQt
        let licences = try self.licences(of: source, fixture: "copyright-lxqt-themes.txt")
        #expect(licences.count == 10)
        #expect(licences.values.allSatisfy { $0 == "LGPL-2.1+" })
        // The copyright file names paths in the source tree: wallpapers/kde-plasma.png is
        // LGPL-3, which only the source prefix finds.
        let stanzas = try self.stanzas("copyright-lxqt-themes.txt")
        #expect(copyrightStanza(for: source.copyrightPath(of: "/usr/share/lxqt/wallpapers/kde-plasma.png"), in: stanzas)?.license == "LGPL-3")
        #expect(stanzas.first { $0.patterns.contains("graphics/*") }?.license == "CC-BY-SA-3.0")
        #expect(stanzas.first { $0.patterns.contains("graphics/*") }?.patterns.count == 6)
    }

    @Test func lomiriPhotosHaveTheirOwnLicences() throws {
        let source = PhotoSource.debianLomiri1604
        let licences = try self.licences(of: source, fixture: "copyright-lomiri-wallpapers.txt")
        #expect(licences.count == 13)
        #expect(licences["seeding_by_Clements_Engelhardt.jpg"] == "CC0-1.0")
        #expect(licences["Bridge_by_Sander_Klootwijk.jpg"] == "CC-BY-SA-4.0")
        #expect(licences["friends_by_Aitzol_Berasategi.jpg"] == "CC-BY-4.0")
        #expect(licences.values.allSatisfy { ["CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0"].contains($0) })
        let kleiber = try self.licences(of: .debianLomiri2004, fixture: "copyright-lomiri-wallpapers.txt")
        #expect(kleiber == ["Kleiber_by_Lukas_Baubkus.jpg": "CC-BY-SA-3.0"])
        let stanzas = try self.stanzas("copyright-lomiri-wallpapers.txt")
        #expect(copyrightStanza(for: "16.04/Dragonfly_by_Bolly.jpg", in: stanzas)?.copyright == ["\"Bolly\", 2018"])
        // Without the source prefix nothing matches: the file has no `Files: *` stanza.
        #expect(copyrightStanza(for: "Dragonfly_by_Bolly.jpg", in: stanzas) == nil)
    }

    @Test func licenceTextsComeFromStandAloneLicenseStanzas() throws {
        let texts = parseDebianLicenseTexts(try String(contentsOf: fixtureURL("copyright-lomiri-wallpapers.txt"), encoding: .utf8))
        let ccBy = try #require(texts["CC-BY-4.0"])
        #expect(ccBy.hasPrefix("Attribution 4.0 International\n\n===="))
        let lxqt = parseDebianLicenseTexts(try String(contentsOf: fixtureURL("copyright-lxqt-themes.txt"), encoding: .utf8))
        #expect(lxqt["LGPL-2.1+"]?.contains("version 2.1 of the License") == true)
        #expect(lxqt["LGPL-3"] != nil)
    }

    @Test func everySourceIsNamedOnceAndCopiesUnderDistinctNames() throws {
        #expect(Set(PhotoSource.all.map(\.name)).count == PhotoSource.all.count)
        for source in PhotoSource.all { #expect(try PhotoSource.named(source.name) == source) }
        let all = PhotoSource.debianAll
        #expect(all.parts.count == PhotoSource.all.count - 1)
        #expect(all.packages == ["mate-backgrounds", "plasma-workspace-wallpapers", "lxqt-themes",
                                 "lomiri-wallpapers-16.04", "lomiri-wallpapers-20.04"])
        let listed = all.parts.filter { $0.folders.isEmpty }.flatMap { part in part.files.map(PhotoSource.outputName) }
        #expect(Set(listed).count == listed.count)
        #expect(!listed.contains { ["Aqua.jpg", "Garden.jpg"].contains($0) })
    }

    @Test func theHeldOutPhotosAreFixedWholePhotosFromSeveralPackages() throws {
        let all = PhotoSource.debianAll
        let heldOut = all.heldOutPaths
        #expect(heldOut.count == 5)
        #expect(Set(all.parts.filter { !$0.heldOut.isEmpty }.map(\.package)).count == 4)
        for part in all.parts {
            for file in part.heldOut { #expect(part.folders.contains { file.hasPrefix("\($0)/") } || part.files.contains(file)) }
        }
        #expect(heldOut.contains("/usr/share/backgrounds/mate/nature/Garden.jpg"))
        // debian-mate keeps the photo the name hash held out before the list existed.
        let mate = ["Aqua", "Blinds", "Dune", "FreshFlower", "Garden", "GreenMeadow", "LadyBird", "RainDrops", "Storm",
                    "TwoWings", "Wood", "YellowFlower"].map { "/usr/share/backgrounds/mate/nature/\($0).jpg" }
        #expect(mate.filter { isHeldOut($0, fraction: 0.1) } == PhotoSource.debianMate.heldOutPaths)
    }

    static let allInstalled = PhotoSource.debianAll.packages.allSatisfy {
        FileManager.default.fileExists(atPath: "/usr/share/doc/\($0)/copyright")
    }

    @Test(.enabled(if: allInstalled, "needs the packages of debian-all (DSLRKIT_APT_PACKAGES in scripts/train-default.sh)"))
    func debianAllCopiesEveryPhotoWithItsLicence() throws {
        let source = PhotoSource.debianAll
        let paths = try source.photoPaths()
        #expect(paths.count == 41)
        #expect(Set(source.heldOutPaths).isSubset(of: paths))
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let installed = try installPhotos(from: source, to: out.path)
        #expect(installed.count == 41)
        let license = try String(contentsOf: out.appendingPathComponent("LICENSE.md"), encoding: .utf8)
        for photo in installed {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(photo.file).path))
            #expect(!photo.copyright.isEmpty)
            #expect(license.contains("| \(photo.file) | \(photo.copyright.joined(separator: "; ")) | \(photo.license) |"))
        }
        for package in source.packages { #expect(license.contains("## \(package)")) }
        for text in ["GPL-2.txt", "LGPL-2.1.txt", "CC-BY-4.0.txt", "CC-BY-SA-4.0.txt", "CC-BY-SA-3.0.txt", "CC0-1.0.txt",
                     "lxqt-themes-License", "plasma-workspace-wallpapers-Path-metadata.json"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(text).path), "\(text)")
        }
        // A dataset made from some of them keeps only their packages' notices.
        let some = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: some) }
        try writeSourceLicence(for: Array(paths.suffix(2)), source: source, to: some.path)
        let partial = try String(contentsOf: some.appendingPathComponent("LICENSE.md"), encoding: .utf8)
        #expect(partial.contains("## lomiri-wallpapers-20.04") && !partial.contains("## mate-backgrounds"))
    }
}
