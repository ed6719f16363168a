import CYaml

/// Limits on a recipe's YAML shape, checked on libyaml's event stream before Yams builds
/// anything: Yams composes and constructs recursively, so 50,000 nested brackets overflow
/// the stack, and it expands every alias, so a few nested aliases ("billion laughs") make
/// an unbounded tree. A real recipe nests 4 levels and has a few hundred nodes.
enum RecipeYAMLLimits {
    static let maxDepth = 64
    static let maxNodes = 100_000

    /// Throws when `yaml` nests deeper than `maxDepth` or expands (aliases included) to more
    /// than `maxNodes` nodes. Syntax errors are left for Yams to report.
    static func check(_ yaml: String, source: String) throws {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(yaml.utf8)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var nodes = 0
            // Per open collection: its anchor and the node count when it opened.
            var open: [(anchor: String?, start: Int)] = []
            // Nodes an alias stands for, by anchor.
            var sizes: [String: Int] = [:]
            func name(_ anchor: UnsafeMutablePointer<yaml_char_t>?) -> String? {
                anchor.map { String(cString: $0) }
            }
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    guard open.count < maxDepth else {
                        throw RecipeError("\(source): nests deeper than \(maxDepth) levels (line \(event.start_mark.line + 1)); a recipe needs a few")
                    }
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT
                        ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
                    open.append((anchor, nodes))
                    nodes += 1
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    if let (anchor, start) = open.popLast(), let anchor { sizes[anchor] = nodes - start }
                case YAML_SCALAR_EVENT:
                    if let anchor = name(event.data.scalar.anchor) { sizes[anchor] = 1 }
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
}
