import Foundation
import Testing

@testable import DSLRData

@Suite struct AlignPairingTests {
    @Test func pairsByNameIgnoringCaseAndExtension() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("align-pairing-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let phone = "\(root)/phone", dslr = "\(root)/dslr"
        for dir in [phone, dslr] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        for name in ["IMG_1.jpg", "img_2.png", "only_phone.jpg", ".hidden.jpg", "notes.txt"] {
            _ = FileManager.default.createFile(atPath: "\(phone)/\(name)", contents: Data())
        }
        for name in ["img_1.JPG", "IMG_2.tiff", "only_dslr.heic"] {
            _ = FileManager.default.createFile(atPath: "\(dslr)/\(name)", contents: Data())
        }
        let pairing = try pairPhotos(phoneDirectory: phone, dslrDirectory: dslr)
        #expect(pairing.pairs == [
            PhotoPair(name: "IMG_1", phone: "\(phone)/IMG_1.jpg", dslr: "\(dslr)/img_1.JPG"),
            PhotoPair(name: "img_2", phone: "\(phone)/img_2.png", dslr: "\(dslr)/IMG_2.tiff"),
        ])
        #expect(pairing.unpairedPhone == ["\(phone)/only_phone.jpg"])
        #expect(pairing.unpairedDSLR == ["\(dslr)/only_dslr.heic"])
        #expect(throws: (any Error).self) { try pairPhotos(phoneDirectory: "\(root)/missing", dslrDirectory: dslr) }
    }
}
