import DSLRTensor
import Foundation

/// A PyTorch state dict read from a `.pth`/`.pt` file that `torch.save` wrote (its zip
/// format, the default since PyTorch 1.6), by DSLRKit's own code: no Python, and nothing in
/// the file is ever executed.
///
/// The archive's `data.pkl` is run by an unpickler that knows only the opcodes and globals a
/// tensor state dict uses (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2` and
/// `_rebuild_parameter`, `torch.<Dtype>Storage`); any other global, such as the `os.system` of
/// a malicious file, is refused by name. Storages are the archive's `data/<key>` members;
/// each tensor's size, strides and offset are checked against its storage, and tensors come
/// out contiguous in the file's dtype, with views and shared storages resolved. Errors are
/// `TorchCheckpointError`s naming the file.
public struct TorchCheckpoint: Sendable {
    /// The state dict's tensors in file order.
    public let tensors: [(name: String, tensor: Tensor)]
    /// The top-level key the state dict was found under ("state_dict", "model", ...), nil
    /// when the file's top-level object is the state dict.
    public let stateDictKey: String?
    /// Names of the state dict's entries that are not tensors ("epoch", nested dicts), skipped.
    public let skipped: [String]

    /// Where a nested state dict is looked for when the top level holds no tensors, in order.
    public static let stateDictKeys = ["state_dict", "model", "generator", "params", "net"]

    /// Reads `url`. The state dict is the top-level dict when it holds tensors, else the dict
    /// under `key`, else the first of `stateDictKeys` that holds tensors.
    public init(contentsOf url: URL, key: String? = nil) throws {
        let path = url.path
        let mapping: MappedFile
        do { mapping = try MappedFile(path: path) } catch let error as MATError {
            throw TorchCheckpointError(.unreadable, file: path, error.message)
        }
        try self.init(mapping: mapping, file: path, key: key)
    }

    /// Reads the file's bytes, `mapping`; `file` names it in errors.
    init(mapping: MappedFile, file path: String, key: String? = nil) throws {
        try Self.checkIsZip(mapping.bytes, file: path)
        let archive = try ZipArchive(mapping: mapping, file: path)
        let (prefix, pickle) = try Self.archivePrefix(archive)
        try Self.checkByteOrder(archive, prefix: prefix)
        let (object, machine) = try archive.withContents(of: pickle) { data in
            var machine = PickleMachine(data: data, file: path, member: pickle.name) { archive[prefix + "data/" + $0] }
            return (try machine.run(), machine)
        }
        let (dict, chosenKey) = try Self.stateDict(object, in: machine, key: key, file: path)
        var named: [(String, Int)] = []
        var skipped: [String] = []
        for (k, value) in machine.dicts[dict].items {
            guard case .string(let name) = k else {
                skipped.append("(\(k.kind) key)")
                continue
            }
            if case .tensor(let view) = value { named.append((name, view)) } else { skipped.append(name) }
        }
        let built = try Self.materialize(Set(named.map(\.1)), machine: machine, archive: archive)
        tensors = named.map { ($0.0, built[$0.1]!) }
        stateDictKey = chosenKey
        self.skipped = skipped
        withExtendedLifetime(mapping) {}
    }

    /// The state dict of `url` in file order (see `init(contentsOf:key:)`).
    public static func read(_ url: URL) throws -> [(name: String, tensor: Tensor)] {
        try TorchCheckpoint(contentsOf: url).tensors
    }

    // MARK: Container

    /// Recognises what older or other PyTorch writers produce, to say so rather than "not a zip".
    private static func checkIsZip(_ bytes: UnsafeRawBufferPointer, file: String) throws {
        let head = Array(bytes.prefix(14))
        if head.starts(with: [0x50, 0x4B]) { return }
        // The legacy format starts with a pickled magic number, 0x1950a86a20f9469cfc6c.
        if head == [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19] {
            throw TorchCheckpointError(.unsupported, file: file, "is in torch.save's legacy format (PyTorch before 1.6, or _use_new_zipfile_serialization=False), which is not read; re-save it with a current PyTorch (torch.save(torch.load(f, weights_only=True), g))")
        }
        if bytes.count > 262 && Array(bytes[257..<262]) == Array("ustar".utf8) {
            throw TorchCheckpointError(.unsupported, file: file, "is a tar archive (torch.save's format before PyTorch 0.4), which is not read; re-save it with a current PyTorch")
        }
        if head.first == 0x80 {
            throw TorchCheckpointError(.unsupported, file: file, "is a bare pickle, not a torch.save zip archive")
        }
        throw TorchCheckpointError(.notACheckpoint, file: file, "is not a PyTorch checkpoint (torch.save writes a zip archive)")
    }

    /// The folder every member lives in (torch.save names it after the file), whose
    /// `data.pkl` is the archive's only pickle at that depth, and that pickle.
    private static func archivePrefix(_ archive: ZipArchive) throws -> (String, ZipEntry) {
        let tops = archive.entries.compactMap { entry -> String? in
            let parts = entry.name.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[1] == "data.pkl" ? String(parts[0]) + "/" : nil
        }
        guard tops.count == 1, let prefix = tops.first, let pickle = archive[prefix + "data.pkl"] else {
            if tops.isEmpty, let script = archive.entries.first(where: { $0.name.hasSuffix("constants.pkl") || $0.name.contains("/code/") }) {
                throw TorchCheckpointError(.unsupported, file: archive.file, "is a TorchScript archive (torch.jit.save: it holds \(script.name)), which is not read; save the module's state_dict() with torch.save")
            }
            let reason = tops.isEmpty ? "holds no ARCHIVE/data.pkl" : "holds \(tops.count) pickles (\(tops.map { $0 + "data.pkl" }.joined(separator: ", ")))"
            throw TorchCheckpointError(.notACheckpoint, file: archive.file, "is a zip archive but not one torch.save wrote: it \(reason)")
        }
        if archive[prefix + "constants.pkl"] != nil || archive.entries.contains(where: { $0.name.hasPrefix(prefix + "code/") }) {
            throw TorchCheckpointError(.unsupported, file: archive.file, "is a TorchScript archive (torch.jit.save), which is not read; save the module's state_dict() with torch.save")
        }
        return (prefix, pickle)
    }

    private static func checkByteOrder(_ archive: ZipArchive, prefix: String) throws {
        guard let entry = archive[prefix + "byteorder"] else { return }  // before PyTorch 1.10: little-endian
        guard entry.size <= 16 else { throw TorchCheckpointError(.corrupt, file: archive.file, "\(entry.name) is \(entry.size) bytes") }
        let order = try archive.withContents(of: entry) { String(decoding: $0, as: UTF8.self) }
            .trimmingCharacters(in: .whitespacesAndNewlines)
        switch order {
        case "little": return
        case "big": throw TorchCheckpointError(.unsupported, file: archive.file, "holds big-endian storages; only little-endian is read")
        default: throw TorchCheckpointError(.corrupt, file: archive.file, "\(entry.name) says '\(order)', not little or big")
        }
    }

    // MARK: Object

    /// The dict that is the state dict, and the top-level key it is under.
    private static func stateDict(_ object: PickleValue, in machine: PickleMachine, key: String?, file: String) throws -> (Int, String?) {
        guard case .dict(let top) = object else {
            throw TorchCheckpointError(.notAStateDict, file: file, "holds \(object.kind), not a dict of tensors")
        }
        let dicts = machine.dicts
        func holdsTensors(_ id: Int) -> Bool { dicts[id].items.contains { if case .tensor = $0.value { true } else { false } } }
        let keysOfDicts = dicts[top].items.compactMap { item -> String? in
            guard case .string(let k) = item.key, case .dict(let id) = item.value, holdsTensors(id) else { return nil }
            return k
        }
        if let key {
            guard case .dict(let id)? = dicts[top][key] else {
                let found = dicts[top][key].map { "holds \($0.kind) under '\(key)'" } ?? "has no key '\(key)'"
                let known = dicts[top].items.compactMap { if case .string(let k) = $0.key { "'\(k)'" } else { nil } }
                throw TorchCheckpointError(.notAStateDict, file: file, "\(found), not a dict (its keys: \(known.prefix(20).joined(separator: ", "))\(known.count > 20 ? ", ..." : ""))")
            }
            return (id, key)
        }
        if holdsTensors(top) { return (top, nil) }
        for k in stateDictKeys {
            if case .dict(let id)? = dicts[top][k], holdsTensors(id) { return (id, k) }
        }
        let reason = keysOfDicts.isEmpty
            ? "holds no tensors at its top level nor in a dict under it"
            : "holds no tensors at its top level, and none of its dicts is under a usual state-dict key (\(stateDictKeys.joined(separator: ", "))); dicts of tensors are under \(keysOfDicts.map { "'\($0)'" }.joined(separator: ", ")): name one as the key"
        throw TorchCheckpointError(.notAStateDict, file: file, reason)
    }

    // MARK: Tensors

    /// The tensors of `views`, each storage read (and its CRC-32 checked) once.
    private static func materialize(_ views: Set<Int>, machine: PickleMachine, archive: ZipArchive) throws -> [Int: Tensor] {
        var built: [Int: Tensor] = [:]
        let byStorage = Dictionary(grouping: views.sorted()) { machine.views[$0].storage }
        for (s, members) in byStorage.sorted(by: { $0.key < $1.key }) {
            let storage = machine.storages[s]
            try archive.withContents(of: storage.entry) { data in
                for v in members { built[v] = try tensor(machine.views[v], of: storage, data: data, file: archive.file) }
            }
        }
        return built
    }

    /// A contiguous copy of `view`: whole when the view is contiguous, else row by row
    /// following its strides. The view was checked to lie inside the storage.
    private static func tensor(_ view: TorchView, of storage: TorchStorage, data: UnsafeRawBufferPointer, file: String) throws -> Tensor {
        let size = storage.dtype.byteSize
        let count = view.count
        guard count > 0 else {
            return try Tensor(bytes: UnsafeRawBufferPointer(start: nil, count: 0), shape: view.shape, dtype: storage.dtype)
        }
        let start = view.offset * size
        if view.isContiguous && storage.dtype != .bool {
            return try Tensor(bytes: UnsafeRawBufferPointer(rebasing: data[start..<start + count * size]), shape: view.shape, dtype: storage.dtype)
        }
        var out = [UInt8](repeating: 0, count: count * size)
        out.withUnsafeMutableBytes { destination in
            guard let to = destination.baseAddress, let from = data.baseAddress else { return }
            let rank = view.shape.count
            let inner = view.shape.last ?? 1, innerStride = view.strides.last ?? 1
            var index = [Int](repeating: 0, count: max(rank - 1, 0))
            var row = view.offset
            var written = 0
            for _ in 0..<(count / inner) {
                if innerStride == 1 {
                    (to + written).copyMemory(from: from + row * size, byteCount: inner * size)
                    written += inner * size
                } else {
                    for j in 0..<inner {
                        (to + written).copyMemory(from: from + (row + j * innerStride) * size, byteCount: size)
                        written += size
                    }
                }
                // Advance the row index like an odometer over every dimension but the last. A
                // dimension of size 1 may have any stride, so the arithmetic wraps: the row is
                // only used once every index is back in range, where it is exact.
                var d = rank - 2
                while d >= 0 {
                    index[d] += 1
                    row = row &+ view.strides[d]
                    if index[d] < view.shape[d] { break }
                    row = row &- view.strides[d] &* view.shape[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
        // libtorch's bools must be 0 or 1; a file may hold any byte.
        if storage.dtype == .bool { for i in out.indices where out[i] > 1 { out[i] = 1 } }
        return try out.withUnsafeBytes { try Tensor(bytes: $0, shape: view.shape, dtype: storage.dtype) }
    }
}
