import ArgumentParser
import DSLRDistributed
import DSLREval
import DSLRTrain
import Foundation

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model from a recipe (YAML) into a run folder.",
        discussion: """
            A run folder holds recipe.yaml, metrics.jsonl (one JSON object per line), \
            checkpoints/ (latest and every N iterations, written atomically) and model.safetensors \
            (the generator with its model card, for `dslr enhance --model`). `--resume RUN` continues \
            a stopped run exactly from its latest checkpoint. A NaN or infinite loss stops the run \
            with exit code 2 and keeps the last good checkpoint. `--nproc N` trains data-parallel \
            in N processes (c10d, Gloo on CPU): each takes batch_size/N samples of every batch and \
            the gradients are averaged, so the weights follow the single-process run with \
            batch_size; rank 0 evaluates and writes the folder. Under `dslr launch` or another \
            launcher that sets RANK and WORLD_SIZE, each process joins that group instead.
            """)

    @Argument(help: "Recipe file (see recipes/). Not needed with --resume.")
    var recipe: String?

    @Option(name: .shortAndLong, help: "Run folder to create.")
    var output: String?

    @Option(help: "Continue the run in this folder from its latest checkpoint.")
    var resume: String?

    @Option(help: "Train until this many iterations in all (overrides the recipe).")
    var iterations: Int?

    @Option(help: "cpu, cuda or cuda:N (overrides the recipe).")
    var device: String?

    @Option(help: "fp32, bf16 or fp16 (overrides the recipe; fp16 uses dynamic loss scaling).")
    var precision: String?

    @Option(name: .customLong("set"), help: "Override a recipe key: dotted.key=value (repeatable).")
    var overrides: [String] = []

    @Option(help: "Train data-parallel in this many processes on this machine.")
    var nproc = 1

    func validate() throws {
        guard (1...1024).contains(nproc) else { throw ValidationError("--nproc must be 1...1024") }
        if let resume {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: resume, isDirectory: &isFolder), !isFolder.boolValue {
                throw ValidationError("--resume \(resume): is a file, not a run folder (the folder dslr train -o wrote)")
            }
        }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        if nproc > 1, environment["WORLD_SIZE"] == nil {
            return try launch(environment: environment)
        }
        boundAllocatorForTraining(environment: environment)
        let group: ProcessGroup?
        do { group = try ProcessGroup.fromEnvironment(environment) } catch let error as DistributedError {
            warn("error: \(error.message)")
            throw ExitCode(1)
        }
        let leader = (group?.rank ?? 0) == 0
        var sets = overrides
        if let iterations { sets.append("iterations=\(iterations)") }
        if let device { sets.append("device=\(device)") }
        if let precision { sets.append("precision=\(precision)") }
        let folder: RunFolder
        let recipeURL: URL
        if let resume {
            folder = RunFolder(URL(fileURLWithPath: resume))
            recipeURL = recipe.map { URL(fileURLWithPath: $0) } ?? folder.recipe
        } else {
            guard let recipe, let output else {
                throw ValidationError("give a RECIPE and -o RUN_DIR, or --resume RUN_DIR")
            }
            folder = RunFolder(URL(fileURLWithPath: output))
            recipeURL = URL(fileURLWithPath: recipe)
        }
        do {
            let parsed = try Recipe.load(recipeURL, overrides: sets)
            let evaluator = leader ? try HeldOutEvaluator(recipe: parsed) : nil
            let trainer = try Trainer(recipe: parsed, run: folder, resume: resume != nil, group: group, evaluator: evaluator) { warn($0) }
            trainer.command = CommandLine.arguments.joined(separator: " ")
            let progress = ProgressReporter(total: max(parsed.iterations - trainer.iteration, 0), unit: "it")
            let first = trainer.iteration
            if leader {
                trainer.onStep = { report in
                    let losses = report.losses.sorted { $0.key < $1.key }
                        .map { String(format: "%@ %.4g", $0.key, $0.value) }.joined(separator: ", ")
                    let d = report.discriminatorAccuracy.map { String(format: ", D acc %.2f", $0) } ?? ""
                    progress.step("it \(report.iteration) | \(losses)\(d)")
                    progress.update(report.iteration - first, report.total - first)
                }
            }
            trainer.onRecord = { record in
                switch record.kind {
                case "eval":
                    let m = (record.metrics ?? [:]).filter { ["psnr", "ssim", "ms_ssim", "ms_ssim_dped"].contains($0.key) }
                        .sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(separator: ", ")
                    let id = record.identity?["psnr"].map { String(format: " (identity psnr %.4f)", $0) } ?? ""
                    progress.finish("eval @ \(record.iteration): \(m)\(id)")
                case "checkpoint":
                    progress.finish("checkpoint @ \(record.iteration): \(record.path ?? "")")
                default:
                    break
                }
            }
            try trainer.train()
            if leader { print(folder.model.path) }
        } catch let error as NonFiniteLoss {
            warn("error: \(error)")
            throw ExitCode(2)
        } catch let error as RecipeError {
            warn("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// Runs this command again as `nproc` workers (without --nproc). Rank 0's evaluations
    /// make the others wait in their next all-reduce, so the group's timeout is raised to 30
    /// minutes unless DSLRKIT_DIST_TIMEOUT says otherwise.
    private func launch(environment: [String: String]) throws {
        var arguments: [String] = []
        var rest = CommandLine.arguments.dropFirst()[...]
        while let argument = rest.popFirst() {
            if argument == "--nproc" { _ = rest.popFirst(); continue }
            if argument.hasPrefix("--nproc=") { continue }
            arguments.append(argument)
        }
        var variables = environment
        if variables["DSLRKIT_DIST_TIMEOUT"] == nil { variables["DSLRKIT_DIST_TIMEOUT"] = "1800" }
        do {
            try launchWorkers(nproc: nproc, arguments: arguments, environment: variables)
        } catch let error as DistributedError {
            warn("dslr train: \(error.message)")
            throw ExitCode.failure
        }
    }
}
