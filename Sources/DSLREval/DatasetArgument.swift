import DSLRData
import Foundation

// How `dslr eval --data` names a dataset. Five forms:
//
//   LAYOUT:ROOT[?KEY=VALUE&KEY=VALUE]   a DSLRData layout, e.g. dped:/data/dped?phone=iphone
//                                       or paired-folders:/data/pairs?test-percent=20
//   SPEC.json | SPEC.yaml | SPEC.yml    a file holding a DatasetSpec: name, root, options
//   FOLDER with dataset.yaml            the spec that file holds (`dslr data sr` writes one)
//   FOLDER with training_data/          a DPED phone folder (e.g. /data/dped/iphone)
//   FOLDER with input/ and target/      a paired folder; with train/ and test/ inside it, those
//                                       are the splits, otherwise EVERY pair is evaluated
//
// In the first three forms `--split` (default test) picks the held-out or training part.

/// A dataset to evaluate on: its spec, and whether every pair (rather than one split) counts.
public struct EvalDataSource: Sendable, Equatable {
    public var spec: DatasetSpec
    /// True for a plain paired folder given by path: it is all held-out data.
    public var allPairs: Bool
    public init(spec: DatasetSpec, allPairs: Bool = false) { self.spec = spec; self.allPairs = allPairs }
}

/// Parses a `--data` argument (see the forms above).
public func parseDataArgument(_ text: String) throws -> EvalDataSource {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    let exists = fm.fileExists(atPath: text, isDirectory: &isDir)
    if exists && isDir.boolValue {
        let root = URL(fileURLWithPath: text)
        func has(_ path: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &d) && d.boolValue
        }
        let described = root.appendingPathComponent("dataset.yaml")
        if fm.fileExists(atPath: described.path) { return EvalDataSource(spec: try readDatasetSpecFile(described)) }
        if has("training_data") { return EvalDataSource(spec: DatasetSpec(name: "dped", root: text)) }
        if has("train/input") { return EvalDataSource(spec: DatasetSpec(name: "paired-folders", root: text)) }
        if has("input") && has("target") {
            // Every pair lands in the training part, which then stands for the whole folder.
            return EvalDataSource(
                spec: DatasetSpec(name: "paired-folders", root: text, options: ["test-percent": "0"]), allPairs: true)
        }
        throw EvalError("\(text): a folder to evaluate on needs input/ and target/ (or train/ and test/ holding them, or DPED's training_data/)")
    }
    let lower = text.lowercased()
    if exists && (lower.hasSuffix(".json") || lower.hasSuffix(".yaml") || lower.hasSuffix(".yml")) {
        return EvalDataSource(spec: try readDatasetSpecFile(URL(fileURLWithPath: text)))
    }
    if !exists && (text.hasPrefix("/") || text.hasPrefix(".") || text.hasPrefix("~")) {
        throw EvalError("\(text): no such dataset folder or spec file")
    }
    guard let colon = text.firstIndex(of: ":"), DatasetLayout(rawValue: String(text[..<colon])) != nil else {
        let layouts = DatasetLayout.allCases.map(\.rawValue).joined(separator: ", ")
        throw EvalError(
            "--data \(text): not a folder, a .json/.yaml spec file, or LAYOUT:ROOT[?key=value&...] with LAYOUT one of \(layouts)")
    }
    let name = String(text[..<colon])
    var rest = String(text[text.index(after: colon)...])
    var options: [String: String] = [:]
    if let question = rest.firstIndex(of: "?") {
        for item in rest[rest.index(after: question)...].split(separator: "&") {
            let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, !kv[0].isEmpty else { throw EvalError("--data \(text): option '\(item)' is not KEY=VALUE") }
            options[kv[0]] = kv[1]
        }
        rest = String(rest[..<question])
    }
    guard !rest.isEmpty else { throw EvalError("--data \(text): no dataset folder after '\(name):'") }
    do { try DatasetLayout(rawValue: name)?.checkOptions(options) } catch let error as DataError {
        throw EvalError("--data \(text): \(error.message)")
    }
    return EvalDataSource(spec: DatasetSpec(name: name, root: rest, options: options))
}

/// A DatasetSpec from JSON (`{"name": ..., "root": ..., "options": {...}}`) or from the same
/// keys in flat YAML (`options:` followed by indented `key: value` lines). A relative root is
/// taken relative to the spec file's folder.
public func readDatasetSpecFile(_ url: URL) throws -> DatasetSpec {
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
        throw EvalError("\(url.path): cannot read the dataset spec (\(error.localizedDescription))")
    }
    var spec: DatasetSpec
    if url.pathExtension.lowercased() == "json" {
        do { spec = try JSONDecoder().decode(DatasetSpec.self, from: Data(text.utf8)) } catch {
            throw EvalError("\(url.path): not a dataset spec ({\"name\", \"root\", \"options\"}): \(error)")
        }
    } else {
        spec = try parseFlatYAMLSpec(text, source: url.path)
    }
    do { try DatasetLayout(rawValue: spec.name)?.checkOptions(spec.options) } catch let error as DataError {
        throw EvalError("\(url.path): \(error.message)")
    }
    if !spec.root.hasPrefix("/") {
        spec.root = url.deletingLastPathComponent().appendingPathComponent(spec.root).standardizedFileURL.path
    }
    return spec
}

/// The small YAML subset a dataset spec needs: `key: value` lines and one level of
/// indented options; comments and quotes allowed.
func parseFlatYAMLSpec(_ text: String, source: String) throws -> DatasetSpec {
    var top: [String: String] = [:], options: [String: String] = [:]
    var inOptions = false
    for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
        let indented = line.first == " " || line.first == "\t"
        let kv = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard kv.count >= 1, !kv[0].isEmpty else { throw EvalError("\(source):\(number + 1): expected 'key: value'") }
        let value = kv.count == 2 ? unquote(kv[1]) : ""
        if indented {
            guard inOptions else { throw EvalError("\(source):\(number + 1): indented line outside 'options:'") }
            options[kv[0]] = value
        } else if kv[0] == "options" && value.isEmpty {
            inOptions = true
        } else {
            inOptions = false
            top[kv[0]] = value
        }
    }
    guard let name = top["name"], let root = top["root"] else {
        throw EvalError("\(source): a dataset spec needs 'name' (the layout) and 'root' (the folder)")
    }
    return DatasetSpec(name: name, root: root, options: options)
}

func unquote(_ s: String) -> String {
    if s.count >= 2, let f = s.first, f == s.last, f == "\"" || f == "'" { return String(s.dropFirst().dropLast()) }
    return s
}
