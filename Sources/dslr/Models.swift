import ArgumentParser
import DSLREnhance
import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation

struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the models `dslr enhance --model` accepts, write a model's card, or start a network.",
        subcommands: [ListModels.self, ModelCardCommand.self, InitModel.self, Architectures.self], defaultSubcommand: ListModels.self)
}

/// Lists the registered architectures with their options and defaults.
struct Architectures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "architectures", abstract: "List the architectures, their contracts and options with defaults.")

    func run() throws {
        for architecture in DSLRModels.Architectures.all {
            let contract = try architecture.contract()
            let scale = contract.outputScale == 1 ? "" : ", x\(contract.outputScale)"
            print("\(architecture.name)  [\(contract.role.rawValue), \(contract.inputChannels)-channel \(contract.inputEncoding.rawValue) in\(scale)]")
            print("    \(architecture.summary)")
            for option in architecture.options {
                print("    --option \(option.name)=\(option.defaultValue)  \(option.help)")
            }
        }
    }
}

/// Writes a freshly initialised network of any architecture (e.g. to benchmark it, or to
/// start training from a file).
struct InitModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write an untrained network of an architecture (see `dslr models architectures`).")

    @Argument(help: "Architecture name.")
    var architecture: String

    @Option(name: .shortAndLong, help: "The safetensors file to write.")
    var output: String

    @Option(name: .customLong("option"), help: "Architecture option key=value (repeatable).")
    var options: [String] = []

    @Option(help: "Seed of the initial weights.")
    var seed: UInt64 = 0

    func run() throws {
        Torch.manualSeed(seed)
        let network = try DSLRModels.Architectures.named(architecture).build(architectureOptions(options))
        let card = ModelCard(name: URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent,
                             architecture: network.architecture, summary: "untrained \(network.architecture) (seed \(seed))")
        let json = String(decoding: try JSONEncoder().encode(card), as: UTF8.self)
        try Checkpoint.save(network.module.stateDict(), metadata: network.metadata.merging([ModelCard.metadataKey: json]) { a, _ in a },
                            to: URL(fileURLWithPath: output))
        print("wrote \(output): untrained \(network.architecture), options \(network.options.json())")
    }
}

/// Architecture options from repeated `--option key=value`: numbers where they parse as one.
func architectureOptions(_ items: [String]) throws -> [String: OptionValue] {
    var given: [String: OptionValue] = [:]
    for item in items {
        let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw ValidationError("--option \(item): expected key=value") }
        given[parts[0]] = Double(parts[1]).map(OptionValue.number) ?? .text(parts[1])
    }
    return given
}

struct ListModels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
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
            let card = entry.card
            let mark = card.name == ModelRegistry.defaultName ? " (default)" : ""
            print("\(card.name)\(mark)  [\(card.architecture), \(entry.origin.rawValue)]")
            print("    \(card.summary)")
            if let data = card.trainedOn { print("    trained on: \(data)") }
            if let metrics = card.metrics, !metrics.isEmpty {
                let rows = [("model", metrics)] + (card.baselines ?? [:]).sorted { $0.key > $1.key }.map { ($0.key, $0.value) }
                let keys = ["psnr", "ssim", "ms_ssim"].filter { metrics[$0] != nil }
                let header = "name".padding(toLength: 10, withPad: " ", startingAt: 0) + keys.map { $0.padding(toLength: 9, withPad: " ", startingAt: 0) }.joined()
                print("    held out\(card.evaluatedOn.map { " (\($0))" } ?? ""):")
                print("      " + header)
                for (name, values) in rows {
                    let cells = keys.map { (values[$0].map { String(format: "%.4f", $0) } ?? "-").padding(toLength: 9, withPad: " ", startingAt: 0) }
                    print("      " + name.padding(toLength: 10, withPad: " ", startingAt: 0) + cells.joined())
                }
            }
            if let weights = entry.weights { print("    weights: \(weights.path)") }
        }
        for problem in registry.problems { warn("skipped: \(problem)") }
    }
}

/// Publishing a trained model: its card (what it is, the data, the exact commands, held-out
/// metrics against the baselines) goes into the weights file's metadata.
struct ModelCardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Write a copy of a weights file with a new model card.",
        discussion: """
            Fields not given keep the file's current card (or its architecture and file name). \
            --eval takes the eval.json of `dslr eval`: the model's mean metrics, and identity's \
            and classic's as baselines.
            """)

    @Argument(help: "The weights (.safetensors) written by DSLRKit.")
    var weights: String

    @Option(name: .shortAndLong, help: "Where to write the weights with the new card (may be the same file).")
    var output: String

    @Option(help: "Model name, as `--model` will take it.") var name: String?
    @Option(help: "One-line summary.") var summary: String?
    @Option(help: "The training data, and how it was made.") var trainedOn: String?
    @Option(help: "The recipe file.") var recipe: String?
    @Option(help: "The exact command(s) that produced the weights.") var command: String?
    @Option(help: "Licence of the weights.") var license: String?
    @Option(help: "eval.json from `dslr eval` with this model, identity and classic.") var eval: String?
    @Option(help: "The model's name in eval.json (default: its only model besides the baselines).") var evalModel: String?

    func run() throws {
        let url = URL(fileURLWithPath: weights)
        var card = try ModelRegistry.entry(forWeights: url).card
        if let name { card.name = name }
        if let summary { card.summary = summary }
        if let trainedOn { card.trainedOn = trainedOn }
        if let recipe { card.recipe = recipe }
        if let command { card.command = command }
        if let license { card.license = license }
        if let eval {
            let scores = try readEvalScores(eval)
            let baselines = ["identity", "classic"]
            let candidates = scores.models.keys.filter { !baselines.contains($0) }
            guard let model = evalModel ?? (candidates.count == 1 ? candidates.first : nil), let metrics = scores.models[model] else {
                throw ValidationError("\(eval): name the model with --eval-model (it holds \(scores.models.keys.sorted().joined(separator: ", ")))")
            }
            card.metrics = metrics
            card.baselines = scores.models.filter { baselines.contains($0.key) }
            card.evaluatedOn = scores.description
        }
        try writeModelCard(card, weights: url, to: URL(fileURLWithPath: output))
        print(output)
    }
}

/// The mean metrics per model of an eval.json, and a description of what was evaluated.
func readEvalScores(_ path: String) throws -> (models: [String: [String: Double]], description: String) {
    guard let data = FileManager.default.contents(atPath: path),
          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let models = object["models"] as? [[String: Any]] else {
        throw ValidationError("\(path): not an eval.json written by `dslr eval`")
    }
    var result: [String: [String: Double]] = [:]
    for model in models {
        guard let name = model["model"] as? String, let mean = model["mean"] as? [String: Any] else { continue }
        result[name] = mean.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }
    let dataset = object["dataset"] as? String ?? "?", split = object["split"] as? String ?? "?"
    let pairs = (models.first?["images"] as? NSNumber)?.intValue ?? 0
    return (result, "\(dataset), \(split) split, \(pairs) image pairs")
}
