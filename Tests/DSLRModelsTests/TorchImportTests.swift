import DSLRImport
import DSLRNN
import DSLRTensor
import Foundation
import Testing

@testable import DSLRModels

/// A file of DSLRImportTests' PyTorch fixtures (scripts/fixtures/make_torch_fixture.py).
private func torchFixture(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DSLRImportTests/Fixtures/torch/\(name)")
}

/// The options of the fixture's PyTorch twin of dslrkit-compact.
private let twinOptions: [String: OptionValue] = ["width": .number(4), "dilations": .text("1,2")]

private func mismatch(_ file: String, options: [String: OptionValue] = twinOptions,
                      edit: ([(name: String, tensor: Tensor)]) throws -> [(name: String, tensor: Tensor)] = { $0 }) throws -> TorchImportMismatch {
    let tensors = try edit(TorchCheckpoint(contentsOf: torchFixture(file)).tensors)
    return try #require(throws: TorchImportMismatch.self) {
        try importTorchStateDict(tensors, architecture: "dslrkit-compact", options: options, source: file)
    }
}

@Suite struct TorchImportTests {
    /// The imported network computes what its PyTorch twin computed on the same input.
    @Test func theCompactTwinImportsAndMatchesPyTorch() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: torchFixture("compact.pth"))
        let network = try importTorchStateDict(checkpoint.tensors, architecture: "dslrkit-compact", options: twinOptions, source: "compact.pth")
        let reference = Dictionary(uniqueKeysWithValues: try Checkpoint.load(torchFixture("compact_expected.safetensors")).tensors)
        let input = try #require(reference["input"]), expected = try #require(reference["output"])
        let output = try withNoGrad { try network(input) }
        #expect(output.shape == [2, 3, 9, 11])
        let difference = try (output - expected).abs().max().item()
        #expect(difference < 1e-5, "max difference \(difference)")
        for (name, tensor) in network.module.stateDict() {
            #expect(try tensor.bytes() == reference[name]?.bytes(), "\(name)")
        }
    }

    @Test func missingUnexpectedAndMisShapedNamesAreListed() throws {
        let report = try mismatch("compact_wrong.pth")
        #expect(report.missing.map(\.name) == ["conv_out.bias"])
        #expect(report.unexpected.map(\.name) == ["head.weight"])
        #expect(report.misShaped == [.init(name: "conv_in.weight", expected: [4, 3, 3, 3], found: [4, 3, 5, 5])])
        #expect(report.commonPrefix == nil)
        #expect(report.description == """
            compact_wrong.pth does not fit dslrkit-compact {"dilations":"1,2","width":4}: 1 missing, 1 unexpected, 1 mis-shaped
              missing (1): conv_out.bias [6]
              unexpected (1): head.weight [2, 2]
              mis-shaped (1): conv_in.weight (network [4, 3, 3, 3], file [4, 3, 5, 5])
            """)
    }

    @Test func longListsAreCappedWithACount() throws {
        let report = try mismatch("compact.pth", options: [:])
        #expect(report.missing.count == 24 && report.misShaped.count == 12)
        let lines = report.description.split(separator: "\n")
        #expect(lines.first?.hasSuffix(": 24 missing, 12 mis-shaped") == true)
        #expect(lines[1].hasPrefix("  missing (24): blocks.2.conv.weight [32, 32, 3, 3],") && lines[1].hasSuffix(", ... and 12 more"))
        #expect(!lines[2].contains("more"))
    }

    @Test func dataParallelsPrefixIsSuggestedAndStripped() throws {
        let report = try mismatch("compact_dataparallel.pth")
        #expect(report.commonPrefix == "module." && report.missing.count == 13 && report.unexpected.count == 13)
        #expect(report.description.hasSuffix("every name in the file starts with 'module.': strip it (--strip-prefix module.)"))
        let tensors = try TorchCheckpoint(contentsOf: torchFixture("compact_dataparallel.pth")).tensors
        let network = try importTorchStateDict(tensors, architecture: "dslrkit-compact", options: twinOptions, stripPrefix: "module.", source: "x")
        #expect(network.module.stateDict().count == 13)
    }

    @Test func integersAreNotLoadedIntoFloatsOrBack() throws {
        let report = try mismatch("compact.pth") { tensors in
            try tensors.map { ($0.name, $0.name == "dilation_table" ? try $0.tensor.to(.float32) : $0.tensor) }
        }
        #expect(report.misTyped.map(\.name) == ["dilation_table"])
        #expect(report.description.contains("mis-typed (1): dilation_table (network int64, file float32)"))
    }
}
