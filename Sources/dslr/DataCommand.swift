import ArgumentParser

/// `dslr data`: building training data.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Build training data: align your own phone/DSLR pairs.",
        subcommands: [DataAlign.self]
    )
}
