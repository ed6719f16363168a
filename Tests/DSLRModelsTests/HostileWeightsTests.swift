import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRModels

/// Issue 19: options read from a weights file's metadata decide what is allocated, so they
/// are bounded and compared with the tensors the file holds before any network is built.
@Suite struct HostileWeightsTests {
    let source = "/tmp/hostile.safetensors"

    func loadError(_ architecture: String, _ options: String, state: [(String, Tensor)] = []) throws -> String {
        let metadata = [architectureMetadataKey: architecture, optionsMetadataKey: options]
        do {
            _ = try Architectures.load(state: state, metadata: metadata, source: source)
            return "loaded"
        } catch {
            return String(describing: error)
        }
    }

    @Test func sizeOptionsBeyondTheirMaximumAreRefusedNamingTheFile() throws {
        let wide = try loadError("dslrkit-compact", #"{"width": 190000}"#)
        #expect(wide.hasPrefix("\(source): ") && wide.contains("option 'width' must be a positive integer of at most 1024"), "\(wide)")
        let dped = try loadError("dped-generator", #"{"channels": 40000}"#)
        #expect(dped.hasPrefix("\(source): ") && dped.contains("option 'channels' must be a positive integer of at most 1024"), "\(dped)")
    }

    @Test func aDilationTableTooLongOrTooLargeIsRefusedInOneLine() throws {
        let many = Array(repeating: "1", count: 100_000).joined(separator: ",")
        let long = try loadError("dslrkit-compact", #"{"width": 1, "dilations": "\#(many)"}"#)
        #expect(long.hasPrefix("\(source): ") && long.contains("a list of at most 256 values"), "\(long)")
        #expect(long.count < 300)
        let large = try loadError("dslrkit-compact", #"{"width": 1, "dilations": "999999999,999999999"}"#)
        #expect(large.contains("a list of positive integers of at most 1024"), "\(large)")
    }

    @Test func optionsAskingForMoreParametersThanTheFileHoldsAreRefusedBeforeBuilding() throws {
        let state = [("conv_in.weight", try Tensor.zeros([4, 3, 3, 3]))]
        let text = try loadError("dslrkit-compact", #"{"width": 512, "dilations": "1,1,1,1,1,1,1,1"}"#, state: state)
        #expect(text.hasPrefix("\(source): its dslrkit-compact options"), "\(text)")
        #expect(text.contains("need at least 21012992 parameters, but the file holds 108 tensor elements"), "\(text)")
    }

    @Test(arguments: [
        ("dslrkit-compact", [String: OptionValue]()), ("dslrkit-compact", ["width": .number(7), "dilations": .text("1,3")]),
        ("dped-generator", [:]), ("dped-generator", ["channels": .number(5)]),
        ("dped-plus", [:]), ("dped-plus", ["channels": .number(6), "separable": .text("false")]),
        ("gan001-generator", [:]), ("gan001-generator", ["channels": .number(3), "layers": .number(2)]),
        ("pynet", ["width": .number(4)]), ("dslrkit-tone", [:]), ("dslrkit-tone", ["hidden": .number(5)]),
        ("mdie", ["width": .number(4), "blocks": .number(1)]), ("mdie", ["intrinsic_width": .number(3), "width": .number(5)]),
        ("stargan-discriminator", [:]), ("stargan-discriminator", ["width": .number(3), "layers": .number(2), "patch": .number(8)]),
    ])
    func theParameterFloorNeverExceedsTheParametersBuilt(name: String, options: [String: OptionValue]) throws {
        let architecture = try Architectures.named(name)
        let floor = try #require(architecture.parameterFloor?(architecture.resolve(options)))
        let built = try architecture.build(options).module.stateDict().reduce(0) { $0 + $1.1.shape.reduce(1, *) }
        #expect(floor <= built && floor > 0, "\(name) \(options): floor \(floor), built \(built)")
    }
}
