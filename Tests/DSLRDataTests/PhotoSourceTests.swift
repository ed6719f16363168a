@testable import DSLRData
import Foundation
import Testing

@Suite struct PhotoSourceTests {
    let sample = """
        Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
        Upstream-Name: Example

        Files: *
        Copyright: 2001, Someone
        License: GPL-2+

        Files: nature/A.jpg
               nature/B*.jpg
        Copyright: 2008, Ann Author <ann@example.org>
                   2009, Bo Builder
        License: CC-BY-SA-4.0
        Comment: see AUTHORS

        License: GPL-2+
         This program is free software.
        """

    @Test func theLastMatchingStanzaGivesEachFilesLicence() {
        let stanzas = parseDebianCopyright(sample)
        #expect(stanzas.count == 2)
        let b = copyrightStanza(for: "nature/Birch.jpg", in: stanzas)
        #expect(b?.license == "CC-BY-SA-4.0")
        #expect(b?.copyright == ["2008, Ann Author <ann@example.org>", "2009, Bo Builder"])
        #expect(copyrightStanza(for: "abstract/C.png", in: stanzas)?.license == "GPL-2+")
    }

    @Test func mateBackgroundsNaturePhotosAreCopiedWithTheirLicences() throws {
        let source = PhotoSource.debianMate
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let installed = try installPhotos(from: source, to: out.path, limit: 3)
        #expect(installed.count == 3)
        for photo in installed {
            #expect(FileManager.default.contentsEqual(atPath: photo.origin, andPath: out.appendingPathComponent(photo.file).path))
            #expect(photo.license == "GPL-2+")
            #expect(!photo.copyright.isEmpty)
        }
        let license = try String(contentsOf: out.appendingPathComponent("LICENSE.md"), encoding: .utf8)
        #expect(license.contains("mate-backgrounds"))
        #expect(license.contains("| \(installed[0].file) | \(installed[0].copyright.joined(separator: "; ")) | GPL-2+ |"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("GPL-2.txt").path))
        #expect(throws: DataError.self) { try PhotoSource.named("no-such-source") }
    }
}
