import ArgumentParser
import DSLREnhance
import Foundation

struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the models `dslr enhance --model` accepts, with their cards.",
        discussion: "Models are the classic enhancer, the weights embedded in DSLRKit, and .safetensors files in \(ModelRegistry.userFolder.path) (or $DSLRKIT_MODELS).")

    @Flag(help: "Print every card field as JSON.")
    var json = false

    func run() throws {
        let registry = ModelRegistry.standard()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(registry.entries.map(\.card)), as: UTF8.self))
            return
        }
        for entry in registry.entries {
            let mark = entry.card.name == ModelRegistry.defaultName ? " (default)" : ""
            print("\(entry.card.name)\(mark)  [\(entry.card.architecture), \(entry.origin.rawValue)]")
            print("    \(entry.card.summary)")
            if let data = entry.card.trainedOn { print("    trained on: \(data)") }
            if let metrics = entry.card.metrics, !metrics.isEmpty {
                print("    metrics: " + metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4g", $0.value))" }.joined(separator: ", "))
            }
            if let weights = entry.weights { print("    weights: \(weights.path)") }
        }
    }
}
