import CVips
import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

/// The PhotoError `body` throws; fails the test if it throws nothing or something else.
func photoError(_ body: () throws -> Void) throws -> PhotoError {
    do {
        try body()
    } catch let error as PhotoError {
        return error
    }
    Issue.record("no PhotoError was thrown")
    return PhotoError(path: "", problem: "")
}

@Test func badInputsGiveOneLineErrorsNamingTheFile() throws {
    let cases: [(path: String, mentions: String, kind: ErrorKind)] = [
        (fixture("truncated.jpg"), "truncated", .badInput),
        (fixture("not_a_photo.jpg"), "not a photo", .badInput),
        ("/no/such/folder/photo.jpg", "no such file", .notFound),
        (FileManager.default.temporaryDirectory.path, "is a folder", .badInput),
    ]
    for item in cases {
        let error = try photoError { _ = try readPhoto(item.path) }
        #expect(error.path == item.path)
        #expect(error.description.hasPrefix(item.path + ": "))
        #expect(error.description.lowercased().contains(item.mentions), "\(error)")
        #expect(!error.description.contains("\n"), "\(error)")
        #expect(error.kind == item.kind, "\(error)")
    }
    // Truncated in other formats, from memory.
    for file in ["rgb16.png", "rgb16.tif", "lossless.webp"] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixture(file))))
        let error = try photoError { _ = try decodePhoto(Array(bytes.prefix(bytes.count / 2)), name: "half \(file)") }
        #expect(error.description.hasPrefix("half \(file): damaged or truncated"), "\(error)")
        #expect(!error.description.contains("\n"))
    }
    let fromMemory = try photoError { _ = try decodePhoto(Array("not a photo".utf8), name: "upload #3") }
    #expect(fromMemory.description.hasPrefix("upload #3: "))
    #expect(!fromMemory.description.contains("\n"))
    #expect(try photoError { _ = try photoInfo(fixture("not_a_photo.jpg")) }.path == fixture("not_a_photo.jpg"))
    #expect(try photoError { _ = try decodePhoto([], name: "nothing") }.description == "nothing: empty, not a photo")
}

/// libvips' thread pool can abort the process (a GLib assertion) or report a failed decode
/// as a success when one of several workers fails (see cvips.c), so DSLRKit gives every
/// libvips pipeline one worker. The JPEG, whose pixels fail to decode partway, took
/// `dslr serve` down under the `http` fuzz target.
@Test func aDecodeThatFailsPartwayIsRefusedEveryTime() throws {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixture("fuzz-vips-pool-race.jpg"))))
    for attempt in 0..<200 {
        let error = try photoError { _ = try decodePhoto(bytes, name: "upload \(attempt)") }
        #expect(error.description.hasPrefix("upload \(attempt): damaged or truncated, its pixels cannot be decoded"))
    }
    #expect(vips_concurrency_get() == 1)
}

/// A FIFO or a device would block or never end: refused by name before it is opened (a
/// FIFO with no writer would otherwise hang the read forever).
@Test func nonRegularFilesAreRefusedWithoutReading() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fifo-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let fifo = folder + "/pipe.jpg"
    #expect(mkfifo(fifo, 0o600) == 0)
    let cases = [(fifo, "is a FIFO (named pipe), not a regular file"), ("/dev/zero", "is a device, not a regular file")]
    for (path, problem) in cases {
        for read in [{ _ = try readPhoto(path) }, { _ = try photoInfo(path) }] as [() throws -> Void] {
            let error = try photoError(read)
            #expect(error.description == "\(path): \(problem)", "\(error)")
            #expect(error.kind == .badInput)
        }
    }
}

/// The 600 MP header is refused with the limit message, not a decoding error: no pixel
/// was decoded (its data is 64 bytes). A limit of exactly the pixel count passes.
@Test func pixelLimitIsCheckedBeforeDecoding() throws {
    let huge = try photoError { _ = try readPhoto(fixture("huge_header.png")) }
    #expect(huge.description.contains("30000x20000"))
    #expect(huge.description.contains("600.0 MP") && huge.description.contains("100.0 MP"))
    #expect(huge.description.contains("limit"))
    #expect(huge.kind == .tooLarge)
    let small = try photoError { _ = try readPhoto(fixture("orient6.jpg"), options: DecodeOptions(maxPixels: 37 * 23 - 1)) }
    #expect(small.description.contains("limit"))
    #expect(try readPhoto(fixture("orient6.jpg"), options: DecodeOptions(maxPixels: 37 * 23)).width == 23)
}

@Test func badEncodeRequestsAreRefused() throws {
    let photo = try readPhoto(fixture("gray8.png"))
    let problems = [
        try photoError { _ = try encodePhoto(photo, format: .jpeg, options: EncodeOptions(quality: 0)) },
        try photoError { _ = try encodePhoto(photo, format: .png, options: EncodeOptions(pngCompression: 10)) },
        try photoError { _ = try encodePhoto(photo, format: .jpeg, options: EncodeOptions(bitDepth: 16)) },
        try photoError { _ = try encodePhoto(photo, format: .png, options: EncodeOptions(bitDepth: 12)) },
        try photoError { _ = try encodePhoto(Photo(pixels: try Tensor.zeros([2, 4, 4])), format: .png) },
    ]
    for problem in problems {
        #expect(!problem.problem.isEmpty && !problem.description.contains("\n"), "\(problem)")
        #expect(problem.kind == .badArgument, "\(problem)")
    }
}

@Test func atomicWriteKeepsTheOldFileWhenEncodingFails() throws {
    try withTemporaryFolder { folder in
        let path = "\(folder)/photo.jpg"
        let old = Array("previous contents".utf8)
        try Data(old).write(to: URL(fileURLWithPath: path))
        let photo = try readPhoto(fixture("orient1.jpg"))
        let error = try photoError { try writePhoto(photo, to: path, options: EncodeOptions(bitDepth: 16)) }
        #expect(error.path == path)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == old)
        #expect(try folderContents(folder) == ["photo.jpg"])

        try writePhoto(photo, to: path)
        #expect(try readPhoto(path).width == 37)
        #expect(try folderContents(folder) == ["photo.jpg"])
    }
}

/// A failure after the temporary file is written (renaming onto a non-empty folder)
/// removes the temporary file and leaves the folder alone.
@Test func atomicWriteRemovesItsTemporaryFileWhenTheRenameFails() throws {
    try withTemporaryFolder { folder in
        let blocker = "\(folder)/taken.png"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        try Data([1]).write(to: URL(fileURLWithPath: "\(blocker)/inside"))
        let error = try photoError { try writePhoto(readPhoto(fixture("gray8.png")), to: blocker) }
        #expect(error.path == blocker && !error.description.contains("\n"))
        #expect(try folderContents(folder) == ["taken.png"])
        #expect(try folderContents(blocker) == ["inside"])
    }
}

@Test func unknownExtensionsAreRefused() throws {
    let photo = try readPhoto(fixture("gray8.png"))
    try withTemporaryFolder { folder in
        for name in ["photo.bmp", "photo", "photo.jpg.txt"] {
            let error = try photoError { try writePhoto(photo, to: "\(folder)/\(name)") }
            #expect(error.path == "\(folder)/\(name)" && error.problem.contains("unknown photo extension"))
        }
        #expect(try folderContents(folder).isEmpty)
        try writePhoto(photo, to: "\(folder)/UPPER.PNG")
        #expect(try photoInfo("\(folder)/UPPER.PNG").format == .png)
    }
}

/// `createFolder` is `mkdir -p`, and a failure names the folder that could not be made in
/// one line instead of Foundation's error dump (issue 19).
@Test func createFolderMakesParentsAndNamesWhatFailed() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("dslr-folder-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    try createFolder(root + "/a/b//c/")
    try createFolder(root + "/a/b")  // already there
    var isFolder: ObjCBool = false
    #expect(FileManager.default.fileExists(atPath: root + "/a/b/c", isDirectory: &isFolder) && isFolder.boolValue)
    _ = FileManager.default.createFile(atPath: root + "/a/file", contents: Data([1]))
    let blocked = try photoError { try createFolder(root + "/a/file/d") }
    #expect(blocked.description == "\(root)/a/file: is a file, so the folder \(root)/a/file/d cannot be made")
    #expect(blocked.kind == .badArgument)
    // /proc/self exists but no folder can be made in it.
    let refused = try photoError { try createFolder("/proc/self/dslr-x/y") }
    #expect(refused.description == "/proc/self/dslr-x: cannot create this folder: No such file or directory")
    // Relative paths are named as given.
    let cwd = FileManager.default.currentDirectoryPath
    defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
    FileManager.default.changeCurrentDirectoryPath(root)
    let relative = try photoError { try createFolder("a/file/e") }
    #expect(relative.description == "a/file: is a file, so the folder a/file/e cannot be made")
}
