import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation
import SafeTensors

/// A model `dslr enhance` can run.
public struct ModelEntry: Sendable, Equatable {
    public enum Origin: String, Sendable { case builtIn = "built-in", user, file }
    public var card: ModelCard
    /// The weights file; nil for models without weights (classic).
    public var weights: URL?
    public var origin: Origin
}

/// An error resolving or loading a model (or planning the files to enhance), naming what
/// was asked for. Its kind is `internal` unless the thrower says otherwise.
public struct ModelError: KindedError, CustomStringConvertible, Equatable {
    public var description: String
    public var kind: ErrorKind
    public init(_ description: String, kind: ErrorKind = .internal) {
        self.description = description
        self.kind = kind
    }
}

/// Writes `weights`' tensors and metadata to `url` (atomically) with `card` in place of its
/// card; `url` may be `weights` itself.
public func writeModelCard(_ card: ModelCard, weights: URL, to url: URL) throws {
    let (tensors, metadata) = try Checkpoint.load(weights)
    guard let architecture = metadata[architectureMetadataKey] else {
        throw ModelError(
            "\(weights.path): no '\(architectureMetadataKey)' in its metadata, so it is not a DSLRKit model", kind: .unsupported)
    }
    guard card.architecture == architecture else {
        throw ModelError("\(weights.path): holds \(architecture) weights, the card says \(card.architecture)", kind: .badArgument)
    }
    var updated = metadata
    updated[ModelCard.metadataKey] = String(decoding: try JSONEncoder().encode(card), as: UTF8.self)
    try Checkpoint.save(tensors, metadata: updated, to: url)
}

/// The models known to DSLRKit: the classic enhancer, the weights embedded in the package,
/// and `.safetensors` files in the user's model folder.
public struct ModelRegistry: Sendable {
    public var entries: [ModelEntry]
    /// Files in the model folders that are not offered, one line each saying why: unreadable,
    /// or hidden because an earlier model has their name.
    public var problems: [String] = []

    /// The model used when none is named: the compact network DSLRKit trained itself
    /// (Models/dslrkit-default.safetensors; its card says how).
    public static let defaultName = "dslrkit-default"

    /// The user's model folder: `$DSLRKIT_MODELS`, else `<DSLRKit cache>/models`.
    public static var userFolder: URL {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["DSLRKIT_MODELS"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        let base = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (env["HOME"] ?? NSHomeDirectory()) + "/.cache"
        let cache = env["DSLRKIT_CACHE"].flatMap { $0.isEmpty ? nil : $0 } ?? base + "/dslrkit"
        return URL(fileURLWithPath: cache).appendingPathComponent("models")
    }

    /// The classic enhancer's card.
    public static let classicCard = ModelCard(
        name: "classic", architecture: "classic",
        summary: "Untrained baseline: white balance, auto levels, CLAHE on luminance, mild denoise, unsharp mask "
            + "(--preset: \(ClassicConfig.presets.map(\.name).joined(separator: ", "))).")

    /// Classic, the embedded models and the user's folder (later entries never shadow earlier names).
    public static func standard() -> ModelRegistry {
        var entries = [ModelEntry(card: classicCard, weights: nil, origin: .builtIn)]
        var problems: [String] = []
        if let embedded = Bundle.module.url(forResource: "Models", withExtension: nil) {
            entries += scan(embedded, origin: .builtIn, problems: &problems)
        }
        entries += scan(userFolder, origin: .user, problems: &problems)
        var seen: [String: ModelEntry] = [:]
        var kept: [ModelEntry] = []
        for entry in entries {
            if let first = seen[entry.card.name] {
                let owner = first.weights?.path ?? "the built-in \(first.card.name) model"
                problems.append("\(entry.weights?.path ?? entry.card.name): hidden: its model name '\(entry.card.name)' is taken by \(owner); give it another name (dslr models card FILE -o FILE --name NEW)")
            } else {
                seen[entry.card.name] = entry
                kept.append(entry)
            }
        }
        return ModelRegistry(entries: kept, problems: problems)
    }

    /// Every `.safetensors` file in `folder` with a DSLRKit architecture, by name; the others
    /// are added to `problems` with the reason.
    static func scan(_ folder: URL, origin: ModelEntry.Origin, problems: inout [String]) -> [ModelEntry] {
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        var found: [ModelEntry] = []
        for file in files.filter({ $0.pathExtension == "safetensors" }).sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            do { found.append(try entry(forWeights: file, origin: origin)) } catch {
                problems.append("\(error)")
            }
        }
        return found
    }

    /// Reads a weights file's card (or makes one from its architecture and file name).
    public static func entry(forWeights url: URL, origin: ModelEntry.Origin = .file) throws -> ModelEntry {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch {
            throw ModelError("\(url.path): not a readable safetensors weights file (\(error))", kind: .badInput)
        }
        if let json = file.metadata[ModelCard.metadataKey],
           let card = try? JSONDecoder().decode(ModelCard.self, from: Data(json.utf8)) {
            return ModelEntry(card: card, weights: url, origin: origin)
        }
        guard let architecture = file.metadata[architectureMetadataKey] else {
            throw ModelError(
                "\(url.path): no '\(architectureMetadataKey)' in its metadata, so DSLRKit cannot tell which network it is "
                    + "(import weights with `dslr import ...` or write them with DSLRKit)", kind: .unsupported)
        }
        let name = url.deletingPathExtension().lastPathComponent
        let source = file.metadata["dslrkit.source"].map { " (from \($0))" } ?? ""
        return ModelEntry(
            card: ModelCard(name: name, architecture: architecture, summary: "\(architecture) weights\(source)"),
            weights: url, origin: origin)
    }

    /// Whether `text` names a file rather than a registered model.
    public static func looksLikePath(_ text: String) -> Bool {
        text.hasSuffix(".safetensors") || text.contains("/")
    }

    /// The model named `nameOrPath` (a registered name or a path to a weights file), or the default.
    public func resolve(_ nameOrPath: String?) throws -> ModelEntry {
        let wanted = nameOrPath ?? Self.defaultName
        if let found = entries.first(where: { $0.card.name == wanted }) { return found }
        if Self.looksLikePath(wanted) {
            guard FileManager.default.fileExists(atPath: wanted) else {
                throw ModelError("\(wanted): no such weights file", kind: .notFound)
            }
            return try Self.entry(forWeights: URL(fileURLWithPath: wanted))
        }
        // A file of that name that was skipped says why, instead of leaving the user guessing.
        let skipped = problems.first { URL(fileURLWithPath: String($0.prefix { $0 != ":" })).deletingPathExtension().lastPathComponent == wanted }
        throw ModelError(
            "unknown model '\(wanted)' (known: \(knownNames); or give a path to a .safetensors file)"
                + (skipped.map { "; \($0)" } ?? ""), kind: .notFound)
    }

    /// The factor `dslr upscale` enlarges by.
    public static let upscaleFactor = 4

    /// The model `dslr upscale` uses when none is named: the first registered model whose
    /// architecture enlarges ×4 (PPCN's `ppcn-sr` once imported into the user's folder).
    public func defaultUpscaler() throws -> ModelEntry {
        let found = entries.first { entry in
            (try? Architectures.named(entry.card.architecture).contract().totalScale) == Self.upscaleFactor
        }
        guard let found else {
            throw ModelError(
                "no ×\(Self.upscaleFactor) super-resolution model is installed (known: \(knownNames)); import PPCN's with "
                    + "`dslr import ppcn-tf test/ckpt_super_resolution/generator_all.ckpt -o \(Self.userFolder.path)/ppcn-sr.safetensors`, "
                    + "or name one with --model", kind: .notFound)
        }
        return found
    }

    /// The registered names, for messages.
    public var knownNames: String { entries.map(\.card.name).joined(separator: ", ") }
}
