import ArgumentParser
import DSLREnhance
import Foundation

struct Enhance: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Enhance photos with a model (the default model when none is named).",
        discussion: """
            IN may be photos or folders; folders keep their structure under OUT. With one photo \
            and an OUT ending in a photo extension, the result is written to OUT itself. \
            Large photos run in overlapping tiles whose result equals the untiled one. A photo \
            that cannot be read is reported and skipped; the exit code is 1 if any failed.
            """)

    @Argument(help: "Photos or folders of photos.")
    var inputs: [String]

    @Option(help: "Model name (see `dslr models`) or path to a .safetensors weights file.")
    var model: String?

    @Option(help: "Settings of --model classic: default, mpse (MPSE's phase 3: histogram equalisation, gamma 1/2.2), mpse-recursive, identity.")
    var preset: String?

    @Option(help: "How much of the model's change to apply: 0 keeps the photo, 1 is the model (default).")
    var strength: Double = 1

    @OptionGroup var batch: PhotoBatchOptions

    @OptionGroup var beforeAfter: BeforeAfterOption

    func validate() throws {
        if let preset {
            guard model == "classic" else { throw ValidationError("--preset applies to --model classic only") }
            guard ClassicConfig.presets.contains(where: { $0.name == preset }) else {
                throw ValidationError("--preset must be one of \(ClassicConfig.presets.map(\.name).joined(separator: ", "))")
            }
        }
        guard strength.isFinite, (0...1).contains(strength) else { throw ValidationError("--strength must be between 0 and 1") }
    }

    func run() throws {
        try batch.run(inputs: inputs, verb: ("enhancing", "enhanced"), strength: strength, report: beforeAfter.report) {
            engine, device, precision in
            try .enhancing(engine.model(model, device: device, precision: precision, preset: preset))
        }
    }
}
