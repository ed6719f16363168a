import DSLRImport
import DSLRNN
import DSLRTensor

/// How a TensorFlow variable's dimensions map onto a DSLRKit parameter's.
public enum TFLayout: Sendable, Equatable {
    /// Convolution kernel: TensorFlow HWIO, DSLRKit OIHW.
    case convolution
    /// Dense weight: TensorFlow [in, out], DSLRKit [out, in].
    case dense
    /// Identical (biases, norm scale and shift).
    case identical

    /// The TensorFlow shape of a parameter shaped `shape` here.
    public func tfShape(of shape: [Int]) -> [Int] {
        switch self {
        case .convolution: shape.count == 4 ? [shape[2], shape[3], shape[1], shape[0]] : shape
        case .dense: shape.count == 2 ? [shape[1], shape[0]] : shape
        case .identical: shape
        }
    }

    /// A TensorFlow-layout tensor rearranged into DSLRKit's layout.
    public func fromTF(_ t: Tensor) throws -> Tensor {
        switch self {
        case .convolution: try t.permute([3, 2, 0, 1]).contiguous()
        case .dense: try t.transpose(0, 1).contiguous()
        case .identical: t
        }
    }
}

/// One TensorFlow variable of a DPED network and the parameter it becomes.
public struct DPEDTFVariable: Sendable, Equatable {
    /// The full TensorFlow name, e.g. `generator/W1`.
    public let tfName: String
    /// The parameter name here, e.g. `conv_in.weight`.
    public let name: String
    public let layout: TFLayout
    /// The shape TensorFlow stores it with.
    public let tfShape: [Int]
}

/// Why a set of TensorFlow variables is not the DPED network asked for. Every problem is
/// listed, so one run shows everything that differs.
public struct DPEDImportError: Error, Sendable, CustomStringConvertible {
    /// The checkpoint (or other source) examined.
    public let source: String
    /// "DPED generator" or "DPED discriminator".
    public let architecture: String
    /// Expected variables that are absent, with their expected TensorFlow shapes.
    public var missing: [(name: String, shape: [Int])] = []
    /// Variables in the network's scope that DPED does not have.
    public var unexpected: [String] = []
    /// Variables present with another shape.
    public var shapeMismatches: [(name: String, found: [Int], expected: [Int])] = []
    /// How many variables the network has.
    public var expectedCount = 0
    /// Every variable name the source holds, sorted (for the message when none matches).
    public var present: [String] = []

    public var description: String {
        if missing.count == expectedCount && expectedCount > 0 {
            // Nothing matches: listing every expected name would hide what the file is.
            let shown = present.prefix(8).joined(separator: ", ")
            let more = present.count > 8 ? " and \(present.count - 8) more" : ""
            return "\(source): not a \(architecture) checkpoint: none of its \(expectedCount) variables (\(missing[0].name), ...) is present; it holds \(present.isEmpty ? "no variables" : shown + more)"
        }
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing " + missing.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")) }
        if !unexpected.isEmpty { parts.append("unexpected " + unexpected.joined(separator: ", ")) }
        for m in shapeMismatches { parts.append("\(m.name) is \(m.found), expected \(m.expected)") }
        return "\(source): not a \(architecture) checkpoint: " + parts.joined(separator: "; ")
    }
}

/// A DPED network whose parameters correspond one to one to the variables of aiff22/DPED's
/// TensorFlow graph.
public protocol DPEDTFNetwork: Module {
    /// The variable scope of the network in DPED's graph (`generator`, `discriminator`).
    static var tfScope: String { get }
    /// A name for messages.
    static var architectureName: String { get }
    /// Every TensorFlow variable of the network, in DPED's creation order.
    var tfVariables: [DPEDTFVariable] { get }
}

extension DPEDTFNetwork {
    /// Checks that `shapes` (TensorFlow name → shape) holds exactly this network's variables.
    /// Names outside the network's scope (the other network, optimizer step counters) and
    /// optimizer slots of its variables (`generator/W1/Adam`) are ignored; anything else in
    /// the scope is unexpected.
    public func checkTFVariables(_ shapes: [String: [Int]], source: String) throws {
        try checkTFVariableSet(tfVariables, scope: Self.tfScope, shapes: shapes, source: source, architecture: Self.architectureName)
    }

    /// Loads TensorFlow-named, TensorFlow-layout tensors (e.g. read from a checkpoint) into
    /// this network's parameters, after `checkTFVariables`.
    public func loadTF(_ values: [String: Tensor], source: String) throws {
        try checkTFVariables(values.mapValues(\.shape), source: source)
        try load(tfVariables.map { ($0.name, try $0.layout.fromTF(values[$0.tfName]!)) }, source: source)
    }

    /// Loads this network's variables from a TensorFlow checkpoint, checking names and shapes
    /// before reading any tensor data.
    public func loadTF(from checkpoint: TFCheckpoint) throws {
        let source = checkpoint.prefix
        try checkTFVariables(checkpoint.entries.mapValues(\.shape), source: source)
        var values: [String: Tensor] = [:]
        for v in tfVariables { values[v.tfName] = try checkpoint.floatTensor(named: v.tfName) }
        try loadTF(values, source: source)
    }

    /// Builds `tfVariables` from (parameter name, unscoped TensorFlow name, layout) triples.
    func tfVariables(_ pairs: [(String, String, TFLayout)]) -> [DPEDTFVariable] {
        scopedTFVariables(of: self, pairs, scope: Self.tfScope)
    }
}

/// `pairs` (parameter name, unscoped TensorFlow name, layout) of `module` as variables of `scope`.
func scopedTFVariables(of module: some Module, _ pairs: [(String, String, TFLayout)], scope: String) -> [DPEDTFVariable] {
    let shapes = Dictionary(uniqueKeysWithValues: module.stateDict().map { ($0.0, $0.1.shape) })
    return pairs.map { name, tf, layout in
        DPEDTFVariable(tfName: scope + "/" + tf, name: name, layout: layout, tfShape: layout.tfShape(of: shapes[name]!))
    }
}

/// Checks that `shapes` (TensorFlow name → shape) holds exactly the `expected` variables of
/// `scope`. Names outside the scope (another network, optimizer step counters) and optimizer
/// slots of expected variables (`generator/W1/Adam`) are ignored; anything else in the scope
/// is unexpected. Every difference is listed in the `DPEDImportError`.
func checkTFVariableSet(
    _ expected: [DPEDTFVariable], scope: String, shapes: [String: [Int]], source: String, architecture: String
) throws {
    let known = Set(expected.map(\.tfName))
    var error = DPEDImportError(source: source, architecture: architecture)
    error.expectedCount = expected.count
    error.present = shapes.keys.sorted()
    for v in expected {
        guard let found = shapes[v.tfName] else {
            error.missing.append((v.tfName, v.tfShape))
            continue
        }
        if found != v.tfShape { error.shapeMismatches.append((v.tfName, found, v.tfShape)) }
    }
    error.unexpected = shapes.keys.sorted().filter { name in
        name.hasPrefix(scope + "/") && !known.contains(name) && !known.contains { name.hasPrefix($0 + "/") }
    }
    if !error.missing.isEmpty || !error.unexpected.isEmpty || !error.shapeMismatches.isEmpty { throw error }
}

/// TensorFlow's name for the n-th unnamed variable of a scope.
func unnamedTFVariable(_ n: Int) -> String { n == 0 ? "Variable" : "Variable_\(n)" }

extension DPEDGenerator: DPEDTFNetwork {
    public static let tfScope = "generator"
    public static let architectureName = "DPED generator"

    public var tfVariables: [DPEDTFVariable] {
        var pairs: [(String, String, TFLayout)] = []
        func conv(_ name: String, _ n: Int) {
            pairs += [(name + ".weight", "W\(n)", .convolution), (name + ".bias", "b\(n)", .identical)]
        }
        conv("conv_in", 1)
        for i in 0..<blocks.count {
            conv("blocks.\(i).conv1", 2 + 2 * i)
            conv("blocks.\(i).conv2", 3 + 2 * i)
        }
        conv("conv_mid.0", 10)
        conv("conv_mid.1", 11)
        conv("conv_out", 12)
        for k in 0..<Self.normLayerCount {
            let norm = "blocks.\(k / 2).norm\(k % 2 + 1)"
            pairs += [(norm + ".shift", unnamedTFVariable(2 * k), .identical), (norm + ".scale", unnamedTFVariable(2 * k + 1), .identical)]
        }
        return tfVariables(pairs)
    }
}

extension DPEDDiscriminator: DPEDTFNetwork {
    public static let tfScope = "discriminator"
    public static let architectureName = "DPED discriminator"

    public var tfVariables: [DPEDTFVariable] { tfVariables(texturalTFPairs(convolutions: 5)) }
}

/// The variables of DPED's and PPCN's discriminators, all unnamed and so numbered in creation
/// order: `conv1`'s kernel and bias; for each later convolution its kernel, bias, and its
/// norm's shift and scale; then the dense layers `fc` and `out`.
func texturalTFPairs(convolutions: Int) -> [(String, String, TFLayout)] {
    var pairs: [(String, String, TFLayout)] = []
    func add(_ name: String, _ layout: TFLayout) { pairs.append((name, unnamedTFVariable(pairs.count), layout)) }
    for j in 1...convolutions {
        add("conv\(j).weight", .convolution)
        add("conv\(j).bias", .identical)
        if j > 1 {
            add("norm\(j).shift", .identical)
            add("norm\(j).scale", .identical)
        }
    }
    for dense in ["fc", "out"] {
        add(dense + ".weight", .dense)
        add(dense + ".bias", .identical)
    }
    return pairs
}

/// Reads a DPED generator from a TensorFlow checkpoint V2, e.g. aiff22/DPED's
/// `models_orig/iphone_orig` (pass the prefix, without `.index`). Anything that is not a
/// DPED generator is refused with a `DPEDImportError` listing what is missing, unexpected
/// or differently shaped.
public func importDPEDGenerator(fromTFCheckpoint prefix: String) throws -> DPEDGenerator {
    let checkpoint = try TFCheckpoint(prefix: prefix)
    // Zeros: every value is overwritten, so random draws would be wasted.
    let generator = try DPEDGenerator(weightInit: .constant(0), biasInit: .constant(0))
    try generator.loadTF(from: checkpoint)
    return generator
}
