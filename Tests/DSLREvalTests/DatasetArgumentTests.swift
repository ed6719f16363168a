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
