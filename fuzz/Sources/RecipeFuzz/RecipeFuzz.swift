// libFuzzer entry point for training recipes (`dslr train RECIPE`): the input is
//
//     YAML [ NUL override [ NUL override ... ] ]
//
// the bytes before the first NUL are the recipe file, each later NUL-separated piece one
// `--set dotted.key=value` override. The YAML must be UTF-8 (as `Recipe.load` reads it);
// other inputs are skipped. A recipe that parses is written out as a run folder's
// recipe.yaml is and read back. DSLRKIT_FUZZ_VERBOSE=1 prints each answer (the recipe's
// name or the error). Any thrown error is an answer; a trap, an overflow, an
// AddressSanitizer report or a hang is a finding.
import DSLRTrain
import Foundation
import FuzzDriver

/// libFuzzer's driver, as this executable's entry point (see FuzzDriver.h).
@_cdecl("RecipeFuzz_main")
public func recipeFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    dslrkit_fuzz_main(argc, argv)
}

let verbose = ProcessInfo.processInfo.environment["DSLRKIT_FUZZ_VERBOSE"] == "1"

@_cdecl("LLVMFuzzerTestOneInput")
public func recipeFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let pieces = UnsafeBufferPointer(start: data, count: size).split(separator: 0, omittingEmptySubsequences: false)
    guard let first = pieces.first, let yaml = String(validating: first, as: UTF8.self) else { return 0 }
    let overrides = pieces.dropFirst().compactMap { String(validating: $0, as: UTF8.self) }
    let recipe: Recipe
    do {
        recipe = try Recipe.parse(yaml, source: "my.yaml", overrides: overrides)
    } catch {
        if verbose { print("fuzz: \(error)") }
        return 0
    }
    if verbose { print("fuzz: parsed '\(recipe.name)'") }
    if let written = try? recipe.yaml() { _ = try? Recipe.parse(written, source: "recipe.yaml") }
    return 0
}
