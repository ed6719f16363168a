import DSLRNN
import DSLRTensor

/// Every architecture DSLRKit can build, train and load, by the name a recipe or a weights
/// file's `dslrkit.architecture` metadata gives.
public enum Architectures {
    /// The list: adding an architecture is one file defining an `Architecture` plus one line here.
    public static let all: [Architecture] = [
        DPEDGenerator.architecture,
        DPEDPlus.architecture,
        GAN001Generator.architecture,
        CompactNet.architecture,
        GlobalNet.architecture,
        ToneNet.architecture,
        PPCNTeacher.architecture,
        PPCNStudent.architecture,
        PPCNSuperResolution.architecture,
        PyNET.architecture,
        MDIENetwork.architecture,
        DPEDDiscriminator.architecture,
        PPCNDiscriminator.architecture,
        PatchDiscriminator.architecture,
        GAN001Discriminator.architecture,
        StarGANDiscriminator.architecture,
    ]

    /// Names of every architecture, sorted.
    public static var names: [String] { all.map(\.name).sorted() }

    /// Names of the architectures with `role`, sorted.
    public static func names(role: ArchitectureContract.Role) -> [String] {
        all.filter { (try? $0.contract().role) == role }.map(\.name).sorted()
    }

    /// The architecture `name`; the error names `owner` (a file, a recipe section) and lists the known ones.
    public static func named(_ name: String, owner: String? = nil) throws -> Architecture {
        guard let found = all.first(where: { $0.name == name }) else {
            throw OptionError("\(owner.map { "\($0): " } ?? "")unknown architecture '\(name)' (known: \(names.joined(separator: ", ")))")
        }
        return found
    }

    /// The network a weights file holds: its architecture and options from the metadata (for
    /// files from before options were stored, from the tensors), then the weights, strictly.
    public static func load(state: [(String, Tensor)], metadata: [String: String], source: String) throws -> BuiltNetwork {
        guard let name = metadata[architectureMetadataKey] else {
            throw OptionError("\(source): no '\(architectureMetadataKey)' in its metadata, so DSLRKit cannot tell which network it is")
        }
        let architecture = try named(name, owner: source)
        let given: [String: OptionValue]
        if let json = metadata[optionsMetadataKey] {
            given = try Options.values(fromJSON: json, source: source)
        } else {
            given = architecture.legacyOptions?(state) ?? [:]
        }
        let options: Options
        do { options = try architecture.resolve(given) } catch let error as OptionError {
            throw OptionError("\(source): \(error.description)")
        }
        // Every option was within its declared maximum; still, a file whose options ask for a
        // network larger than the tensors it holds is refused before anything is allocated.
        if let floor = architecture.parameterFloor?(options) {
            let held = state.reduce(0) { $0 &+ $1.1.shape.reduce(1, &*) }
            if floor > held {
                throw OptionError("\(source): its \(name) options \(options.json()) need at least \(floor) parameters, but the file holds \(held) tensor elements")
            }
        }
        let network: BuiltNetwork
        do { network = try architecture.build(given) } catch let error as OptionError {
            throw OptionError("\(source): \(error.description)")
        } catch let error as TorchError {
            throw TorchError("\(source): \(error.message)", kind: error.kind)
        }
        try network.module.load(state, strict: true, source: source)
        network.module.eval()
        return network
    }

    /// The network `name` with the weights in `state` (options from the tensors, as for old files).
    public static func build(_ name: String, state: [(String, Tensor)], source: String) throws -> BuiltNetwork {
        try load(state: state, metadata: [architectureMetadataKey: name], source: source)
    }
}
