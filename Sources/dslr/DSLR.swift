import ArgumentParser

@main
struct DSLR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dslr",
        abstract: "DSLRKit: turn smartphone photos into DSLR-quality photos with deep learning.",
        version: "0.1.0",
        subcommands: [Enhance.self, Metrics.self, Models.self, Import.self, DataCommands.self, Doctor.self, Bench.self, Train.self]
    )
}
