import DSLRNN
import DSLRTensor

/// Why a PyTorch state dict does not fit an architecture: every difference, by name.
public struct TorchImportMismatch: Error, CustomStringConvertible {
    /// The checkpoint, for messages.
    public let source: String
    public let network: String
    /// Names and shapes the network has and the file lacks.
    public let missing: [(name: String, shape: [Int])]
    /// Names and shapes the file has and the network lacks.
    public let unexpected: [(name: String, shape: [Int])]
    /// Names in both with different shapes.
    public let misShaped: [StateDictMismatch.ShapeMismatch]
    /// Names in both whose dtypes are of different kinds (floating point, integer, bool):
    /// converting them would change the values.
    public let misTyped: [(name: String, expected: DType, found: DType)]
    /// A first name component every name of the file has and the network's do not
    /// (DataParallel's `module.`), when stripping it would match more names.
    public let commonPrefix: String?

    /// How many names each list shows before it gives a count of the rest.
    public static let listed = 12

    public var description: String {
        var counts: [String] = []
        var lines: [String] = []
        func section<T>(_ title: String, _ items: [T], _ show: (T) -> String) {
            guard !items.isEmpty else { return }
            counts.append("\(items.count) \(title)")
            let more = items.count > Self.listed ? ", ... and \(items.count - Self.listed) more" : ""
            lines.append("  \(title) (\(items.count)): " + items.prefix(Self.listed).map(show).joined(separator: ", ") + more)
        }
        section("missing", missing) { "\($0.name) \($0.shape)" }
        section("unexpected", unexpected) { "\($0.name) \($0.shape)" }
        section("mis-shaped", misShaped) { "\($0.name) (network \($0.expected), file \($0.found))" }
        section("mis-typed", misTyped) { "\($0.name) (network \($0.expected), file \($0.found))" }
        if let commonPrefix {
            lines.append("  every name in the file starts with '\(commonPrefix)': strip it (--strip-prefix \(commonPrefix))")
        }
        return "\(source) does not fit \(network): \(counts.joined(separator: ", "))\n" + lines.joined(separator: "\n")
    }
}

/// The network `architecture` (with `options`) holding the tensors of a PyTorch state dict.
/// Names, after removing `stripPrefix` from those that start with it, must be exactly the
/// network's parameters and buffers, with their shapes; floating-point tensors convert to the
/// network's precision, but never between floating point, integers and bools. Anything else
/// throws a `TorchImportMismatch` that lists every difference. `source` names the file.
public func importTorchStateDict(
    _ tensors: [(name: String, tensor: Tensor)], architecture: String, options: [String: OptionValue] = [:],
    stripPrefix: String? = nil, source: String
) throws -> BuiltNetwork {
    let network = try Architectures.named(architecture).build(options)
    var state: [(String, Tensor)] = []
    var seen: Set<String> = []
    for (name, tensor) in tensors {
        let renamed = stripPrefix.flatMap { name.hasPrefix($0) ? String(name.dropFirst($0.count)) : nil } ?? name
        guard seen.insert(renamed).inserted else {
            throw OptionError("\(source): two tensors are called '\(renamed)' once '\(stripPrefix ?? "")' is stripped")
        }
        state.append((renamed, tensor))
    }
    let mine = network.module.stateDict()
    let mineByName = Dictionary(mine, uniquingKeysWith: { a, _ in a })
    let given = Dictionary(state, uniquingKeysWith: { a, _ in a })
    let missing = mine.filter { given[$0.0] == nil }.map { (name: $0.0, shape: $0.1.shape) }
    let unexpected = state.filter { mineByName[$0.0] == nil }.map { (name: $0.0, shape: $0.1.shape) }
    var misShaped: [StateDictMismatch.ShapeMismatch] = []
    var misTyped: [(name: String, expected: DType, found: DType)] = []
    for (name, tensor) in mine {
        guard let file = given[name] else { continue }
        if file.shape != tensor.shape {
            misShaped.append(.init(name: name, expected: tensor.shape, found: file.shape))
        } else if valueKind(file.dtype) != valueKind(tensor.dtype) {
            misTyped.append((name, tensor.dtype, file.dtype))
        }
    }
    guard missing.isEmpty && unexpected.isEmpty && misShaped.isEmpty && misTyped.isEmpty else {
        throw TorchImportMismatch(
            source: source, network: "\(architecture) \(network.options.json())", missing: missing, unexpected: unexpected,
            misShaped: misShaped, misTyped: misTyped, commonPrefix: commonPrefix(of: state.map(\.0), against: Set(mineByName.keys)))
    }
    try network.module.load(state, strict: true, source: source)
    network.module.eval()
    return network
}

private func valueKind(_ dtype: DType) -> Int {
    dtype.isFloatingPoint ? 0 : dtype == .bool ? 1 : 2
}

/// The first component ("module.") of every name, when no name of the network starts with it
/// and removing it matches more names than it loses.
private func commonPrefix(of names: [String], against network: Set<String>) -> String? {
    guard let first = names.first, let dot = first.firstIndex(of: ".") else { return nil }
    let prefix = String(first[...dot])
    guard names.allSatisfy({ $0.hasPrefix(prefix) }), !network.contains(where: { $0.hasPrefix(prefix) }) else { return nil }
    let matched = names.filter { network.contains(String($0.dropFirst(prefix.count))) }.count
    return matched > 0 ? prefix : nil
}
