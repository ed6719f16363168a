import Foundation

/// One `Files:` stanza of a machine-readable Debian copyright file (DEP-5).
struct CopyrightStanza: Equatable {
    var patterns: [String]
    var copyright: [String]
    var license: String
}

/// Parses the `Files:` stanzas of a DEP-5 copyright file (continuation lines start with
/// white space; stanzas are separated by blank lines).
func parseDebianCopyright(_ text: String) -> [CopyrightStanza] {
    var stanzas: [CopyrightStanza] = []
    for block in text.components(separatedBy: "\n\n") {
        var fields: [String: [String]] = [:]
        var current: String?
        for line in block.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.first == " " || line.first == "\t" {
                if let key = current { fields[key, default: []].append(line.trimmingCharacters(in: .whitespaces)) }
            } else if let colon = line.firstIndex(of: ":") {
                let key = String(line[..<colon])
                current = key
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                fields[key] = value.isEmpty ? [] : [value]
            }
        }
        guard let files = fields["Files"], let license = fields["License"]?.first else { continue }
        stanzas.append(CopyrightStanza(
            patterns: files.flatMap { $0.split(separator: " ").map(String.init) },
            copyright: fields["Copyright"] ?? [], license: license))
    }
    return stanzas
}

/// The stanza governing `file` (a path relative to the package's source tree): the last
/// matching one, as DEP-5 specifies.
func copyrightStanza(for file: String, in stanzas: [CopyrightStanza]) -> CopyrightStanza? {
    stanzas.last { stanza in stanza.patterns.contains { fnmatch($0, file, 0) == 0 } }
}
