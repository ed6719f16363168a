import DSLRLosses
import DSLRModels
import Foundation
import Testing
@testable import DSLRTrain

@Suite struct RecipeTests {
    @Test func shippedRecipesParse() throws {
        for name in ["default", "dped", "lab", "lab-vgg"] {
            let recipe = try Recipe.load(recipesFolder.appendingPathComponent("\(name).yaml"))
            #expect(recipe.iterations > 0)
        }
        let dped = try Recipe.load(recipesFolder.appendingPathComponent("dped.yaml"))
        #expect(dped.batchSize == 50 && dped.patchSize == 100 && dped.optimizer.lr == 5e-4)
        #expect(dped.losses.map(\.name) == ["content", "color", "texture", "tv"])
        #expect(dped.losses.map(\.weight) == [10, 0.5, 1, 2000])
        #expect(dped.losses[0].options["layers"] == .text("relu5_4"))
        #expect(dped.discriminator?.architecture == "dped-discriminator" && dped.discriminator?.loss == .dped)
        let standard = try Recipe.load(recipesFolder.appendingPathComponent("default.yaml"))
        #expect(standard.generator.architecture == "dslrkit-compact")
        #expect(!standard.losses.contains { lossNeeds($0.name).contains(.features) })
        let lab = try Recipe.load(recipesFolder.appendingPathComponent("lab.yaml"))
        let labVGG = try Recipe.load(recipesFolder.appendingPathComponent("lab-vgg.yaml"))
        #expect(lab.losses.map(\.name) == ["lab"] && labVGG.losses.map(\.name) == ["lab", "content"])
    }

    /// PPCN's recipes carry train_teacher.py's and train_student.py's weights (content 10 ×
    /// (25 (1 − SSIM) + 4 CX), colour 1, texture 1, TV 2000, kd 75), pass the algorithm checks,
    /// and round-trip through YAML with their teacher section.
    @Test func ppcnRecipesFollowPPCN() throws {
        let teacher = try Recipe.load(recipesFolder.appendingPathComponent("ppcn-teacher.yaml"))
        let student = try Recipe.load(recipesFolder.appendingPathComponent("ppcn-student.yaml"))
        let distill = try Recipe.load(recipesFolder.appendingPathComponent("ppcn-distill.yaml"))
        #expect(teacher.losses.map(\.name) == ["ssim", "contextual", "color", "texture", "tv"])
        #expect(teacher.losses.map(\.weight) == [250, 40, 1, 1, 2000])
        #expect(student.losses.map(\.name) == teacher.losses.map(\.name) + ["kd"])
        #expect(student.losses.last?.weight == 75)
        #expect(teacher.algorithmName == "dped-gan" && student.algorithmName == "distill" && distill.algorithmName == "distill")
        #expect(student.teacher == TeacherSpec(weights: "data/ppcn/teacher.safetensors", target: .dslr))
        #expect(distill.teacher?.target == .teacher)
        #expect(teacher.discriminator?.architecture == "ppcn-discriminator")
        for recipe in [teacher, student, distill] {
            try TrainingAlgorithms.validate(recipe)
            #expect(try Recipe.parse(recipe.yaml(), source: "copy") == recipe)
        }
    }

    /// Every shipped recipe loads and passes its algorithm's checks.
    @Test func everyShippedRecipeLoads() throws {
        let files = try FileManager.default.contentsOfDirectory(at: recipesFolder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
        #expect(files.count >= 16)
        for file in files {
            let recipe = try Recipe.load(file)
            try TrainingAlgorithms.validate(recipe)
            #expect(try Recipe.parse(recipe.yaml(), source: "copy") == recipe, "\(file.lastPathComponent)")
        }
    }

    /// DPED+ as the thesis trains it (batch 50, 30000 iterations, Adam 5e-4 halved every
    /// 10000, DPED's losses), and seed 001's weights (content 1 on VGG-16 relu2_2 + relu3_3,
    /// texture 0.3 against a one-logit discriminator, colour 0.2; batch 30).
    @Test func dpedPlusAndGAN001RecipesFollowTheirPapers() throws {
        let plus = try Recipe.load(recipesFolder.appendingPathComponent("dped-plus.yaml"))
        #expect(plus.generator.architecture == "dped-plus" && plus.batchSize == 50 && plus.iterations == 30000)
        #expect(plus.optimizer.lr == 5e-4 && plus.schedule == ScheduleSpec(kind: .step, stepSize: 10000, gamma: 0.5))
        #expect(plus.losses.map(\.name) == ["content", "color", "texture", "tv"] && plus.losses.map(\.weight) == [10, 0.5, 1, 2000])
        #expect(plus.discriminator?.architecture == "dped-discriminator" && plus.features?.network == "vgg19")
        let gan = try Recipe.load(recipesFolder.appendingPathComponent("gan001.yaml"))
        #expect(gan.generator.architecture == "gan001-generator" && gan.batchSize == 30 && gan.iterations == 30000)
        #expect(gan.losses.map(\.name) == ["content", "texture", "color"] && gan.losses.map(\.weight) == [1, 0.3, 0.2])
        #expect(gan.losses[0].options["layers"] == .text("relu2_2,relu3_3") && gan.features?.network == "vgg16")
        #expect(gan.discriminator?.architecture == "gan001-discriminator" && gan.discriminator?.loss == .nonsaturating)
        #expect(plus.algorithmName == "dped-gan" && gan.algorithmName == "dped-gan")
        // The comparison the recipe offers: the same run with full convolutions.
        let full = try Recipe.load(recipesFolder.appendingPathComponent("dped-plus.yaml"), overrides: ["generator.options.separable=false"])
        let network = try makeNetwork(full.generator, section: "generator", role: .enhancer)
        #expect(network.options.text("separable") == "false")
        #expect(network.module.namedParameters().contains { $0.0 == "blocks.0.conv1.full.weight" })
    }

    @Test func recipeRoundTripsThroughYAML() throws {
        let recipe = try Recipe.load(recipesFolder.appendingPathComponent("default.yaml"))
        #expect(try Recipe.parse(recipe.yaml(), source: "copy") == recipe)
    }

    @Test func unknownKeyNamesKeyAndFile() throws {
        let good = try String(contentsOf: recipesFolder.appendingPathComponent("lab.yaml"), encoding: .utf8)
        let bad = good.replacingOccurrences(of: "optimizer: {kind: adam, lr: 0.0005}", with: "optimizer: {kind: adam, lr: 0.0005, momentum: 0.9}")
        #expect(bad != good)
        #expect(throws: RecipeError("my.yaml: unknown key 'optimizer.momentum'")) { try Recipe.parse(bad, source: "my.yaml") }
        let top = good + "\nbatchsize: 3\n"
        #expect(throws: RecipeError("my.yaml: unknown key 'batchsize'")) { try Recipe.parse(top, source: "my.yaml") }
        let inLoss = good.replacingOccurrences(of: "{name: lab, weight: 1,", with: "{name: lab, wieght: 1,")
        #expect(throws: RecipeError("my.yaml: unknown key 'losses.0.wieght'")) { try Recipe.parse(inLoss, source: "my.yaml") }
    }

    @Test func badValuesNameTheKey() throws {
        let good = try String(contentsOf: recipesFolder.appendingPathComponent("lab.yaml"), encoding: .utf8)
        #expect(throws: RecipeError("my.yaml: key 'batch_size': expected an integer, found the text 'many'")) {
            try Recipe.parse(good.replacingOccurrences(of: "batch_size: 16", with: "batch_size: many"), source: "my.yaml")
        }
        #expect(throws: RecipeError("my.yaml: key 'precision': not one of the allowed values")) {
            try Recipe.parse(good.replacingOccurrences(of: "precision: fp32", with: "precision: fp8"), source: "my.yaml")
        }
        #expect(throws: RecipeError("my.yaml: key 'patch_size': patch_size must be positive, got 0")) {
            try Recipe.parse(good.replacingOccurrences(of: "patch_size: 176", with: "patch_size: 0"), source: "my.yaml")
        }
        #expect(throws: RecipeError("my.yaml: missing key 'iterations'")) {
            try Recipe.parse(good.replacingOccurrences(of: "iterations: 20000", with: ""), source: "my.yaml")
        }
    }

    @Test func overridesSetNestedKeys() throws {
        let url = recipesFolder.appendingPathComponent("default.yaml")
        let recipe = try Recipe.load(url, overrides: ["batch_size=4", "generator.options.width=16", "dataset.root=/tmp/x", "losses.1.weight=0.5"])
        #expect(recipe.batchSize == 4)
        #expect(recipe.generator.options["width"] == .number(16))
        #expect(recipe.dataset.root == "/tmp/x")
        #expect(recipe.losses[1].weight == 0.5)
        #expect(throws: RecipeError.self) { try Recipe.load(url, overrides: ["optimizer.nesterov=true"]) }
    }

    /// YAML 1.1 would read these plain values as a date, hex and grouped numbers and true; a
    /// text key keeps them as written (the recipe used to go through Yams' untyped values and
    /// came back as `2024-01-01T00:00:00Z`, `31`, `1000`), and a number key still reads them.
    @Test func valuesKeepTheTextTheyWereWrittenWith() throws {
        let good = try String(contentsOf: recipesFolder.appendingPathComponent("default.yaml"), encoding: .utf8)
        let text = good.replacingOccurrences(of: "name: dslrkit-default", with: "name: 2024-01-01")
            .replacingOccurrences(of: "root: data/synth", with: "root: 0x1F")
            .replacingOccurrences(of: "phone: synthetic", with: "phone: yes")
            .replacingOccurrences(of: "batch_size: 8", with: "batch_size: 0x10")
        let recipe = try Recipe.parse(text, source: "my.yaml", overrides: ["generator.architecture=1_000", "iterations=1_000"])
        #expect(recipe.name == "2024-01-01" && recipe.dataset.root == "0x1F" && recipe.dataset.options["phone"] == "yes")
        #expect(recipe.generator.architecture == "1_000")
        #expect(recipe.batchSize == 16 && recipe.iterations == 1000)
        let overridden = try Recipe.parse(good, source: "my.yaml", overrides: ["name=2001-12-14 21:59:43.10 -5", "dataset.root=2024-01-01"])
        #expect(overridden.name == "2001-12-14 21:59:43.10 -5" && overridden.dataset.root == "2024-01-01")
    }
}
