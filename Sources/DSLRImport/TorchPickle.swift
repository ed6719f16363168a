import DSLRTensor

/// The only globals a tensor state dict names. Anything else a pickle names could run code
/// when Python unpickles it, so it is refused before the pickle goes on; nothing is called.
enum TorchGlobal: Equatable {
    case orderedDict
    case rebuildTensor
    case rebuildParameter
    /// `torch.<Dtype>Storage`: the element type of a storage, named in its persistent id.
    case storage(DType)

    private static let storages: [String: DType] = [
        "FloatStorage": .float32, "HalfStorage": .float16, "BFloat16Storage": .bfloat16, "DoubleStorage": .float64,
        "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8,
        "ByteStorage": .uint8, "BoolStorage": .bool,
    ]

    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensor
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch", _):
            guard let dtype = Self.storages[name] else { return nil }
            self = .storage(dtype)
        default: return nil
        }
    }

    static let allowList = "collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, torch.<Dtype>Storage"

    var name: String {
        switch self {
        case .orderedDict: "collections.OrderedDict"
        case .rebuildTensor: "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: "torch._utils._rebuild_parameter"
        case .storage(let dtype): "torch.\(Self.storages.first { $0.value == dtype }?.key ?? "\(dtype)Storage")"
        }
    }
}

/// A storage named by a persistent id: one member `data/<key>` of the archive.
struct TorchStorage {
    let key: String
    let dtype: DType
    /// Elements, as the persistent id declares; their bytes fit the member.
    let count: Int
    let entry: ZipEntry
}

/// A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage, already
/// checked to lie inside it.
struct TorchView {
    let storage: Int
    let offset: Int
    let shape: [Int]
    let strides: [Int]

    var count: Int { shape.reduce(1, *) }

    var isContiguous: Bool {
        var expected = 1
        for (size, stride) in zip(shape, strides).reversed() {
            if size != 1 && stride != expected { return false }
            expected *= size
        }
        return true
    }
}

/// A value of the pickle. Lists and dicts are mutable and shared (the memo hands out the
/// same one again), so they live in the machine's tables and values hold their index; a
/// cycle is then just an index, and nested tuples, the only values that contain values,
/// have a bounded depth.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer wider than 64 bits (only ever skipped).
    case bigInt
    case float(Double)
    case string(String)
    case tuple([PickleValue], depth: Int)
    case list(Int)
    case dict(Int)
    case global(TorchGlobal)
    case storage(Int)
    case tensor(Int)

    var depth: Int {
        if case .tuple(_, let depth) = self { return depth }
        return 0
    }

    /// What the value is, for messages.
    var kind: String {
        switch self {
        case .none: "None"
        case .bool: "a bool"
        case .int, .bigInt: "an int"
        case .float: "a float"
        case .string: "a string"
        case .tuple: "a tuple"
        case .list: "a list"
        case .dict: "a dict"
        case .global(let g): g.name
        case .storage: "a storage"
        case .tensor: "a tensor"
        }
    }
}

/// A dict of the pickle: items in insertion order, later values of a key replacing earlier
/// ones as Python's would.
struct PickleDict {
    private(set) var items: [(key: PickleValue, value: PickleValue)] = []
    private var positions: [String: Int] = [:]

    mutating func set(_ key: PickleValue, _ value: PickleValue) {
        let id: String? = switch key {
        case .string(let s): "s" + s
        case .int(let i): "i\(i)"
        default: nil
        }
        if let id, let at = positions[id] {
            items[at].value = value
        } else {
            if let id { positions[id] = items.count }
            items.append((key, value))
        }
    }

    subscript(key: String) -> PickleValue? { positions["s" + key].map { items[$0].value } }
}

/// An unpickler for the pickles torch.save writes for state dicts, and nothing more: the
/// opcodes of protocols 2 to 5 that such a pickle uses, the globals of `TorchGlobal` (never
/// called: each is interpreted here), persistent ids that name storages of the archive.
/// Every count and size read is checked, and the stack, marks, memo and tuple nesting are
/// bounded, so a hostile pickle ends in an error, never a trap or a huge allocation.
struct PickleMachine {
    static let maxDepth = 64
    static let maxStack = 1 << 20
    static let maxMarks = 256
    static let maxMemo = 1 << 24
    static let maxRank = 64

    let data: UnsafeRawBufferPointer
    /// The archive, for messages.
    let file: String
    /// The pickle's member name, for messages.
    let member: String
    /// The archive member holding storage `key`, if any.
    let storageEntry: (String) -> ZipEntry?

    private(set) var lists: [[PickleValue]] = []
    private(set) var dicts: [PickleDict] = []
    private(set) var storages: [TorchStorage] = []
    private(set) var views: [TorchView] = []
    private var storageIndex: [String: Int] = [:]
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    private var position = 0
    private var opcodeStart = 0

    init(data: UnsafeRawBufferPointer, file: String, member: String, storageEntry: @escaping (String) -> ZipEntry?) {
        self.data = data
        self.file = file
        self.member = member
        self.storageEntry = storageEntry
    }

    /// Runs the pickle to its STOP and returns the object it built.
    mutating func run() throws -> PickleValue {
        while true {
            opcodeStart = position
            let op = try byte()
            switch op {
            case 0x80:  // PROTO
                let version = try byte()
                guard (2...5).contains(version) else { throw failure(.unsupported, "pickle protocol \(version); torch.save writes 2 to 5") }
            case 0x95:  // FRAME: the length of the opcodes that follow, a hint for buffered readers
                _ = try length(8)
            case 0x2E:  // STOP
                return try pop()
            case 0x28:  // MARK
                guard marks.count < Self.maxMarks else { throw failure(.limitExceeded, "more than \(Self.maxMarks) open marks") }
                marks.append(stack.count)
            case 0x29: try push(.tuple([], depth: 1))  // EMPTY_TUPLE
            case 0x74: try push(tuple(try popMark()))  // TUPLE
            case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
                try push(tuple(try pop(Int(op) - 0x84)))
            case 0x5D:  // EMPTY_LIST
                lists.append([])
                try push(.list(lists.count - 1))
            case 0x7D:  // EMPTY_DICT
                dicts.append(PickleDict())
                try push(.dict(dicts.count - 1))
            case 0x61:  // APPEND
                let value = try pop()
                try append([value])
            case 0x65: try append(try popMark())  // APPENDS
            case 0x73:  // SETITEM
                let value = try pop(), key = try pop()
                try setItems([key, value])
            case 0x75: try setItems(try popMark())  // SETITEMS
            case 0x58: try push(.string(try string(try length(4))))  // BINUNICODE
            case 0x8C: try push(.string(try string(try length(1))))  // SHORT_BINUNICODE
            case 0x8D: try push(.string(try string(try length(8))))  // BINUNICODE8
            case 0x4A: try push(.int(Int(Int32(bitPattern: UInt32(try unsigned(4))))))  // BININT
            case 0x4B: try push(.int(Int(try unsigned(1))))  // BININT1
            case 0x4D: try push(.int(Int(try unsigned(2))))  // BININT2
            case 0x8A: try push(try long1())  // LONG1
            case 0x47:  // BINFLOAT: big-endian
                let bits = try bytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                try push(.float(Double(bitPattern: bits)))
            case 0x88: try push(.bool(true))  // NEWTRUE
            case 0x89: try push(.bool(false))  // NEWFALSE
            case 0x4E: try push(.none)  // NONE
            case 0x71: try put(Int(try unsigned(1)))  // BINPUT
            case 0x72: try put(Int(try unsigned(4)))  // LONG_BINPUT
            case 0x94: try put(memo.count)  // MEMOIZE
            case 0x68: try get(Int(try unsigned(1)))  // BINGET
            case 0x6A: try get(Int(try unsigned(4)))  // LONG_BINGET
            case 0x63:  // GLOBAL
                let module = try line(), name = try line()
                try push(.global(try allowed(module, name)))
            case 0x93:  // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw failure(.corrupt, "STACK_GLOBAL on values that are not strings")
                }
                try push(.global(try allowed(module, name)))
            case 0x52:  // REDUCE
                let args = try pop(), callable = try pop()
                try push(try call(callable, args))
            case 0x62:  // BUILD: an OrderedDict's attributes (a state dict's _metadata), not kept
                _ = try pop()
                guard case .dict = try top() else {
                    throw failure(.forbidden, "BUILD sets the state of \(try top().kind); a state dict only sets its dict's _metadata")
                }
            case 0x51:  // BINPERSID
                try push(try persistentLoad(try pop()))
            default:
                let name = Self.opcodeNames[op].map { "\($0) " } ?? ""
                throw failure(.forbidden, "pickle opcode \(name)(0x\(String(op, radix: 16))) is not one a tensor state dict uses")
            }
        }
    }

    // MARK: Reading

    private mutating func byte() throws -> UInt8 {
        guard position < data.count else { throw failure(.truncated, "ends before its STOP opcode") }
        defer { position += 1 }
        return data[position]
    }

    private mutating func bytes(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n <= data.count - position else { throw failure(.truncated, "declares \(n) bytes but \(data.count - position) remain") }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: data[position..<position + n])
    }

    /// An unsigned little-endian integer of `n` bytes.
    private mutating func unsigned(_ n: Int) throws -> UInt64 {
        try bytes(n).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// A length prefix of `n` bytes, which must fit what remains.
    private mutating func length(_ n: Int) throws -> Int {
        let value = try unsigned(n)
        guard value <= UInt64(data.count - position) else {
            throw failure(.truncated, "declares \(value) bytes but \(data.count - position) remain")
        }
        return Int(value)
    }

    private mutating func string(_ n: Int) throws -> String {
        guard let s = String(validating: try bytes(n), as: UTF8.self) else { throw failure(.corrupt, "a string is not valid UTF-8") }
        return s
    }

    /// A GLOBAL operand: text up to a newline, no longer than any Python dotted name needs.
    private mutating func line() throws -> String {
        let start = position
        while try byte() != 0x0A {
            guard position - start < 1024 else { throw failure(.corrupt, "a GLOBAL name runs past 1024 bytes") }
        }
        guard let s = String(validating: data[start..<position - 1], as: UTF8.self) else {
            throw failure(.corrupt, "a GLOBAL name is not valid UTF-8")
        }
        return s
    }

    /// LONG1: a little-endian two's-complement integer of up to 255 bytes.
    private mutating func long1() throws -> PickleValue {
        let raw = try bytes(try length(1))
        guard raw.count <= 8 else { return .bigInt }
        guard let last = raw.last else { return .int(0) }
        var value = raw.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if last & 0x80 != 0 && raw.count < 8 { value |= ~UInt64(0) << (8 * raw.count) }
        return .int(Int(Int64(bitPattern: value)))
    }

    // MARK: Stack and memo

    /// Values above the innermost mark belong to it; opcodes that pop may not reach below.
    private var floor: Int { marks.last ?? 0 }

    private mutating func push(_ value: PickleValue) throws {
        guard stack.count < Self.maxStack else { throw failure(.limitExceeded, "its stack grows past \(Self.maxStack) values") }
        stack.append(value)
    }

    private mutating func pop() throws -> PickleValue {
        guard stack.count > floor else { throw failure(.corrupt, "pops from an empty stack") }
        return stack.removeLast()
    }

    private mutating func pop(_ n: Int) throws -> [PickleValue] {
        guard stack.count - floor >= n else { throw failure(.corrupt, "pops \(n) values from a stack of \(stack.count - floor)") }
        defer { stack.removeLast(n) }
        return Array(stack.suffix(n))
    }

    private func top() throws -> PickleValue {
        guard stack.count > floor, let value = stack.last else { throw failure(.corrupt, "reads the top of an empty stack") }
        return value
    }

    private mutating func popMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw failure(.corrupt, "closes a mark that was never opened") }
        defer { stack.removeLast(stack.count - mark) }
        return Array(stack[mark...])
    }

    private mutating func put(_ index: Int) throws {
        guard memo.count < Self.maxMemo || memo[index] != nil else {
            throw failure(.limitExceeded, "its memo grows past \(Self.maxMemo) entries")
        }
        memo[index] = try top()
    }

    private mutating func get(_ index: Int) throws {
        guard let value = memo[index] else { throw failure(.corrupt, "reads memo entry \(index), which was never stored") }
        try push(value)
    }

    private func tuple(_ items: [PickleValue]) throws -> PickleValue {
        let depth = 1 + (items.map(\.depth).max() ?? 0)
        guard depth <= Self.maxDepth else { throw failure(.limitExceeded, "nests tuples more than \(Self.maxDepth) deep") }
        return .tuple(items, depth: depth)
    }

    private mutating func append(_ items: [PickleValue]) throws {
        guard case .list(let id) = try top() else { throw failure(.corrupt, "appends to \(try top().kind), not a list") }
        lists[id].append(contentsOf: items)
    }

    private mutating func setItems(_ items: [PickleValue]) throws {
        guard case .dict(let id) = try top() else { throw failure(.corrupt, "sets items of \(try top().kind), not a dict") }
        guard items.count % 2 == 0 else { throw failure(.corrupt, "sets items from an odd number of values") }
        for k in stride(from: 0, to: items.count, by: 2) { dicts[id].set(items[k], items[k + 1]) }
    }

    // MARK: Globals, calls and storages

    private func allowed(_ module: String, _ name: String) throws -> TorchGlobal {
        if let global = TorchGlobal(module: module, name: name) { return global }
        if module == "torch" && name.hasSuffix("Storage") {
            throw failure(.unsupported, "holds a torch.\(name), a storage type DSLRKit's tensors do not have")
        }
        let hint = module.hasPrefix("torch.nn.") || module == "__main__"
            ? " (a pickled module or object: save its state_dict() instead)" : ""
        throw failure(.forbidden, "refuses the global \(module).\(name)\(hint); only \(TorchGlobal.allowList) are allowed, and nothing is ever called")
    }

    private mutating func call(_ callable: PickleValue, _ args: PickleValue) throws -> PickleValue {
        guard case .global(let global) = callable else { throw failure(.corrupt, "REDUCE calls \(callable.kind)") }
        guard case .tuple(let a, _) = args else { throw failure(.corrupt, "REDUCE gives \(global.name) \(args.kind) as arguments") }
        switch global {
        case .orderedDict:
            guard a.isEmpty else { throw failure(.unsupported, "collections.OrderedDict is called with arguments") }
            dicts.append(PickleDict())
            return .dict(dicts.count - 1)
        case .rebuildParameter:
            guard a.count == 3, case .tensor = a[0] else { throw failure(.corrupt, "_rebuild_parameter takes a tensor, a bool and a dict") }
            return a[0]
        case .rebuildTensor:
            return try rebuildTensor(a)
        case .storage:
            throw failure(.forbidden, "calls \(global.name), which a state dict only names")
        }
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
    /// backward_hooks[, metadata])`, checked so that every element lies in the storage.
    private mutating func rebuildTensor(_ a: [PickleValue]) throws -> PickleValue {
        guard a.count == 6 || a.count == 7, case .storage(let s) = a[0], case .int(let offset) = a[1],
              case .tuple(let sizeValues, _) = a[2], case .tuple(let strideValues, _) = a[3], case .bool = a[4], case .dict = a[5] else {
            throw failure(.corrupt, "_rebuild_tensor_v2 takes (storage, offset, size, stride, requires_grad, hooks), got (\(a.map(\.kind).joined(separator: ", ")))")
        }
        let shape = try integers(sizeValues, "size"), strides = try integers(strideValues, "stride")
        let storage = storages[s]
        guard shape.count == strides.count, shape.count <= Self.maxRank else {
            throw failure(.corrupt, "a tensor has \(shape.count) sizes and \(strides.count) strides (at most \(Self.maxRank))")
        }
        guard offset >= 0, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw failure(.corrupt, "a tensor of storage '\(storage.key)' has a negative offset, size or stride (offset \(offset), size \(shape), stride \(strides))")
        }
        var count = 1, last = offset, overflow = false
        for (size, stride) in zip(shape, strides) {
            let next = count.multipliedReportingOverflow(by: size)
            count = next.partialValue
            overflow = overflow || next.overflow
            if size > 0 {
                let reach = (size - 1).multipliedReportingOverflow(by: stride)
                let sum = last.addingReportingOverflow(reach.partialValue)
                last = sum.partialValue
                overflow = overflow || reach.overflow || sum.overflow
            }
        }
        guard !overflow, count == 0 || last < storage.count else {
            throw failure(.corrupt, "a tensor of size \(shape), stride \(strides) at offset \(offset) reaches past storage '\(storage.key)' of \(storage.count) elements")
        }
        views.append(TorchView(storage: s, offset: offset, shape: shape, strides: strides))
        return .tensor(views.count - 1)
    }

    private func integers(_ values: [PickleValue], _ what: String) throws -> [Int] {
        try values.map {
            guard case .int(let v) = $0 else { throw failure(.corrupt, "a tensor \(what) holds \($0.kind)") }
            return v
        }
    }

    /// `('storage', torch.<Dtype>Storage, key, location, numel)`: the storage whose bytes are
    /// the member `data/<key>`, which must exist and hold numel elements.
    private mutating func persistentLoad(_ pid: PickleValue) throws -> PickleValue {
        guard case .tuple(let p, _) = pid, p.count == 5, case .string("storage") = p[0], case .global(.storage(let dtype)) = p[1],
              case .string(let key) = p[2], case .string = p[3], case .int(let count) = p[4] else {
            let items = if case .tuple(let p, _) = pid { p.map(\.kind).joined(separator: ", ") } else { pid.kind }
            throw failure(.corrupt, "a persistent id is not ('storage', torch.<Dtype>Storage, key, location, numel): (\(items))")
        }
        if let known = storageIndex[key] {
            guard storages[known].dtype == dtype, storages[known].count == count else {
                throw failure(.corrupt, "storage '\(key)' is declared as \(storages[known].count) \(storages[known].dtype) and as \(count) \(dtype)")
            }
            return .storage(known)
        }
        guard let entry = storageEntry(key) else { throw failure(.corrupt, "storage '\(key)' has no member data/\(key) in the archive") }
        let bytes = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard count >= 0, !bytes.overflow, bytes.partialValue <= entry.size else {
            throw failure(.corrupt, "storage '\(key)' declares \(count) \(dtype) elements but \(entry.name) holds \(entry.size) bytes")
        }
        storages.append(TorchStorage(key: key, dtype: dtype, count: count, entry: entry))
        storageIndex[key] = storages.count - 1
        return .storage(storages.count - 1)
    }

    func failure(_ kind: TorchCheckpointError.Kind, _ reason: String) -> TorchCheckpointError {
        TorchCheckpointError(kind, file: file, "\(member) at byte \(opcodeStart): \(reason)")
    }

    /// Names of the pickle opcodes this machine refuses, for its messages.
    private static let opcodeNames: [UInt8: String] = [
        0x30: "POP", 0x31: "POP_MARK", 0x32: "DUP", 0x46: "FLOAT", 0x49: "INT", 0x4C: "LONG", 0x50: "PERSID",
        0x53: "STRING", 0x54: "BINSTRING", 0x55: "SHORT_BINSTRING", 0x56: "UNICODE", 0x64: "DICT", 0x67: "GET",
        0x69: "INST", 0x6C: "LIST", 0x6F: "OBJ", 0x70: "PUT", 0x81: "NEWOBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
        0x8B: "LONG4", 0x42: "BINBYTES", 0x43: "SHORT_BINBYTES", 0x8E: "BINBYTES8", 0x8F: "EMPTY_SET", 0x90: "ADDITEMS",
        0x91: "FROZENSET", 0x92: "NEWOBJ_EX", 0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
    ]
}
