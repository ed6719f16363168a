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

/// The licence texts of a DEP-5 copyright file's stand-alone `License:` stanzas (and of
/// `Files:` stanzas that carry one), by licence name: continuation lines lose their first
/// space and a lone `.` is an empty line.
func parseDebianLicenseTexts(_ text: String) -> [String: String] {
    var texts: [String: String] = [:]
    for block in text.components(separatedBy: "\n\n") {
        var name: String?
        var body: [String] = []
        var inLicense = false
        for line in block.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.first == " " || line.first == "\t" {
                guard inLicense else { continue }
                let content = line.dropFirst()
                body.append(content.trimmingCharacters(in: .whitespaces) == "." ? "" : String(content))
            } else {
                inLicense = line.hasPrefix("License:")
                if inLicense { name = line.dropFirst("License:".count).trimmingCharacters(in: .whitespaces) }
            }
        }
        if let name, !name.isEmpty, !body.isEmpty, texts[name] == nil {
            texts[name] = body.joined(separator: "\n") + "\n"
        }
    }
    return texts
}
