import DSLRPhoto
import Foundation

/// Two photos of one scene, found by file name in a phone folder and a DSLR folder.
public struct PhotoPair: Sendable, Equatable {
    /// The shared name without extension.
    public var name: String
    public var phone: String
    public var dslr: String
}

/// The outcome of pairing two folders by file name.
public struct PhotoPairing: Sendable, Equatable {
    public var pairs: [PhotoPair]
    /// Photos with no partner of the same name in the other folder.
    public var unpairedPhone: [String]
    public var unpairedDSLR: [String]
}

/// Extensions of the photos `pairPhotos` considers (lower case).

/// Pairs the photos of two folders by name without extension, ignoring case
/// (IMG_0042.jpg ↔ img_0042.JPG), sorted by name. Hidden files and other extensions are skipped.
public func pairPhotos(phoneDirectory: String, dslrDirectory: String) throws -> PhotoPairing {
    let phone = try photosByName(phoneDirectory), dslr = try photosByName(dslrDirectory)
    let names = Set(phone.keys).intersection(dslr.keys).sorted()
    return PhotoPairing(
        pairs: names.map { key in
            let phonePath = phone[key]!
            let stem = ((phonePath as NSString).lastPathComponent as NSString).deletingPathExtension
            return PhotoPair(name: stem, phone: phonePath, dslr: dslr[key]!)
        },
        unpairedPhone: phone.filter { dslr[$0.key] == nil }.map(\.value).sorted(),
        unpairedDSLR: dslr.filter { phone[$0.key] == nil }.map(\.value).sorted())
}

/// Lower-cased stem → path for the photos in `directory`.
private func photosByName(_ directory: String) throws -> [String: String] {
    let entries: [String]
    do {
        entries = try FileManager.default.contentsOfDirectory(atPath: directory)
    } catch {
        throw PhotoError(path: directory, problem: "not a readable folder")
    }
    var result = [String: String]()
    for entry in entries.sorted() where !entry.hasPrefix(".") {
        let ext = (entry as NSString).pathExtension.lowercased()
        guard photoExtensions.contains(ext) else { continue }
        let key = (entry as NSString).deletingPathExtension.lowercased()
        // Two photos with one stem (a.jpg, a.png): the first in sorted order wins.
        if result[key] == nil { result[key] = (directory as NSString).appendingPathComponent(entry) }
    }
    return result
}
