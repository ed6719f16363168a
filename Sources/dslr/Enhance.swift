import ArgumentParser
import DSLREnhance
import DSLRModels
import DSLRTensor
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

    @OptionGroup var mpse: MPSEOptions

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
            if mpse.pipeline == "mdie" { return try .enhancing(mpse.mdieModel(model, engine: engine, device: device, precision: precision)) }
            if mpse.pipeline != nil { return try mpse.work(model: model, engine: engine, device: device, precision: precision) }
            return try .enhancing(engine.model(model, device: device, precision: precision, preset: preset))
        }
    }
}

/// `enhance --pipeline mpse`: Huang and Liu's three phases (model, semantic style refinement
/// against a reference photo, histogram equalisation and gamma).
struct MPSEOptions: ParsableArguments {
    @Option(help: "Run a multi-phase pipeline instead of the model alone: mpse (1: the model, 2: semantic style refinement against the nearest of --references, 3: histogram equalisation and gamma 1/2.2), or mdie (--model an mdie network: intrinsic decomposition, StarGAN on albedo and shading for --domains, recomposition).")
    var pipeline: String?

    @Option(help: "MDIE: the attributes to enhance, comma-separated, of \(MDIENetwork.attributeNames.joined(separator: ", ")) (default: all).")
    var domains: String?

    @Option(help: "Folder of reference photos for MPSE's phase 2; the one nearest to each photo in VGG features is used.")
    var references: String?

    @Option(help: "MPSE phases to run, comma-separated.")
    var phases = "1,2,3"

    @Option(help: "MPSE phase 2: Adam steps per photo.")
    var iterations = 200

    @Option(help: "MPSE phase 2: longest side the optimisation runs at; its change is carried to the full photo.")
    var workingSize = 512

    @Option(help: "MPSE phase 2: style weight, relative to the style mismatch at the start.")
    var styleWeight = 1.0

    func validate() throws {
        guard let pipeline else {
            if references != nil { throw ValidationError("--references belongs to --pipeline mpse") }
            if domains != nil { throw ValidationError("--domains belongs to --pipeline mdie") }
            return
        }
        if pipeline == "mdie" {
            if references != nil { throw ValidationError("--references belongs to --pipeline mpse") }
            _ = try mdieAttributes()
            return
        }
        guard pipeline == "mpse" else { throw ValidationError("--pipeline must be mpse or mdie") }
        if domains != nil { throw ValidationError("--domains belongs to --pipeline mdie") }
        let chosen: Set<MPSEPhase>
        do { chosen = try MPSEPhase.parse(phases) } catch { throw ValidationError("--phases: \(error)") }
        if chosen.contains(.style), references == nil { throw ValidationError("--pipeline mpse with phase 2 needs --references DIR") }
        guard iterations >= 0 else { throw ValidationError("--iterations must not be negative") }
        guard workingSize >= 16 else { throw ValidationError("--working-size must be at least 16") }
        guard styleWeight.isFinite, styleWeight >= 0 else { throw ValidationError("--style-weight must be a number at least 0") }
    }

    /// The attribute indices `--domains` names; nil for all.
    func mdieAttributes() throws -> Set<Int>? {
        guard let domains else { return nil }
        let names = domains.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var chosen = Set<Int>()
        for name in names {
            guard let index = MDIENetwork.attributeNames.firstIndex(of: name) else {
                throw ValidationError("--domains: unknown domain '\(name)' (known: \(MDIENetwork.attributeNames.joined(separator: ", ")))")
            }
            chosen.insert(index)
        }
        return chosen
    }

    /// `--pipeline mdie`: the model (an mdie network) with its label fixed to enhance `--domains`.
    func mdieModel(_ model: String?, engine: EnhanceEngine, device: Device, precision: Precision) throws -> LoadedModel {
        guard let model else {
            throw ValidationError("--pipeline mdie needs --model: an mdie network (trained by recipes/mdie-intrinsic.yaml, then recipes/mdie-stargan.yaml)")
        }
        let loaded = try engine.model(model, device: device, precision: precision)
        guard loaded.entry.card.architecture == MDIENetwork.architectureID else {
            throw ValidationError("--pipeline mdie: model '\(loaded.entry.card.name)' is a \(loaded.entry.card.architecture) network, not an mdie one")
        }
        let attributes = loaded.conditionChannels / 2
        if let chosen = try mdieAttributes(), let beyond = chosen.first(where: { $0 >= attributes }) {
            throw ValidationError("--domains: model '\(loaded.entry.card.name)' has \(attributes) attributes, so no '\(MDIENetwork.attributeNames[beyond])'")
        }
        return try loaded.conditioned(on: MDIENetwork.label(attributes: attributes, enhancing: mdieAttributes()))
    }

    /// The pipeline's work: loads what the chosen phases need and says which feature network
    /// and references phase 2 uses.
    func work(model: String?, engine: EnhanceEngine, device: Device, precision: Precision) throws -> PhotoBatchOptions.Work {
        let chosen = try MPSEPhase.parse(phases)
        let loaded = chosen.contains(.enhance) ? try engine.model(model, device: device, precision: precision) : nil
        var refiner: SemanticStyleRefiner?
        var library: ReferenceLibrary?
        if chosen.contains(.style), let references {
            let network = try MPSEFeatureNetwork.standard()
            FileHandle.standardError.write(Data("mpse: phase 2 features: \(network.description)\n".utf8))
            var options = SemanticStyleOptions()
            options.iterations = iterations
            options.workingSide = workingSize
            options.styleWeight = styleWeight
            refiner = SemanticStyleRefiner(features: network.extractor, options: options)
            library = try ReferenceLibrary(folder: references, features: network.extractor)
            FileHandle.standardError.write(Data("mpse: \(library!.paths.count) reference photos in \(references)\n".utf8))
        }
        let pipeline = try MPSEPipeline(phases: chosen, model: loaded, refiner: refiner, references: library)
        let steps = chosen.sorted().map { "\($0.rawValue)" }.joined(separator: ",")
        let name = "MPSE phases \(steps)" + (loaded.map { " (phase 1: \($0.entry.card.name))" } ?? "")
        // Phase 2 runs on the CPU whatever --device says: its VGG is loaded there.
        let shown = loaded?.device ?? (chosen.contains(.style) ? Device.cpu : nil)
        var work = PhotoBatchOptions.Work(name: name, device: shown) { engine, jobs, options, progress, finished, note in
            engine.processFiles(jobs, device: loaded?.device ?? .cpu, progress: progress, finished: finished) { job, report in
                try pipeline.processFile(job, options: options, progress: report, log: note)
            }
        }
        work.stepName = "step"
        return work
    }
}
