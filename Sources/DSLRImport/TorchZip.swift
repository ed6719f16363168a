import CZlib

/// One member of a zip archive, as its central directory entry describes it.
struct ZipEntry {
    let name: String
    let method: Int
    let crc32: UInt32
    let compressedSize: Int
    let size: Int
    let localHeaderOffset: Int
}

/// The zip container of torch.save (PyTorch's writer is miniz): members are normally stored
/// uncompressed and 64-byte aligned, with CRC-32s and sizes in the central directory, ZIP64
/// records past 4 GiB. The central directory is read and checked when the archive is opened;
/// members are checked (local header, bounds, CRC-32) when read. Every size and offset comes
/// from the file, so each is checked against the mapping before use.
struct ZipArchive {
    let file: String
    /// Members in central-directory order.
    let entries: [ZipEntry]
    private let index: [String: Int]
    private let mapping: MappedFile
    private var bytes: UnsafeRawBufferPointer { mapping.bytes }

    private static let endRecordSize = 22
    private static let centralHeaderSize = 46
    private static let localHeaderSize = 30
    private static let unknown32: UInt64 = 0xFFFF_FFFF

    init(mapping: MappedFile, file: String) throws {
        self.mapping = mapping
        self.file = file
        let bytes = mapping.bytes
        guard let end = Self.endRecord(bytes) else {
            throw TorchCheckpointError(.truncated, file: file, "is a zip archive without its end of central directory record: the file is cut short")
        }
        let (count, start, size) = try Self.directory(bytes, endRecord: end, file: file)
        var entries: [ZipEntry] = []
        var index: [String: Int] = [:]
        var position = start
        let limit = start + size
        for _ in 0..<count {
            let entry = try Self.centralEntry(bytes, at: &position, limit: limit, file: file)
            guard index.updateValue(entries.count, forKey: entry.name) == nil else {
                throw TorchCheckpointError(.corrupt, file: file, "the zip archive holds '\(entry.name)' twice")
            }
            entries.append(entry)
        }
        self.entries = entries
        self.index = index
    }

    subscript(name: String) -> ZipEntry? { index[name].map { entries[$0] } }

    /// Calls `body` with the member's uncompressed bytes (stored members straight from the
    /// mapping, deflated ones inflated), after checking its CRC-32.
    func withContents<R>(of entry: ZipEntry, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let data = try compressedData(of: entry)
        switch entry.method {
        case 0:
            try checkCRC(data, entry)
            return try body(data)
        default:
            // DEFLATE cannot expand its input by more than about 1032 times, so a larger
            // declared size is a lie that must not become an allocation.
            guard entry.size / 1032 <= entry.compressedSize + 1 else {
                throw TorchCheckpointError(.corrupt, file: file, "'\(entry.name)' declares \(entry.size) bytes from \(entry.compressedSize) compressed, more than DEFLATE can produce")
            }
            var output = [UInt8](repeating: 0, count: entry.size + 1)
            let produced = try output.withUnsafeMutableBytes { try inflateRaw(data, into: $0, entry: entry) }
            guard produced == entry.size else {
                throw TorchCheckpointError(.corrupt, file: file, "'\(entry.name)' inflates to \(produced < entry.size ? "\(produced)" : "more than") of its declared \(entry.size) bytes")
            }
            return try output.withUnsafeBytes {
                let contents = UnsafeRawBufferPointer(rebasing: $0[..<entry.size])
                try checkCRC(contents, entry)
                return try body(contents)
            }
        }
    }

    // MARK: Directory

    /// The end of central directory record: its signature, with a comment that runs exactly
    /// to the end of the file (a signature inside the comment does not count).
    private static func endRecord(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= endRecordSize else { return nil }
        let lowest = max(0, bytes.count - endRecordSize - 0xFFFF)
        for p in stride(from: bytes.count - endRecordSize, through: lowest, by: -1)
        where bytes.le(UInt32.self, p) == 0x0605_4B50 && p + endRecordSize + Int(bytes.le(UInt16.self, p + 20)) == bytes.count {
            return p
        }
        return nil
    }

    /// (entry count, offset, size) of the central directory, from the ZIP64 end record when
    /// a locator precedes the end record.
    private static func directory(_ bytes: UnsafeRawBufferPointer, endRecord p: Int, file: String) throws -> (Int, Int, Int) {
        var disks = [UInt64(bytes.le(UInt16.self, p + 4)), UInt64(bytes.le(UInt16.self, p + 6))]
        var count = UInt64(bytes.le(UInt16.self, p + 10))
        var size = UInt64(bytes.le(UInt32.self, p + 12))
        var offset = UInt64(bytes.le(UInt32.self, p + 16))
        var directoryEnd = p
        if p >= 20 && bytes.le(UInt32.self, p - 20) == 0x0706_4B50 {
            let record = bytes.le(UInt64.self, p - 12)
            guard p - 20 >= 56, record <= UInt64(p - 20 - 56), bytes.le(UInt32.self, Int(record)) == 0x0606_4B50 else {
                throw TorchCheckpointError(.corrupt, file: file, "the ZIP64 end of central directory locator points to \(record), where no ZIP64 record is")
            }
            let r = Int(record)
            disks = [UInt64(bytes.le(UInt32.self, r + 16)), UInt64(bytes.le(UInt32.self, r + 20))]
            count = bytes.le(UInt64.self, r + 32)
            size = bytes.le(UInt64.self, r + 40)
            offset = bytes.le(UInt64.self, r + 48)
            directoryEnd = r
        } else if count == 0xFFFF || size == unknown32 || offset == unknown32 {
            throw TorchCheckpointError(.corrupt, file: file, "the end of central directory defers to a ZIP64 record that is not there")
        }
        guard disks == [0, 0] else {
            throw TorchCheckpointError(.unsupported, file: file, "is a multi-volume zip archive")
        }
        guard offset <= UInt64(directoryEnd), size <= UInt64(directoryEnd) - offset else {
            throw TorchCheckpointError(.corrupt, file: file, "the central directory (\(size) bytes at \(offset)) does not lie before its end record at \(directoryEnd)")
        }
        guard count <= size / UInt64(centralHeaderSize) else {
            throw TorchCheckpointError(.corrupt, file: file, "the central directory declares \(count) entries, more than fit in its \(size) bytes")
        }
        return (Int(count), Int(offset), Int(size))
    }

    private static func centralEntry(_ bytes: UnsafeRawBufferPointer, at p: inout Int, limit: Int, file: String) throws -> ZipEntry {
        guard limit - p >= centralHeaderSize, bytes.le(UInt32.self, p) == 0x0201_4B50 else {
            throw TorchCheckpointError(.corrupt, file: file, "no central directory entry at offset \(p)")
        }
        let flags = bytes.le(UInt16.self, p + 8)
        let method = Int(bytes.le(UInt16.self, p + 10))
        let crc = bytes.le(UInt32.self, p + 16)
        let nameLength = Int(bytes.le(UInt16.self, p + 28))
        let extraLength = Int(bytes.le(UInt16.self, p + 30))
        let commentLength = Int(bytes.le(UInt16.self, p + 32))
        let nameStart = p + centralHeaderSize
        guard nameLength + extraLength + commentLength <= limit - nameStart else {
            throw TorchCheckpointError(.corrupt, file: file, "the central directory entry at offset \(p) runs past the directory")
        }
        let name = String(decoding: bytes[nameStart..<nameStart + nameLength], as: UTF8.self)
        guard flags & 0x41 == 0, method != 99 else {
            throw TorchCheckpointError(.unsupported, file: file, "'\(name)' is encrypted")
        }
        guard method == 0 || method == 8 else {
            throw TorchCheckpointError(.unsupported, file: file, "'\(name)' is compressed with zip method \(method); only stored and DEFLATE members are read")
        }
        // ZIP64: each field saturated at 0xFFFFFFFF is in the extra field, in this order.
        var fields = [UInt64(bytes.le(UInt32.self, p + 24)), UInt64(bytes.le(UInt32.self, p + 20)), UInt64(bytes.le(UInt32.self, p + 42))]
        var deferred = fields.indices.filter { fields[$0] == unknown32 }
        var extra = nameStart + nameLength
        let extraEnd = extra + extraLength
        while extraEnd - extra >= 4 {
            let id = bytes.le(UInt16.self, extra), length = Int(bytes.le(UInt16.self, extra + 2))
            guard length <= extraEnd - extra - 4 else { break }
            if id == 1 {
                guard deferred.count * 8 <= length else {
                    throw TorchCheckpointError(.corrupt, file: file, "'\(name)' has a ZIP64 extra field too short for its sizes")
                }
                for (k, i) in deferred.enumerated() { fields[i] = bytes.le(UInt64.self, extra + 4 + 8 * k) }
                deferred = []
            }
            extra += 4 + length
        }
        guard deferred.isEmpty else {
            throw TorchCheckpointError(.corrupt, file: file, "'\(name)' defers its sizes to a ZIP64 extra field that is not there")
        }
        guard let size = Int(exactly: fields[0]), let compressed = Int(exactly: fields[1]), let offset = Int(exactly: fields[2]) else {
            throw TorchCheckpointError(.corrupt, file: file, "'\(name)' has sizes or an offset out of range")
        }
        guard method != 0 || size == compressed else {
            throw TorchCheckpointError(.corrupt, file: file, "stored member '\(name)' has \(compressed) bytes but declares \(size)")
        }
        p = extraEnd + commentLength
        return ZipEntry(name: name, method: method, crc32: crc, compressedSize: compressed, size: size, localHeaderOffset: offset)
    }

    // MARK: Members

    /// The member's bytes as stored, after its local header (whose name must agree).
    private func compressedData(of entry: ZipEntry) throws -> UnsafeRawBufferPointer {
        let p = entry.localHeaderOffset
        guard p <= bytes.count, bytes.count - p >= Self.localHeaderSize, bytes.le(UInt32.self, p) == 0x0403_4B50 else {
            throw TorchCheckpointError(.corrupt, file: file, "'\(entry.name)' has no local header at offset \(p)")
        }
        let nameLength = Int(bytes.le(UInt16.self, p + 26)), extraLength = Int(bytes.le(UInt16.self, p + 28))
        let start = p + Self.localHeaderSize + nameLength + extraLength
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw TorchCheckpointError(.truncated, file: file, "'\(entry.name)' needs \(entry.compressedSize) bytes at offset \(start) but the file is \(bytes.count) bytes")
        }
        guard bytes[(p + Self.localHeaderSize)..<(p + Self.localHeaderSize + nameLength)].elementsEqual(entry.name.utf8) else {
            throw TorchCheckpointError(.corrupt, file: file, "the local header at offset \(p) does not name '\(entry.name)'")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<start + entry.compressedSize])
    }

    private func checkCRC(_ data: UnsafeRawBufferPointer, _ entry: ZipEntry) throws {
        var crc = crc32(0, nil, 0)
        var offset = 0
        while offset < data.count {
            let n = min(data.count - offset, 1 << 30)
            crc = crc32(crc, data.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(n))
            offset += n
        }
        guard UInt32(truncatingIfNeeded: crc) == entry.crc32 else {
            throw TorchCheckpointError(.corrupt, file: file, "'\(entry.name)' fails its CRC-32 check: the data is corrupt")
        }
    }

    /// Inflates a raw DEFLATE stream (zip's, without zlib's header) into `output`; returns
    /// how many bytes it produced, which is more than any caller's declared size when the
    /// stream overflows `output`.
    private func inflateRaw(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, entry: ZipEntry) throws -> Int {
        try withUnsafeTemporaryAllocation(of: z_stream.self, capacity: 1) { buffer in
            // zlib keeps a pointer back to its z_stream, so it lives at one address throughout.
            let stream = buffer.baseAddress!
            stream.initialize(to: z_stream())
            guard inflateInit2_(stream, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw TorchCheckpointError(.corrupt, file: file, "zlib could not start inflating '\(entry.name)'")
            }
            defer { inflateEnd(stream) }
            var fed = 0, offered = 0
            while true {
                // zlib counts in 32 bits, so large members are fed and drained in slices.
                if stream.pointee.avail_in == 0 && fed < input.count {
                    let n = min(input.count - fed, 1 << 30)
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.advanced(by: fed).assumingMemoryBound(to: Bytef.self))
                    stream.pointee.avail_in = uInt(n)
                    fed += n
                }
                if stream.pointee.avail_out == 0 {
                    guard offered < output.count else { return output.count }
                    let n = min(output.count - offered, 1 << 30)
                    stream.pointee.next_out = output.baseAddress!.advanced(by: offered).assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(n)
                    offered += n
                }
                let status = inflate(stream, Z_NO_FLUSH)
                switch status {
                case Z_STREAM_END:
                    return offered - Int(stream.pointee.avail_out)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.pointee.avail_in == 0 && fed == input.count:
                    throw TorchCheckpointError(.truncated, file: file, "the compressed data of '\(entry.name)' ends early")
                default:
                    let reason = stream.pointee.msg.map { String(cString: $0) } ?? "code \(status)"
                    throw TorchCheckpointError(.corrupt, file: file, "'\(entry.name)' is corrupt (zlib: \(reason))")
                }
            }
        }
    }
}

extension UnsafeRawBufferPointer {
    /// The little-endian integer at `offset`; the caller has checked the bounds.
    func le<T: FixedWidthInteger>(_: T.Type, _ offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
