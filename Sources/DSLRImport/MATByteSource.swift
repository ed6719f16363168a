import CZlib
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file, unmapped when released. A MAT-file is read
/// through one so that a 550 MB VGG file costs address space, not memory.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?
    /// Whether `base` is a heap copy rather than a mapping.
    private var copied = false

    /// A heap copy of `bytes`, exactly as long as they are: the fuzz targets read through
    /// one, so AddressSanitizer sees a read past the end that a page-rounded mapping hides.
    init(copying source: UnsafeRawBufferPointer) {
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(source.count, 1), alignment: 16)
        if let from = source.baseAddress { copy.copyMemory(from: from, byteCount: source.count) }
        base = copy
        bytes = UnsafeRawBufferPointer(start: copy, count: source.count)
        copied = true
    }

    init(path: String) throws {
        // Non-blocking, so that opening a FIFO returns at once (to be refused below) instead
        // of waiting for a writer; a regular file reads the same either way.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw MATError(path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw MATError(path, "cannot stat: \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw MATError(path, "not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw MATError(path, "cannot map: \(String(cString: strerror(errno)))")
        }
        // Read once front to back: let the kernel read ahead and drop pages behind.
        _ = madvise(mapped, size, MADV_SEQUENTIAL)
        base = mapped
        bytes = UnsafeRawBufferPointer(start: mapped, count: size)
    }

    deinit {
        guard let base else { return }
        if copied { base.deallocate() } else { munmap(base, bytes.count) }
    }
}

/// Bytes read front to back: a stretch of the mapped file, or the output of inflating one
/// compressed element. The parser never needs to go back, so a compressed element is
/// inflated in chunks and never held whole.
protocol ByteSource: AnyObject {
    /// Bytes consumed so far.
    var position: Int { get }
    /// The file, for messages.
    var path: String { get }
    /// Fills `buffer` completely, or throws `truncated`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws
    /// Consumes `count` bytes without keeping them.
    func skip(_ count: Int) throws
    /// Bytes left, when known without reading them (nil for inflated data).
    var remaining: Int? { get }
}

extension ByteSource {
    /// `count` bytes. When the source cannot tell how many it holds, a large read grows its
    /// array as the bytes arrive, so a size field larger than the data costs no memory.
    func readBytes(_ count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        if let remaining, count > remaining { throw MATError.truncated(path) }
        let piece = 1 << 24
        guard remaining == nil, count > piece else {
            return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                try read(into: UnsafeMutableRawBufferPointer(buffer))
                initialized = count
            }
        }
        var bytes: [UInt8] = []
        while bytes.count < count {
            let n = min(piece, count - bytes.count)
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: n))
            try bytes.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
        }
        return bytes
    }
}

/// A stretch of bytes already in memory (the mapping of an uncompressed element).
final class MemorySource: ByteSource {
    private let bytes: UnsafeRawBufferPointer
    private(set) var position = 0
    let path: String
    var remaining: Int? { bytes.count - position }

    init(_ bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws {
        guard buffer.count <= bytes.count - position else { throw MATError.truncated(path) }
        if let destination = buffer.baseAddress, let source = bytes.baseAddress {
            destination.copyMemory(from: source + position, byteCount: buffer.count)
        }
        position += buffer.count
    }

    func skip(_ count: Int) throws {
        guard count <= bytes.count - position else { throw MATError.truncated(path) }
        position += count
    }
}

/// The zlib-inflated content of one miCOMPRESSED element, produced on demand.
final class InflateSource: ByteSource {
    private let stream: UnsafeMutablePointer<z_stream>
    private var input: UnsafeRawBufferPointer
    private var chunk: [UInt8]
    private var chunkStart = 0
    private var chunkEnd = 0
    private var ended = false
    private(set) var position = 0
    let path: String
    var remaining: Int? { nil }
    /// zlib counts input in 32-bit units, so larger inputs are fed in slices.
    private static let maxSlice = 1 << 30

    init(_ compressed: UnsafeRawBufferPointer, path: String, chunkSize: Int = 1 << 20) throws {
        self.path = path
        input = compressed
        chunk = [UInt8](repeating: 0, count: chunkSize)
        // zlib keeps a pointer back to its z_stream, so the struct must never move.
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit_(stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw MATError(path, "zlib could not start inflating (code \(status))")
        }
        feed()
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    private func feed() {
        guard stream.pointee.avail_in == 0, input.count > 0, let base = input.baseAddress else { return }
        let slice = min(input.count, Self.maxSlice)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(slice)
        input = UnsafeRawBufferPointer(rebasing: input[slice...])
    }

    /// Inflates into `destination`; returns how many bytes were produced.
    private func inflate(into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !ended else { throw MATError.truncated(path) }
        var produced = 0
        while produced == 0 {
            feed()
            stream.pointee.next_out = (destination.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(destination.count - produced)
            let hadInput = stream.pointee.avail_in
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            produced = destination.count - Int(stream.pointee.avail_out)
            switch status {
            case Z_STREAM_END:
                ended = true
                if produced == 0 { throw MATError.truncated(path) }
            case Z_OK:
                break
            case Z_BUF_ERROR where hadInput == 0 && input.isEmpty:
                throw MATError.truncated(path)
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "code \(status)"
                throw MATError(path, "compressed element is corrupt (zlib: \(reason))")
            }
        }
        return produced
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws {
        var filled = 0
        while filled < buffer.count {
            let wanted = buffer.count - filled
            if chunkStart == chunkEnd {
                // Large reads (weight arrays) inflate straight into the caller's buffer.
                if wanted >= chunk.count {
                    filled += try inflate(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                    continue
                }
                chunkEnd = try chunk.withUnsafeMutableBytes { try inflate(into: $0) }
                chunkStart = 0
            }
            let n = min(wanted, chunkEnd - chunkStart)
            chunk.withUnsafeBytes { source in
                (buffer.baseAddress! + filled).copyMemory(from: source.baseAddress! + chunkStart, byteCount: n)
            }
            chunkStart += n
            filled += n
        }
        position += buffer.count
    }

    func skip(_ count: Int) throws {
        var left = count
        while left > 0 {
            if chunkStart == chunkEnd {
                chunkEnd = try chunk.withUnsafeMutableBytes { try inflate(into: $0) }
                chunkStart = 0
            }
            let n = min(left, chunkEnd - chunkStart)
            chunkStart += n
            left -= n
        }
        position += count
    }
}
