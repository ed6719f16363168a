/// LevelDB's immutable sorted table, the container of a checkpoint's `.index` file
/// (TensorFlow keeps a copy of LevelDB's format in tsl/lib/io/table):
///
///     [data block 0] ... [data block n] [metaindex block] [index block] [footer]
///
/// Every block is followed by a 5-byte trailer: a compression byte and the masked CRC32C of
/// the contents plus that byte. A block is a run of entries (shared key prefix length,
/// unshared length, value length as varints, then the unshared key bytes and the value)
/// followed by restart offsets (fixed32 each) and their count (fixed32). The 48-byte footer
/// holds the metaindex and index block handles (offset and size varints), zero padding and
/// the magic number. The index block maps each data block's last key to its handle.
enum SSTable {
    static let magic: UInt64 = 0xDB47_7524_8B80_FB57
    static let footerSize = 48
    static let trailerSize = 5

    /// Every (key, value) of the table in file order, with block checksums and key order
    /// verified. Values are readers over `bytes`.
    static func entries(of bytes: [UInt8], file: String) throws -> [(key: [UInt8], value: ByteReader)] {
        guard bytes.count >= footerSize else {
            throw TFCheckpointError(.truncated, file: file, "is \(bytes.count) bytes, shorter than the \(footerSize)-byte table footer")
        }
        var footer = ByteReader(bytes, range: bytes.count - footerSize..<bytes.count, file: file, context: "table footer")
        var magicReader = ByteReader(bytes, range: bytes.count - 8..<bytes.count, file: file, context: "table footer")
        guard try magicReader.fixed64() == magic else {
            throw TFCheckpointError(.badMagic, file: file, "does not end with the table magic number: not a TensorFlow checkpoint V2 index")
        }
        _ = try handle(&footer)  // metaindex: bundles store no filters or properties there
        let index = try handle(&footer)
        var result: [(key: [UInt8], value: ByteReader)] = []
        for (_, var handleBytes) in try blockEntries(bytes, at: index, file: file, what: "index block") {
            let dataBlock = try handle(&handleBytes)
            for entry in try blockEntries(bytes, at: dataBlock, file: file, what: "data block at offset \(dataBlock.offset)") {
                if let last = result.last?.key, !last.lexicographicallyPrecedes(entry.key) {
                    throw TFCheckpointError(.corrupt, file: file, "keys are not in strictly increasing order at '\(String(decoding: entry.key, as: UTF8.self))'")
                }
                result.append(entry)
            }
        }
        return result
    }

    private static func handle(_ r: inout ByteReader) throws -> (offset: Int, size: Int) {
        (try r.count("block offset"), try r.count("block size"))
    }

    /// The entries of the block at `handle`, after checking its trailer.
    private static func blockEntries(
        _ bytes: [UInt8], at handle: (offset: Int, size: Int), file: String, what: String
    ) throws -> [(key: [UInt8], value: ByteReader)] {
        let (offset, size) = handle
        guard offset <= bytes.count, size <= bytes.count - offset, trailerSize <= bytes.count - offset - size else {
            throw TFCheckpointError(.truncated, file: file, "\(what) needs bytes \(offset)..<\(offset &+ size &+ trailerSize) but the file is \(bytes.count) bytes")
        }
        let type = bytes[offset + size]
        var trailer = ByteReader(bytes, range: offset + size + 1..<offset + size + trailerSize, file: file, context: what)
        let stored = CRC32C.unmask(try trailer.fixed32())
        let actual = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[offset...(offset + size)])) }
        guard stored == actual else {
            throw TFCheckpointError(.checksumMismatch, file: file, "\(what) fails its CRC32C check: the index is corrupt")
        }
        switch type {
        case 0: break
        case 1:
            throw TFCheckpointError(.unsupported, file: file, "\(what) is Snappy-compressed; only uncompressed tables (what TensorFlow writes for checkpoints) are supported")
        default:
            throw TFCheckpointError(.corrupt, file: file, "\(what) has unknown compression type \(type)")
        }
        return try parseBlock(bytes, range: offset..<offset + size, file: file, what: what)
    }

    private static func parseBlock(
        _ bytes: [UInt8], range: Range<Int>, file: String, what: String
    ) throws -> [(key: [UInt8], value: ByteReader)] {
        let block = ByteReader(bytes, range: range, file: file, context: what)
        guard range.count >= 4 else { throw block.failure(.corrupt, "is \(range.count) bytes, too short for its restart count") }
        let restarts = Int(block.fixed32(at: range.upperBound - 4))
        guard restarts <= (range.count - 4) / 4 else {
            throw block.failure(.corrupt, "declares \(restarts) restart points, more than fit in \(range.count) bytes")
        }
        var r = ByteReader(bytes, range: range.lowerBound..<range.upperBound - 4 - 4 * restarts, file: file, context: what)
        var entries: [(key: [UInt8], value: ByteReader)] = []
        var key: [UInt8] = []
        while !r.isAtEnd {
            let shared = try r.count("shared key length")
            let unshared = try r.count("key length")
            let valueLength = try r.count("value length")
            guard shared <= key.count else {
                throw r.failure(.corrupt, "an entry shares \(shared) key bytes with a \(key.count)-byte previous key")
            }
            key = Array(key[..<shared]) + bytes[try r.range(unshared)]
            entries.append((key, try r.sub(valueLength)))
        }
        return entries
    }
}
