import DSLRData
import DSLREval
import Foundation
import Testing

@Test func layoutArgumentsAndSpecFiles() throws {
    #expect(try parseDataArgument("dped:/data/dped?phone=iphone&validate=none")
        == EvalDataSource(spec: DatasetSpec(name: "dped", root: "/data/dped", options: ["phone": "iphone", "validate": "none"])))
    #expect(try parseDataArgument("paired-folders:/p").spec == DatasetSpec(name: "paired-folders", root: "/p"))
    #expect(throws: EvalError.self) { try parseDataArgument("nonsense:/x") }
    #expect(throws: EvalError.self) { try parseDataArgument("dped:?phone=x") }
    #expect(throws: EvalError.self) { try parseDataArgument("dped:/x?phone") }

    let folder = try temporaryFolder("spec")
    let yaml = folder.appendingPathComponent("data.yaml")
    try "# eval data\nname: dped\nroot: \"sets/dped\"\noptions:\n  phone: sony  # the phone\n  validate: none\n"
        .write(to: yaml, atomically: true, encoding: .utf8)
    #expect(try parseDataArgument(yaml.path).spec == DatasetSpec(
        name: "dped", root: folder.appendingPathComponent("sets/dped").path, options: ["phone": "sony", "validate": "none"]))
    let json = folder.appendingPathComponent("data.json")
    try #"{"name": "paired-folders", "root": "/abs", "options": {}}"#.write(to: json, atomically: true, encoding: .utf8)
    #expect(try parseDataArgument(json.path).spec == DatasetSpec(name: "paired-folders", root: "/abs"))
    #expect(throws: EvalError.self) { try parseDataArgument(folder.path) }  // no input/ or target/
}

/// Issue 19: a misspelt option was ignored and its default used without a word.
@Test func unknownDatasetOptionsAreRefusedListingTheKnownOnes() throws {
    #expect(throws: EvalError("--data dped:/data/dped?phnoe=iphone: unknown option 'phnoe' for dataset layout 'dped' (known: phone, validate)")) {
        try parseDataArgument("dped:/data/dped?phnoe=iphone")
    }
    let folder = try temporaryFolder("typo")
    let yaml = folder.appendingPathComponent("data.yaml")
    try "name: paired-folders\nroot: /abs\noptions:\n  test_percent: 20\n".write(to: yaml, atomically: true, encoding: .utf8)
    #expect(throws: EvalError("\(yaml.path): unknown option 'test_percent' for dataset layout 'paired-folders' (known: input, scale, target, test-percent, validate)")) {
        try parseDataArgument(yaml.path)
    }
    // The spec reached by any other road is checked where the dataset is made.
    #expect(throws: DataError("\(folder.path): unknown option 'low' for dataset layout 'dped' (known: phone, validate)")) {
        try makeDataset(DatasetSpec(name: "dped", root: folder.path, options: ["low": "x"]))
    }
}
