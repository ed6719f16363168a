import Foundation

/// File extensions DSLRKit reads as photos (lower case), for finding photos in folders.
public let photoExtensions: Set<String> = ["jpg", "jpeg", "png", "tif", "tiff", "webp", "heic", "heif"]

/// The photos anywhere below `folder` (hidden files and folders skipped), as paths relative
/// to it, sorted; with `folder` itself (standardized) so callers can rebuild full paths.
public func photosBelow(_ folder: String) -> (root: URL, relativePaths: [String]) {
    files(below: folder, extensions: photoExtensions)
}

/// The files anywhere below `folder` whose extension (lower-cased) is in `extensions`, as
/// `photosBelow` lists photos: hidden files and folders skipped, relative paths, sorted.
/// A `folder` that is a symbolic link is listed as the folder it points to.
public func files(below folder: String, extensions: Set<String>) -> (root: URL, relativePaths: [String]) {
    // FileManager's enumerator does not descend into a root that is a link.
    let root = URL(fileURLWithPath: folder).resolvingSymlinksInPath().standardizedFileURL
    let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
    var found: [String] = []
    while let url = walker?.nextObject() as? URL {
        if extensions.contains(url.pathExtension.lowercased()) {
            found.append(String(url.standardizedFileURL.path.dropFirst(root.path.count + 1)))
        }
    }
    return (root, found.sorted())
}
