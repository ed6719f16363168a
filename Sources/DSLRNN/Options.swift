import DSLRTensor
import Foundation

// Options of a named, configurable unit (an architecture, a loss): each unit declares its
// options with their defaults once, and a configuration is resolved against that
// declaration, so an unknown option or a value of the wrong kind is an error rather than a
// silently ignored setting.

/// One option value as a configuration (YAML recipe, weights metadata) spells it.
public enum OptionValue: Sendable, Equatable, Codable, CustomStringConvertible {
    case number(Double)
    case text(String)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let list = try? c.decode([Double].self) {
            // A YAML/JSON list of numbers is kept in the comma-separated spelling.
            self = .text(list.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : String($0) }.joined(separator: ","))
        } else {
            self = .text(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let d): try c.encode(d)
        case .text(let s): try c.encode(s)
        }
    }

    public var description: String {
        switch self {
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .text(let s): "\"\(s)\""
        }
    }
}

/// What kind of value an option takes; checked when options are resolved.
public enum OptionKind: Sendable, Equatable {
    /// A positive whole number.
    case positiveInt
    /// A comma-separated list of positive whole numbers ("1,2,4").
    case positiveInts
    case number
    case text
    /// One of a fixed set of words.
    case choice([String])
}

/// One declared option: its name, kind, default and a line of help.
public struct OptionDeclaration: Sendable {
    public let name: String
    public let kind: OptionKind
    public let defaultValue: OptionValue
    public let help: String
    /// The largest value of a whole-number option (each value of a list). Options read from a
    /// weights file decide what is allocated before any weight is checked, so every size-like
    /// option declares one.
    public let maximum: Int?
    /// The most values a list option may have.
    public let maxCount: Int?

    public init(_ name: String, _ kind: OptionKind, default value: OptionValue, help: String = "",
                maximum: Int? = nil, maxCount: Int? = nil) {
        self.name = name; self.kind = kind; self.defaultValue = value; self.help = help
        self.maximum = maximum; self.maxCount = maxCount
    }
}

/// An error in a unit's configuration; the message names the unit and the option.
public struct OptionError: KindedError, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
    public var kind: ErrorKind { .badArgument }
}

/// A configuration resolved against its declaration: every declared option has a value
/// (given or default) of the right kind, and nothing else is present.
public struct Options: Sendable, Equatable {
    /// Who the options belong to, for messages ("generator 'dslrkit-compact'").
    public let owner: String
    /// Every declared option's value, defaults filled in.
    public let values: [String: OptionValue]

    /// Checks `given` against `declarations` and fills in defaults.
    public init(_ given: [String: OptionValue], declarations: [OptionDeclaration], owner: String) throws {
        let known = Dictionary(declarations.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        if let unknown = given.keys.sorted().first(where: { known[$0] == nil }) {
            let names = declarations.isEmpty ? "none" : declarations.map(\.name).sorted().joined(separator: ", ")
            throw OptionError("\(owner): unknown option '\(unknown)' (known: \(names))")
        }
        var values: [String: OptionValue] = [:]
        for declaration in declarations {
            let value = given[declaration.name] ?? declaration.defaultValue
            try Self.check(value, declaration, owner: owner)
            values[declaration.name] = value
        }
        self.owner = owner
        self.values = values
    }

    private static func check(_ value: OptionValue, _ d: OptionDeclaration, owner: String) throws {
        let shown = value.description.count > 60 ? String(value.description.prefix(60)) + "...\"" : value.description
        let fail = { (what: String) in OptionError("\(owner): option '\(d.name)' must be \(what), got \(shown)") }
        if let maximum = d.maximum {
            let values: [Int]
            switch value {
            case .number(let x): values = x == x.rounded() && abs(x) < 1e15 ? [Int(x)] : []
            case .text(let s): values = parseInts(s) ?? []
            }
            if values.contains(where: { $0 > maximum }) {
                throw fail(d.kind == .positiveInts ? "a list of positive integers of at most \(maximum)" : "a positive integer of at most \(maximum)")
            }
        }
        if let maxCount = d.maxCount, case .text(let s) = value, s.split(separator: ",").count > maxCount {
            throw fail("a list of at most \(maxCount) values")
        }
        switch (d.kind, value) {
        case (.positiveInt, .number(let x)) where x == x.rounded() && x > 0 && x < 1e9: return
        case (.positiveInt, _): throw fail("a positive integer")
        case (.positiveInts, .number(let x)) where x == x.rounded() && x > 0 && x < 1e9: return
        case (.positiveInts, .text(let s)) where parseInts(s) != nil: return
        case (.positiveInts, _): throw fail("a comma-separated list of positive integers")
        case (.number, .number(let x)) where x.isFinite: return
        case (.number, _): throw fail("a finite number")
        case (.text, .text): return
        case (.text, _): throw fail("text")
        case (.choice(let words), .text(let s)) where words.contains(s): return
        case (.choice(let words), _): throw fail("one of \(words.joined(separator: ", "))")
        }
    }

    private static func parseInts(_ s: String) -> [Int]? {
        let items = s.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !items.isEmpty, items.allSatisfy({ ($0 ?? 0) > 0 && $0! < 1_000_000_000 }) else { return nil }
        return items.map { $0! }
    }

    /// A declared whole-number option.
    public func int(_ name: String) -> Int {
        if case .number(let x)? = values[name] { return Int(x) }
        preconditionFailure("\(owner): '\(name)' is not a declared integer option")
    }

    /// A declared list-of-integers option.
    public func ints(_ name: String) -> [Int] {
        switch values[name] {
        case .number(let x)?: return [Int(x)]
        case .text(let s)?: return Self.parseInts(s) ?? []
        case nil: preconditionFailure("\(owner): '\(name)' is not a declared option")
        }
    }

    /// A declared number option.
    public func number(_ name: String) -> Double {
        if case .number(let x)? = values[name] { return x }
        preconditionFailure("\(owner): '\(name)' is not a declared number option")
    }

    /// A declared text or choice option.
    public func text(_ name: String) -> String {
        if case .text(let s)? = values[name] { return s }
        preconditionFailure("\(owner): '\(name)' is not a declared text option")
    }

    /// The values as JSON, as a weights file stores them.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(values)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Option values from a weights file's JSON.
    public static func values(fromJSON json: String, source: String) throws -> [String: OptionValue] {
        do { return try JSONDecoder().decode([String: OptionValue].self, from: Data(json.utf8)) } catch {
            throw OptionError("\(source): its options metadata is not a JSON object of numbers and texts")
        }
    }
}
