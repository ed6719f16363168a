import CYaml

/// Limits on a recipe's YAML shape, checked on libyaml's event stream before Yams builds
/// anything: Yams composes and constructs recursively, so 50,000 nested brackets overflow
/// the stack, and it expands every alias, so a few nested aliases ("billion laughs") make
/// an unbounded tree. A real recipe nests 4 levels and has a few hundred nodes.
/// Mapping keys must be scalars (or aliases of scalars): Yams 5 force-unwraps a key as text
/// and traps on a list or mapping used as a key (found by fuzzing, issue 19). A plain
/// scalar with a colon must fit in 64 bits when read in YAML 1.1's base 60 (`1:30:00`):
/// Yams multiplies it out with trapping arithmetic (found by fuzzing too).
enum RecipeYAMLLimits {
    static let maxDepth = 64
    static let maxNodes = 100_000

    /// Throws when `yaml` nests deeper than `maxDepth`, expands (aliases included) to more
    /// than `maxNodes` nodes, has a list or mapping as a mapping key, or has a plain
    /// scalar whose base-60 reading passes 64 bits. Syntax errors are left for Yams to report.
    static func check(_ yaml: String, source: String) throws {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(yaml.utf8)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var nodes = 0
            // Per open collection: its anchor, the node count when it opened, whether it is a
            // mapping, and how many nodes it holds so far (in a mapping, even ones are keys).
            var open: [(anchor: String?, start: Int, mapping: Bool, items: Int)] = []
            // Nodes an alias stands for, by anchor.
            var sizes: [String: Int] = [:]
            // Anchors of lists and mappings.
            var collections: Set<String> = []
            func refuseKey(_ event: yaml_event_t) throws {
                throw RecipeError("\(source): a mapping key is a list or a mapping (line \(event.start_mark.line + 1)); a recipe's keys are names")
            }
            func name(_ anchor: UnsafeMutablePointer<yaml_char_t>?) -> String? {
                anchor.map { String(cString: $0) }
            }
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                let startsNode = [YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT, YAML_SCALAR_EVENT, YAML_ALIAS_EVENT]
                    .contains(event.type)
                if startsNode, let parent = open.indices.last {
                    let isKey = open[parent].mapping && open[parent].items % 2 == 0
                    open[parent].items += 1
                    if isKey, event.type == YAML_SEQUENCE_START_EVENT || event.type == YAML_MAPPING_START_EVENT
                        || event.type == YAML_ALIAS_EVENT && name(event.data.alias.anchor).map(collections.contains) == true {
                        try refuseKey(event)
                    }
                }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    guard open.count < maxDepth else {
                        throw RecipeError("\(source): nests deeper than \(maxDepth) levels (line \(event.start_mark.line + 1)); a recipe needs a few")
                    }
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT
                        ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
                    open.append((anchor, nodes, event.type == YAML_MAPPING_START_EVENT, 0))
                    if let anchor { collections.insert(anchor) }
                    nodes += 1
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    if let (anchor, start, _, _) = open.popLast(), let anchor { sizes[anchor] = nodes - start }
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    if scalar.style == YAML_PLAIN_SCALAR_STYLE, let value = scalar.value {
                        let text = String(decoding: UnsafeBufferPointer(start: value, count: scalar.length), as: UTF8.self)
                        // Every plain scalar: Yams' decoder reads any of them with a colon
                        // in base 60 when a recipe field is an Int, whatever its tag.
                        if sexagesimalOverflows(text) {
                            throw RecipeError("\(source): the number \(text) (line \(event.start_mark.line + 1)) does not fit in 64 bits (YAML 1.1 reads a:b:c as base 60)")
                        }
                    }
                    if let anchor = name(scalar.anchor) {
                        sizes[anchor] = 1
                        collections.remove(anchor)
                    }
                    nodes += 1
                case YAML_ALIAS_EVENT:
                    nodes += name(event.data.alias.anchor).flatMap { sizes[$0] } ?? 1
                default:
                    break
                }
                guard nodes <= maxNodes else {
                    throw RecipeError("\(source): expands to more than \(maxNodes) values (aliases included; line \(event.start_mark.line + 1)); a recipe needs a few hundred")
                }
            }
        }
    }

    /// Whether Yams' reading of `text` as an `Int` overflows, step by step as its
    /// `sexagesimal()` computes it (underscores dropped; a leading 0 means another radix,
    /// which does not trap; parts that are no integer are skipped; the last step's base
    /// times 60 counts too).
    static func sexagesimalOverflows(_ text: String) -> Bool {
        var digits = Substring(text.replacingOccurrences(of: "_", with: ""))
        let negative = digits.hasPrefix("-")
        if negative || digits.hasPrefix("+") { digits = digits.dropFirst() }
        guard digits.utf8.contains(UInt8(ascii: ":")), !digits.hasPrefix("0") else { return false }
        // Split as characters and as bytes: they differ where a combining mark follows a
        // colon, and which one Foundation's split in Yams matches is not pinned down.
        let byCharacter = digits.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let byByte = digits.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        return [byCharacter, byByte].contains { parts in
            var (base, value) = (1, 0)
            for digit in parts.compactMap({ Int($0, radix: 10) }).reversed() {
                let (product, productOverflows) = digit.multipliedReportingOverflow(by: base)
                let (sum, sumOverflows) = value.addingReportingOverflow(product)
                let (next, baseOverflows) = base.multipliedReportingOverflow(by: 60)
                if productOverflows || sumOverflows || baseOverflows { return true }
                (base, value) = (next, sum)
            }
            return negative && value == .min
        }
    }
}
