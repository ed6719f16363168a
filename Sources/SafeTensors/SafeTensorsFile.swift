import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole safetensors file: its tensors and its free-form string metadata.
///
/// Reading is all-or-nothing: the initialisers either validate every rule of the format and
/// return the complete file, or throw the first violation found; there is no partial result.
public struct SafeTensorsFile: Sendable, Equatable {
    /// The header-length cap of the reference implementation; anything larger is treated as
    /// corrupt rather than allocated and parsed.
    public static let maxHeaderLength = 100_000_000

    /// Files at least this large are memory-mapped so tensor bytes are paged in on use instead
    /// of copied; smaller ones are cheaper to read outright.
    static let mapThreshold = 1 << 20

    /// Tensors in file order (ascending data offset) after reading, or as given when built.
    public let tensors: [SafeTensor]
    /// The `__metadata__` map; empty when the file has none.
    public let metadata: [String: String]
    /// Name -> position in `tensors`, so lookups by name do not scan.
    private let positions: [String: Int]

    /// The tensor called `name`, if any (the first one, should a built file repeat a name).
    public subscript(name: String) -> SafeTensor? {
        positions[name].map { tensors[$0] }
    }

    /// Tensor names in the same order as `tensors`.
    public var names: [String] { tensors.map(\.name) }

    /// Assembles a file to serialise. Nothing is checked here, so building never fails;
    /// duplicate or reserved names are reported by `serialized()` / `write(to:)`.
    public init(tensors: [SafeTensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
        self.positions = Dictionary(
            tensors.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads and strictly validates a file. Large files are memory-mapped privately: tensor
    /// `Data` then references the mapping (kept alive by the tensors), and writes to a copy of
    /// that `Data` never reach the file. As with any mapping, truncating the file while it is
    /// in use is undefined.
    public init(contentsOf url: URL) throws {
        let path = url.path
        guard url.isFileURL else {
            throw SafeTensorsError.io(path: url.absoluteString, reason: "not a file URL")
        }
        let contents = try FileContents.open(url, path: path)
        switch contents {
        case .memory(let data):
            try self.init(bytes: data, source: path)
        case .mapped(let region):
            let layout = try Self.parseLayout(region.buffer, source: path)
            self.init(layout: layout) { range in
                guard !range.isEmpty else { return Data() }
                // Writable private mapping, so Data's in-place mutation of a uniquely owned
                // buffer is copy-on-write at the page level and never faults or edits the file.
                return Data(
                    bytesNoCopy: region.base + range.lowerBound, count: range.count,
                    deallocator: .custom { _, _ in withExtendedLifetime(region) {} })
            }
        }
    }

    /// Validates bytes already in memory; `source` names them in errors (usually the path).
    /// Each tensor gets its own zero-based copy of its bytes, independent of `bytes`.
    public init(bytes: Data, source: String) throws {
        let layout = try bytes.withUnsafeBytes { try Self.parseLayout($0, source: source) }
        self.init(layout: layout) { range in
            bytes.withUnsafeBytes { zeroBasedCopy(UnsafeRawBufferPointer(rebasing: $0[range])) }
        }
    }

    private init(layout: Layout, bytesFor: (Range<Int>) -> Data) {
        let tensors = layout.entries.map { entry in
            SafeTensor(
                validatedName: entry.name, dtype: entry.dtype, shape: entry.shape,
                data: bytesFor((layout.dataStart + entry.begin)..<(layout.dataStart + entry.end)))
        }
        self.init(tensors: tensors, metadata: layout.metadata)
    }
}

// MARK: - Validation

extension SafeTensorsFile {
    /// One validated header entry; offsets are relative to the data buffer.
    struct Entry {
        let name: String
        let dtype: SafeTensorsDType
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    /// Everything the header says, validated against the file size.
    struct Layout {
        /// Entries sorted by data offset (file order).
        let entries: [Entry]
        let metadata: [String: String]
        /// Absolute offset of the data buffer: 8 + header length.
        let dataStart: Int
    }

    /// Checks every rule of the format against `file`, returning the layout only if all pass.
    static func parseLayout(_ file: UnsafeRawBufferPointer, source: String) throws -> Layout {
        guard file.count >= 8 else {
            throw SafeTensorsError.truncated(source: source, size: file.count)
        }
        var declared: UInt64 = 0
        for index in 0..<8 {
            declared |= UInt64(file[index]) << (8 * UInt64(index))
        }
        let available = file.count - 8
        guard declared > 0, declared <= UInt64(maxHeaderLength), declared <= UInt64(available) else {
            throw SafeTensorsError.headerLengthOutOfBounds(source: source, declared: declared, available: available)
        }
        let headerLength = Int(declared)
        let bufferSize = available - headerLength

        let root: JSONValue
        do {
            root = try JSONParser.parse(UnsafeRawBufferPointer(rebasing: file[8..<(8 + headerLength)]))
        } catch {
            throw SafeTensorsError.invalidHeader(
                source: source, reason: "\(error.message) at header byte \(error.offset)")
        }
        guard case .object(let members) = root else {
            throw SafeTensorsError.invalidHeader(source: source, reason: "expected a JSON object, found \(root.kindName)")
        }

        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        entries.reserveCapacity(members.count)
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try parseMetadata(value, source: source)
            } else {
                entries.append(try parseEntry(name: key, value: value, bufferSize: bufferSize, source: source))
            }
        }

        // File order; ties (zero-length tensors) keep header order so the result is stable.
        let ordered = entries.enumerated().sorted {
            ($0.element.begin, $0.element.end, $0.offset) < ($1.element.begin, $1.element.end, $1.offset)
        }.map(\.element)
        var covered = 0
        var previous = ""
        for entry in ordered {
            if entry.begin < covered {
                throw SafeTensorsError.overlappingTensors(source: source, first: previous, second: entry.name)
            }
            if entry.begin > covered {
                throw SafeTensorsError.incompleteCoverage(
                    source: source, start: covered, end: entry.begin, bufferSize: bufferSize)
            }
            covered = entry.end
            previous = entry.name
        }
        if covered != bufferSize {
            throw SafeTensorsError.incompleteCoverage(
                source: source, start: covered, end: bufferSize, bufferSize: bufferSize)
        }
        return Layout(entries: ordered, metadata: metadata, dataStart: 8 + headerLength)
    }

    private static func parseMetadata(_ value: JSONValue, source: String) throws -> [String: String] {
        let name = "__metadata__"
        guard case .object(let members) = value else {
            throw SafeTensorsError.invalidEntry(
                source: source, name: name, reason: "expected an object of strings, found \(value.kindName)")
        }
        var metadata: [String: String] = [:]
        for (key, item) in members {
            guard case .string(let text) = item else {
                throw SafeTensorsError.invalidEntry(
                    source: source, name: name, reason: "value of '\(key)' must be a string, found \(item.kindName)")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseEntry(name: String, value: JSONValue, bufferSize: Int, source: String) throws -> Entry {
        func invalid(_ reason: String) -> SafeTensorsError {
            .invalidEntry(source: source, name: name, reason: reason)
        }
        func integer(_ value: JSONValue, _ field: String) throws -> Int {
            switch value.nonNegativeInteger() {
            case .success(let number): return number
            case .failure(let error): throw invalid("\(field): \(error.message)")
            }
        }

        guard case .object(let fields) = value else {
            throw invalid("expected an object with dtype, shape and data_offsets, found \(value.kindName)")
        }
        var dtypeValue: JSONValue?
        var shapeValue: JSONValue?
        var offsetsValue: JSONValue?
        for (key, field) in fields {
            switch key {
            case "dtype": dtypeValue = field
            case "shape": shapeValue = field
            case "data_offsets": offsetsValue = field
            default: throw invalid("unexpected field '\(key)'")
            }
        }
        guard let dtypeValue else { throw invalid("missing field 'dtype'") }
        guard let shapeValue else { throw invalid("missing field 'shape'") }
        guard let offsetsValue else { throw invalid("missing field 'data_offsets'") }

        guard case .string(let dtypeText) = dtypeValue else {
            throw invalid("dtype must be a string, found \(dtypeValue.kindName)")
        }
        guard case .array(let dims) = shapeValue else {
            throw invalid("shape must be an array of integers, found \(shapeValue.kindName)")
        }
        var shape: [Int] = []
        shape.reserveCapacity(dims.count)
        for (index, dim) in dims.enumerated() {
            shape.append(try integer(dim, "shape[\(index)]"))
        }
        guard case .array(let offsets) = offsetsValue, offsets.count == 2 else {
            throw invalid("data_offsets must be an array of 2 integers, found \(offsetsValue.kindName)")
        }
        let begin = try integer(offsets[0], "data_offsets[0]")
        let end = try integer(offsets[1], "data_offsets[1]")
        guard begin <= end else {
            throw invalid("data_offsets begin \(begin) is after end \(end)")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeText) else {
            throw SafeTensorsError.unknownDType(source: source, name: name, dtype: dtypeText)
        }
        let expected = requiredByteCount(shape: shape, dtype: dtype)
        guard expected == end - begin else {
            throw SafeTensorsError.byteLengthMismatch(source: source, name: name, expected: expected, actual: end - begin)
        }
        guard end <= bufferSize else {
            throw SafeTensorsError.offsetOutOfRange(source: source, name: name, end: end, bufferSize: bufferSize)
        }
        return Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }
}

// MARK: - Writing

extension SafeTensorsFile {
    /// Serialises: header JSON with tensors in the given order, keys emitted deterministically
    /// (same input -> byte-identical output), data contiguous in that order, header
    /// space-padded to a multiple of 8 so the data buffer starts 8-byte aligned.
    public func serialized() throws -> Data {
        let prefix = try headerPrefix(source: "<memory>")
        var out = Data(capacity: prefix.count + tensors.reduce(0) { $0 + $1.data.count })
        out.append(contentsOf: prefix)
        for tensor in tensors {
            out.append(tensor.data)
        }
        return out
    }

    /// Writes atomically: a temp file in the same directory, fsync, rename over the destination,
    /// then fsync the directory, so an interrupted write never leaves a half-written file under
    /// `url` and never replaces a good one. Tensor bytes are streamed, not concatenated first.
    public func write(to url: URL) throws {
        let path = url.path
        guard url.isFileURL else {
            throw SafeTensorsError.io(path: url.absoluteString, reason: "not a file URL")
        }
        let directory = url.deletingLastPathComponent()
        // The name's start only, so a name that fits the 255-byte limit still has a temporary one that does.
        let start = String(url.lastPathComponent.prefix(40))
        let temporary = directory.appendingPathComponent(".\(start).\(UUID().uuidString).tmp")
        let prefix = try headerPrefix(source: path)

        let descriptor = temporary.withUnsafeFileSystemRepresentation { name -> Int32 in
            guard let name else { return -1 }
            return open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard descriptor >= 0 else {
            let code = errno
            throw SafeTensorsError.io(
                path: path, reason: "cannot create a temporary file in \(directory.path): \(errnoText(code))")
        }
        var renamed = false
        defer {
            if !renamed {
                _ = temporary.withUnsafeFileSystemRepresentation { name in name.map { unlink($0) } }
            }
        }
        do {
            try prefix.withUnsafeBytes { try writeAll(descriptor, $0, path: path) }
            for tensor in tensors {
                try tensor.data.withUnsafeBytes { try writeAll(descriptor, $0, path: path) }
            }
            guard fsync(descriptor) == 0 else {
                let code = errno
                throw SafeTensorsError.io(path: path, reason: "fsync failed: \(errnoText(code))")
            }
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else {
            let code = errno
            throw SafeTensorsError.io(path: path, reason: "close failed: \(errnoText(code))")
        }
        let status = temporary.withUnsafeFileSystemRepresentation { from in
            url.withUnsafeFileSystemRepresentation { to -> Int32 in
                guard let from, let to else { return -1 }
                return rename(from, to)
            }
        }
        guard status == 0 else {
            let code = errno
            throw SafeTensorsError.io(path: path, reason: "cannot rename the temporary file into place: \(errnoText(code))")
        }
        renamed = true
        try syncDirectory(directory, path: path)
    }

    /// The 8-byte length prefix plus the padded header. Deterministic: tensors in the given
    /// order, fields in a fixed order, metadata keys sorted by UTF-8 bytes (dictionary order
    /// varies between processes).
    func headerPrefix(source: String) throws -> [UInt8] {
        var header: [UInt8] = [UInt8(ascii: "{")]
        var needsComma = false
        if !metadata.isEmpty {
            appendJSONString("__metadata__", to: &header)
            header.append(contentsOf: ":{".utf8)
            let sorted = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, item) in sorted.enumerated() {
                if index > 0 { header.append(UInt8(ascii: ",")) }
                appendJSONString(item.key, to: &header)
                header.append(UInt8(ascii: ":"))
                appendJSONString(item.value, to: &header)
            }
            header.append(UInt8(ascii: "}"))
            needsComma = true
        }
        var seen = Set<String>()
        var offset = 0
        for tensor in tensors {
            guard tensor.name != "__metadata__" else {
                throw SafeTensorsError.invalidEntry(
                    source: source, name: tensor.name, reason: "this name is reserved for the metadata map")
            }
            guard seen.insert(tensor.name).inserted else {
                throw SafeTensorsError.invalidHeader(source: source, reason: "duplicate tensor name '\(tensor.name)'")
            }
            let (end, overflow) = offset.addingReportingOverflow(tensor.data.count)
            guard !overflow else {
                throw SafeTensorsError.invalidHeader(source: source, reason: "total tensor size overflows Int")
            }
            if needsComma { header.append(UInt8(ascii: ",")) }
            needsComma = true
            appendJSONString(tensor.name, to: &header)
            header.append(contentsOf: ":{\"dtype\":".utf8)
            appendJSONString(tensor.dtype.rawValue, to: &header)
            header.append(contentsOf: ",\"shape\":[".utf8)
            header.append(contentsOf: tensor.shape.map(String.init).joined(separator: ",").utf8)
            header.append(contentsOf: "],\"data_offsets\":[\(offset),\(end)]}".utf8)
            offset = end
        }
        header.append(UInt8(ascii: "}"))
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        guard header.count <= Self.maxHeaderLength else {
            throw SafeTensorsError.invalidHeader(
                source: source, reason: "header of \(header.count) bytes exceeds the \(Self.maxHeaderLength)-byte limit")
        }
        var length = UInt64(header.count).littleEndian
        return withUnsafeBytes(of: &length) { Array($0) } + header
    }
}

// MARK: - POSIX file access

/// Owns a private read/write mapping of a whole file and unmaps it when the last tensor
/// referencing it is gone. Immutable after creation, and the mapping is private to the
/// process, so sharing it across threads is safe.
final class MappedRegion: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let count: Int

    init(base: UnsafeMutableRawPointer, count: Int) {
        self.base = base
        self.count = count
    }

    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    deinit {
        munmap(base, count)
    }
}

/// A file's bytes, either read into memory or mapped.
enum FileContents {
    case memory(Data)
    case mapped(MappedRegion)

    static func open(_ url: URL, path: String) throws -> FileContents {
        let descriptor = url.withUnsafeFileSystemRepresentation { name -> Int32 in
            guard let name else { return -1 }
            // Non-blocking, so that a FIFO opens at once (to be refused below) instead of
            // waiting for a writer; a regular file reads the same either way.
            #if canImport(Darwin)
            return Darwin.open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            #else
            return Glibc.open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            #endif
        }
        guard descriptor >= 0 else {
            let code = errno
            throw SafeTensorsError.io(path: path, reason: "cannot open: \(errnoText(code))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            throw SafeTensorsError.io(path: path, reason: "cannot stat: \(errnoText(code))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SafeTensorsError.io(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        if size >= SafeTensorsFile.mapThreshold,
            let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, descriptor, 0),
            pointer != UnsafeMutableRawPointer(bitPattern: -1)
        {
            return .mapped(MappedRegion(base: pointer, count: size))
        }
        // Small file, or mapping refused (e.g. strict overcommit): read it instead.
        return .memory(try readAll(descriptor, sizeHint: size, path: path))
    }

    /// Reads to end of file; the size from fstat is only a hint, in case the file changes.
    private static func readAll(_ descriptor: Int32, sizeHint: Int, path: String) throws -> Data {
        var data = Data(count: max(sizeHint, 0) + 1)
        var filled = 0
        while true {
            if filled == data.count { data.count += max(data.count, 4096) }
            let got = data.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if got < 0 {
                let code = errno
                if code == EINTR { continue }
                throw SafeTensorsError.io(path: path, reason: "read failed: \(errnoText(code))")
            }
            if got == 0 { break }
            filled += got
        }
        data.count = filled
        return data
    }
}

/// Writes every byte, retrying short writes and interruptions.
private func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
    guard var next = bytes.baseAddress else { return }
    var remaining = bytes.count
    while remaining > 0 {
        let written = write(descriptor, next, remaining)
        if written < 0 {
            let code = errno
            if code == EINTR { continue }
            throw SafeTensorsError.io(path: path, reason: "write failed: \(errnoText(code))")
        }
        next += written
        remaining -= written
    }
}

/// Makes the rename durable. Some file systems cannot fsync a directory (EINVAL); the rename
/// has still happened there, so that alone is not reported as a failure.
private func syncDirectory(_ directory: URL, path: String) throws {
    let descriptor = directory.withUnsafeFileSystemRepresentation { name -> Int32 in
        guard let name else { return -1 }
        return open(name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }
    guard descriptor >= 0 else {
        let code = errno
        throw SafeTensorsError.io(path: path, reason: "cannot open the directory to sync it: \(errnoText(code))")
    }
    defer { close(descriptor) }
    if fsync(descriptor) != 0 {
        let code = errno
        if code != EINVAL {
            throw SafeTensorsError.io(path: path, reason: "directory fsync failed: \(errnoText(code))")
        }
    }
}
