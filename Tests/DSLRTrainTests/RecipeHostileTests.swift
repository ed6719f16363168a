import DSLRTrain
import Foundation
import Testing

/// Issue 19: recipes as an attacker or a careless user writes them.
@Suite struct RecipeHostileTests {
    func lab() throws -> String {
        try String(contentsOf: recipesFolder.appendingPathComponent("lab.yaml"), encoding: .utf8)
    }

    func message(_ yaml: String) -> String {
        do {
            _ = try Recipe.parse(yaml, source: "my.yaml")
            return "parsed"
        } catch {
            return String(describing: error)
        }
    }

    @Test func deepNestingIsRefusedBeforeYamsRecursesIntoIt() {
        let deep = "name: " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "\n"
        #expect(message(deep) == "my.yaml: nests deeper than 64 levels (line 1); a recipe needs a few")
    }

    @Test func aliasExpansionIsBounded() {
        // Nine levels of ten aliases each: a billion values from 300 bytes.
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let text = message(yaml)
        #expect(text.hasPrefix("my.yaml: expands to more than 100000 values (aliases included; line "), "\(text)")
        // A few aliases, as a real recipe may use them, still work.
        let shared = try? Recipe.parse(lab().replacingOccurrences(of: "optimizer: {kind: adam, lr: 0.0005}", with: "optimizer: &opt {kind: adam, lr: 0.0005}"), source: "my.yaml")
        #expect(shared?.name == "lab")
    }

    @Test func aMisspeltDatasetOptionIsRefusedNamingItAndTheKnownOnes() throws {
        let typo = try lab().replacingOccurrences(of: "options: {phone: synthetic}", with: "options: {phnoe: synthetic}")
        #expect(message(typo) == "my.yaml: key 'dataset.options': unknown option 'phnoe' for dataset layout 'dped' (known: phone, validate)")
    }

    @Test func typeErrorsNameTheKeyAndWhatWasFound() throws {
        let good = try lab()
        #expect(message(good.replacingOccurrences(of: "batch_size: 16", with: "batch_size: [16]"))
            == "my.yaml: key 'batch_size': expected a single value, found a list")
        #expect(message(good.replacingOccurrences(of: "losses:\n  - {name: lab, weight: 1, options: {alpha: 0.84}}", with: "losses: {name: lab}"))
            == "my.yaml: key 'losses': expected a list, found a mapping")
        #expect(message(good.replacingOccurrences(of: "optimizer: {kind: adam, lr: 0.0005}", with: "optimizer: adam"))
            == "my.yaml: key 'optimizer': expected a mapping, found the text 'adam'")
        #expect(message(good.replacingOccurrences(of: "options: {phone: synthetic}", with: "options: [phone]"))
            == "my.yaml: key 'dataset.options': expected a mapping, found a list")
        #expect(message("- name: lab\n") == "my.yaml: a recipe is a mapping of keys (name:, generator:, ...), found a list")
    }

    /// The fuzzer's find (fuzz/ recipe target, issue 19): a mapping as a mapping key (here
    /// `1,!options: {...}` in a flow mapping) trapped in Yams, which takes every key as text.
    @Test func aListOrMappingAsAKeyIsRefused() throws {
        let found = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz-recipe-mapping-key.yaml"), encoding: .utf8)
        #expect(message(found) == "my.yaml: a mapping key is a list or a mapping (line 16); a recipe's keys are names")
        #expect(message("name: lab\n? [a, b]\n: 1\n") == "my.yaml: a mapping key is a list or a mapping (line 2); a recipe's keys are names")
        #expect(message("base: &b {x: 1}\n*b : 2\n") == "my.yaml: a mapping key is a list or a mapping (line 2); a recipe's keys are names")
        // Aliases of text as keys, and merge keys, are still read.
        let merged = try lab().replacingOccurrences(of: "optimizer: {kind: adam, lr: 0.0005}",
                                                    with: "defaults: &d {kind: adam}\noptimizer: {<<: *d, lr: 0.0005}")
        #expect(!message(merged).contains("a mapping key"))
        #expect(!message("name: &n name\n*n : lab\n").contains("a mapping key"))
    }

    /// A `--set` value is YAML as well, and gets the same checks (the recipe target found a
    /// mapping as a key inside an override's value trapping Yams, after the first fix).
    @Test func overrideValuesAreCheckedLikeRecipes() throws {
        func refusal(_ item: String) -> String {
            do { _ = try Recipe.parse(try lab(), source: "my.yaml", overrides: [item]); return "parsed" } catch { return String(describing: error) }
        }
        #expect(refusal("losses={a: 1, {b: 2}: 3}") == "--set losses={a: 1, {b: 2}: 3}: a mapping key is a list or a mapping (line 1); a recipe's keys are names")
        #expect(refusal("name=" + String(repeating: "[", count: 5_000)).contains("nests deeper than 64 levels"))
        #expect(refusal("name=lab2") == "parsed")
        #expect(refusal("iterations=153722867280912931:0") == "--set iterations=153722867280912931:0: the number 153722867280912931:0 (line 1) does not fit in 64 bits (YAML 1.1 reads a:b:c as base 60)")
    }

    /// The recipe target's finds: YAML 1.1 reads `a:b:c` as a base-60 integer and Yams
    /// multiplies it out with trapping arithmetic, so `688888288888888881:6` (or any eleven
    /// places, whose base alone passes 64 bits) took the process down.
    @Test func aBase60IntegerBeyond64BitsIsRefused() throws {
        let found = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz-recipe-sexagesimal.yaml"), encoding: .utf8)
        #expect(message(found) == "my.yaml: the number 688888288888888881:6 (line 1) does not fit in 64 bits (YAML 1.1 reads a:b:c as base 60)")
        // The second find: `0000` is no base-60 place, so Yams' resolver leaves this text,
        // but its decoder still multiplies it out when the field is an Int.
        let decoded = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz-recipe-sexagesimal-decoded.yaml"), encoding: .utf8)
        #expect(message(decoded) == "my.yaml: the number 501:0:0:4:44:2:0:1:2:2:0:1:2:0:1:0:0000 (line 17) does not fit in 64 bits (YAML 1.1 reads a:b:c as base 60)")
        #expect(message("name: lab\nseed: !!str 153722867280912931:0\n").hasSuffix("does not fit in 64 bits (YAML 1.1 reads a:b:c as base 60)"))
        let places = "1" + String(repeating: ":0", count: 10)
        #expect(message("name: lab\nseed: \(places)\n") == "my.yaml: the number \(places) (line 2) does not fit in 64 bits (YAML 1.1 reads a:b:c as base 60)")
        #expect(message("name: lab\nseed: !!int 153722867280912931:0\n") == "my.yaml: the number 153722867280912931:0 (line 2) does not fit in 64 bits (YAML 1.1 reads a:b:c as base 60)")
        #expect(message("name: lab\nseed: 153722867280912930:8\n").contains("does not fit in 64 bits"))
        // In range (Int.max itself, ten places) it is read as Yams reads it; quoted or other
        // text stays text.
        for fits in ["153722867280912930:7", "1" + String(repeating: ":0", count: 9), "\"688888288888888881:6\"", "688888288888888881:6 o'clock"] {
            #expect(!message("name: lab\nseed: \(fits)\n").contains("64 bits"), "\(fits)")
        }
        let recipe = try Recipe.parse(lab().replacingOccurrences(of: "iterations: 20000", with: "iterations: 5:33:20"), source: "my.yaml")
        #expect(recipe.iterations == 20000)
    }
}
