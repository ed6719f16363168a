import DSLRLosses
import DSLRModels
import DSLRNN
import DSLRTensor

/// A network being trained: the registered architecture's network (`DSLRModels.BuiltNetwork`).
public typealias TrainableNetwork = BuiltNetwork

/// A fresh network of the architecture `spec` names, its options checked against the
/// architecture's declaration, in the role the recipe section expects.
func makeNetwork(_ spec: NetworkSpec, section: String, role: ArchitectureContract.Role) throws -> BuiltNetwork {
    let architecture = try Architectures.named(spec.architecture, owner: section)
    let network: BuiltNetwork
    do { network = try architecture.build(spec.options) } catch let error as OptionError {
        throw RecipeError("\(section): \(error.description)")
    }
    guard network.contract.role == role else {
        throw RecipeError("\(section): '\(spec.architecture)' is \(network.contract.role == .discriminator ? "a discriminator" : "an enhancer"), not \(role == .discriminator ? "a discriminator" : "an enhancer") (known: \(Architectures.names(role: role).joined(separator: ", ")))")
    }
    return network
}
