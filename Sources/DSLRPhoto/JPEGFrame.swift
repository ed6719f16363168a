import Foundation

/// What a JPEG's frame header (SOFn) declares, read by walking its marker segments.
struct JPEGFrame: Equatable {
    let width: Int
    let height: Int
    /// Arithmetic-coded frames (SOF9-SOF15) can hold a flat image in almost no bytes.
    let arithmetic: Bool

    /// The frame of the JPEG whose bytes `read(offset, count)` returns (fewer at the end),
    /// or nil when the bytes are not a JPEG or end before a frame header.
    init?(read: (Int, Int) -> [UInt8]) {
        guard read(0, 2) == [0xFF, 0xD8] else { return nil }
        var offset = 2
        // A real file reaches its frame header after a few segments (EXIF, ICC, tables).
        for _ in 0..<1000 {
            let head = read(offset, 4)
            guard head.count == 4, head[0] == 0xFF else { return nil }
            let marker = head[1]
            if marker == 0xFF { offset += 1; continue }  // fill byte before a marker
            let length = Int(head[2]) << 8 | Int(head[3])
            // SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                let frame = read(offset + 4, 5)
                guard frame.count == 5 else { return nil }
                height = Int(frame[1]) << 8 | Int(frame[2])
                width = Int(frame[3]) << 8 | Int(frame[4])
                arithmetic = marker >= 0xC9
                return
            }
            guard length >= 2 else { return nil }
            offset += 2 + length
        }
        return nil
    }

    /// Bytes a Huffman-coded JPEG of this size needs at the least: every 8×8 block of its
    /// largest component costs at least one bit (its DC code) in some scan.
    var minimumBytes: Int {
        guard !arithmetic else { return 0 }
        return (width + 7) / 8 * ((height + 7) / 8) / 8
    }
}

/// Refuses a JPEG that declares far more pixels than its bytes can describe (81 MP in 40 kB):
/// libjpeg pads the missing data with grey and reports no error, so the photo would be
/// decoded and enhanced in full before anything looked wrong.
func checkJPEGSize(path: String, byteCount: Int, read: (Int, Int) -> [UInt8]) throws {
    guard let frame = JPEGFrame(read: read), byteCount < frame.minimumBytes else { return }
    throw PhotoError(path: path, problem: "damaged or truncated: declares \(frame.width)x\(frame.height) pixels but holds \(byteCount) bytes, fewer than the \(frame.minimumBytes) so many pixels need")
}

/// `checkJPEGSize` for a file, reading only its marker segments.
func checkJPEGFileSize(_ path: String) throws {
    guard let handle = FileHandle(forReadingAtPath: path) else { return }
    defer { try? handle.close() }
    guard let size = try? handle.seekToEnd() else { return }
    try checkJPEGSize(path: path, byteCount: Int(size)) { offset, count in
        guard (try? handle.seek(toOffset: UInt64(offset))) != nil else { return [] }
        return [UInt8]((try? handle.read(upToCount: count)) ?? Data())
    }
}
