import DSLRPhoto
import DSLRTensor
import Foundation
import Yams

/// A recipe that cannot be used, with a one-line message naming the file and the key.
public struct RecipeError: KindedError, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    /// A recipe, run folder or checkpoint that does not fit is the caller's to fix.
    public var kind: ErrorKind { .badArgument }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}

/// An unknown key found while decoding; turned into a `RecipeError` naming the file.
struct UnknownKey: Error {
    let path: String
}

/// A keyed container that first checks that every key present is one of `Keys`.
func strictContainer<Keys: CodingKey & CaseIterable>(_ decoder: any Decoder, _ keys: Keys.Type) throws -> KeyedDecodingContainer<Keys> {
    let known = Set(Keys.allCases.map(\.stringValue))
    let all = try decoder.container(keyedBy: AnyKey.self)
    if let unknown = all.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
        throw UnknownKey(path: dotted(decoder.codingPath + [AnyKey(stringValue: unknown)]))
    }
    return try decoder.container(keyedBy: Keys.self)
}

/// A value that decodes but makes no sense, reported like a type error.
func invalid<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K, _ message: String) -> DecodingError {
    DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: message)
}

func dotted(_ path: [any CodingKey]) -> String {
    path.map { $0.intValue.map { "\($0)" } ?? $0.stringValue }.joined(separator: ".")
}

extension Recipe {
    /// Parses recipe YAML; `source` names the file in messages. `overrides` are
    /// `dotted.key=value` settings (values parsed as YAML scalars) applied before decoding.
    public static func parse(_ yaml: String, source: String, overrides: [String] = []) throws -> Recipe {
        // The recipe stays a tree of YAML nodes until it is decoded: a scalar keeps the text
        // it was written with, so `name: 2024-01-01` or `root: 0x1F` is read as that text,
        // not turned into a date or the number 31 and printed back.
        var tree: Node
        try RecipeYAMLLimits.check(yaml, source: source)
        do {
            tree = try Yams.compose(yaml: yaml) ?? Node.mapping(Node.Mapping([]))
        } catch {
            throw RecipeError("\(source): not valid YAML (\(String(describing: error).split(separator: "\n").first ?? ""))")
        }
        for item in overrides { tree = try applyOverride(item, to: tree, source: source) }
        let recipe: Recipe
        do {
            let text = try Yams.serialize(node: tree)
            recipe = try YAMLDecoder().decode(Recipe.self, from: text)
        } catch {
            throw RecipeError("\(source): \(describe(unwrap(error), tree: tree))")
        }
        // A loss its algorithm cannot feed is refused now, not at the first step.
        do { try TrainingAlgorithms.validate(recipe) } catch let error as RecipeError {
            throw RecipeError("\(source): \(error.message)")
        }
        return recipe
    }

    /// Reads and parses a recipe file.
    public static func load(_ url: URL, overrides: [String] = []) throws -> Recipe {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw RecipeError("\(url.path): no such recipe file")
        }
        guard !isFolder.boolValue else { throw RecipeError("\(url.path): is a folder, not a recipe (a YAML file)") }
        if let problem = notARegularFile(url.path) { throw RecipeError("\(url.path): \(problem)") }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw RecipeError("\(url.path): cannot read the recipe (\(error.localizedDescription))")
        }
        return try parse(text, source: url.path, overrides: overrides)
    }

    /// The recipe as YAML (what a run folder keeps as `recipe.yaml`).
    public func yaml() throws -> String { try YAMLEncoder().encode(self) }
}

/// The innermost error: Yams wraps errors thrown while decoding in "not valid YAML".
private func unwrap(_ error: any Error) -> any Error {
    if case DecodingError.dataCorrupted(let context) = error, let inner = context.underlyingError {
        return unwrap(inner)
    }
    return error
}

private func describe(_ error: any Error, tree: Node) -> String {
    if let e = error as? UnknownKey { return "unknown key '\(e.path)'" }
    if let e = error as? RecipeError { return e.message }
    guard let error = error as? DecodingError else { return "\(error)" }
    switch error {
    case .keyNotFound(let key, let context):
        return "missing key '\(dotted(context.codingPath + [key]))'"
    case .typeMismatch(let type, let context):
        let found = kindOfValue(at: context.codingPath, in: tree).map { ", found \($0)" } ?? ""
        guard !context.codingPath.isEmpty else { return "a recipe is a mapping of keys (name:, generator:, ...)\(found)" }
        return "key '\(dotted(context.codingPath))': expected \(typeName(type))\(found)"
    case .valueNotFound(let type, let context):
        return "key '\(dotted(context.codingPath))': expected \(typeName(type)), found nothing"
    case .dataCorrupted(let context):
        let key = dotted(context.codingPath)
        let what = context.debugDescription.contains("Cannot initialize")
            ? "not one of the allowed values" : context.debugDescription
        return key.isEmpty ? what : "key '\(key)': \(what)"
    @unknown default:
        return "\(error)"
    }
}

private func typeName(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type, is UInt64.Type: return "an integer"
    case is Double.Type: return "a number"
    case is String.Type: return "text"
    case is Bool.Type: return "true or false"
    // Yams names the node it needed when the YAML has a different kind of node there.
    case is Node.Mapping.Type: return "a mapping"
    case is Node.Sequence.Type: return "a list"
    case is Node.Scalar.Type: return "a single value"
    default:
        let name = "\(type)"
        return name.contains("Array") ? "a list" : name.contains("Dictionary") ? "a mapping" : name
    }
}

/// What the recipe holds at `path`, in words, for saying what was found instead.
private func kindOfValue(at path: [any CodingKey], in tree: Node) -> String? {
    var node: Node? = tree
    for key in path {
        switch node {
        case .sequence(let list)?:
            guard let index = key.intValue else { return nil }
            node = list.indices.contains(index) ? list[index] : nil
        case .mapping(let map)?:
            node = map[key.stringValue]
        default:
            return nil
        }
    }
    guard let node else { return nil }
    switch node {
    case .sequence: return "a list"
    case .mapping: return "a mapping"
    case .scalar(let scalar):
        switch Tag.Name(rawValue: node.tag.description) {
        case .bool: return "true or false"
        case .int: return node.int.map { "the number \($0)" } ?? "the number \(scalar.string.prefix(40))"
        case .float: return node.float.map { "the number \($0)" } ?? "the number \(scalar.string.prefix(40))"
        case .null: return "nothing"
        default: return "the text '\(scalar.string.prefix(40))'"
        }
    }
}

/// Sets `a.b.c=value` in a YAML tree, creating mappings along the way.
private func applyOverride(_ item: String, to tree: Node, source: String) throws -> Node {
    guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
        throw RecipeError("--set \(item): expected key=value")
    }
    let path = item[..<eq].split(separator: ".").map(String.init)
    let raw = String(item[item.index(after: eq)...])
    // A value is YAML too, so Yams must not see one that would trap it or blow up.
    try RecipeYAMLLimits.check(raw, source: "--set \(item)")
    // What does not parse as YAML is taken as the text it is.
    let value: Node = (try? Yams.compose(yaml: raw)).flatMap { $0 } ?? Node(raw)
    func set(_ node: Node?, _ keys: ArraySlice<String>) throws -> Node {
        guard let key = keys.first else { return value }
        if case .sequence(var list)? = node, let index = Int(key) {
            guard list.indices.contains(index) else { throw RecipeError("--set \(item): \(source) has no item \(index) there") }
            list[index] = try set(list[index], keys.dropFirst())
            return .sequence(list)
        }
        var map = node?.mapping ?? Node.Mapping([])
        map[key] = try set(map[key], keys.dropFirst())
        return .mapping(map)
    }
    return try set(tree, path[...])
}
