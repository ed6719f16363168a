import DSLRImport
import DSLRNN
import DSLRTensor

/// A PPCN network as its TensorFlow code names it: which architecture, under which scope.
public struct PPCNTFLayout: Sendable, Equatable {
    public let architecture: String
    public let scope: String
    /// Where PPCN's code uses this scope.
    public let origin: String

    /// Every layout PPCN's code produces: its published checkpoints
    /// (test/model_enhancement.py names the teacher `generator_s` and the student
    /// `generator_little`) and its training code (train/models.py: `generator_t`, `generator_s`).
    /// The shapes tell the two `generator_s` apart.
    public static let all = [
        PPCNTFLayout(architecture: PPCNTeacher.architectureID, scope: "generator_s", origin: "test/model_enhancement.py"),
        PPCNTFLayout(architecture: PPCNStudent.architectureID, scope: "generator_little", origin: "test/model_enhancement.py"),
        PPCNTFLayout(architecture: PPCNTeacher.architectureID, scope: "generator_t", origin: "train/models.py"),
        PPCNTFLayout(architecture: PPCNStudent.architectureID, scope: "generator_s", origin: "train/models.py"),
        PPCNTFLayout(architecture: PPCNSuperResolution.architectureID, scope: "generator", origin: "test/model_super_resolution.py"),
    ]

    /// The variables this layout expects, in PPCN's creation order.
    func variables() throws -> [DPEDTFVariable] {
        let net: any PPCNTFNamed = switch architecture {
        case PPCNTeacher.architectureID: try PPCNTeacher(weightInit: .constant(0), biasInit: .constant(0))
        case PPCNStudent.architectureID: try PPCNStudent(weightInit: .constant(0), biasInit: .constant(0))
        default: try PPCNSuperResolution(weightInit: .constant(0), biasInit: .constant(0))
        }
        return scopedTFVariables(of: net, net.tfNames, scope: scope)
    }

    var description: String { "\(architecture) (scope \(scope), \(origin))" }
}

/// A PPCN network whose parameters map one to one onto its TensorFlow variables.
protocol PPCNTFNamed: Module {
    /// (parameter name, TensorFlow name without the scope, layout), in PPCN's creation order.
    var tfNames: [(String, String, TFLayout)] { get }
}

extension PPCNSuperResolution: PPCNTFNamed {}

/// Why a checkpoint is none of PPCN's networks: the closest layout's differences, or what the
/// file holds when nothing is close.
public struct PPCNImportError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Reads whichever PPCN network a TensorFlow checkpoint V2 holds (e.g. Zheng222/PPCN's
/// `test/ckpt_enhancement/teacher.ckpt` or `test/ckpt_super_resolution/generator_all.ckpt`; pass the prefix, without `.index`), recognised by
/// its variables' names and shapes, and returns it with the layout it matched. Anything else
/// is refused with the differences from the closest PPCN network.
public func importPPCN(fromTFCheckpoint prefix: String) throws -> (network: BuiltNetwork, layout: PPCNTFLayout) {
    let checkpoint = try TFCheckpoint(prefix: prefix)
    let shapes = checkpoint.entries.mapValues(\.shape)
    var failures: [(layout: PPCNTFLayout, error: DPEDImportError)] = []
    for layout in PPCNTFLayout.all {
        let expected = try layout.variables()
        do {
            try checkTFVariableSet(expected, scope: layout.scope, shapes: shapes, source: prefix, architecture: layout.description)
        } catch let error as DPEDImportError {
            failures.append((layout, error))
            continue
        }
        let state = try expected.map { ($0.name, try $0.layout.fromTF(checkpoint.floatTensor(named: $0.tfName))) }
        let network = try Architectures.load(state: state, metadata: [architectureMetadataKey: layout.architecture], source: prefix)
        return (network, layout)
    }
    func problems(_ e: DPEDImportError) -> Int { e.missing.count + e.unexpected.count + e.shapeMismatches.count }
    let closest = failures.min { problems($0.error) < problems($1.error) }!
    if closest.error.missing.count == closest.error.expectedCount {
        let held = shapes.keys.sorted()
        let shown = held.prefix(8).joined(separator: ", ") + (held.count > 8 ? " and \(held.count - 8) more" : "")
        throw PPCNImportError(description: "\(prefix): not a PPCN checkpoint (none of \(PPCNTFLayout.all.map(\.description).joined(separator: "; ")) matches); it holds \(held.isEmpty ? "no variables" : shown)")
    }
    throw PPCNImportError(description: closest.error.description)
}
