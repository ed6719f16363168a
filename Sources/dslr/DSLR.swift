import ArgumentParser

@main
struct DSLR: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dslr",
        abstract: "DSLRKit: turn smartphone photos into DSLR-quality photos with deep learning.",
        version: "0.1.0",
        subcommands: [
            Enhance.self, Upscale.self, Develop.self, Train.self, Eval.self, Report.self, Metrics.self, Models.self, Import.self, DataCommands.self,
            Serve.self, Launch.self, DDPCheck.self, Doctor.self, Bench.self,
        ]
    )
}
