import ArgumentParser

/// Converts other projects' published weights into DSLRKit safetensors models.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert published weights of other projects into DSLRKit models.",
        subcommands: [ImportDPEDTF.self]
    )
}
