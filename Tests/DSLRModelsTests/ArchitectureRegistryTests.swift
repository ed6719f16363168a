import DSLRNN
import DSLRTensor
import Foundation
import Testing
@testable import DSLRModels

@Suite struct ArchitectureRegistryTests {
    @Test func everyArchitectureBuildsWithItsDefaultsAndKeepsItsContract() throws {
        Torch.manualSeed(0)
        for architecture in Architectures.all {
            let net = try architecture.build()
            #expect(net.architecture == architecture.name)
            let contract = try architecture.contract()
            #expect(net.contract == contract)
            // 100 (the discriminators' patch, unless declared) rounded up to the size multiple.
            let patch = architecture.options.contains { $0.name == "patch" } ? try architecture.resolve([:]).int("patch") : 100
            let side = (patch + contract.sizeMultiple - 1) / contract.sizeMultiple * contract.sizeMultiple
            let x = try Tensor.rand([1, contract.inputChannels, side, side])
            let y = try withNoGrad { try net(x) }
            switch contract.role {
            case .enhancer:
                #expect(y.shape == [1, contract.outputChannels, side * contract.outputScale, side * contract.outputScale])
                #expect(net.tiling != nil)
            case .discriminator:
                #expect(y.shape == [1, contract.outputChannels])
                // One or two logits, or StarGAN's critic score and attribute logits.
                #expect([1, 2].contains(contract.outputChannels) || architecture.name == "stargan-discriminator")
                #expect(net.tiling == nil)
            }
        }
    }

    @Test func namesAreUniqueAndRolesListed() {
        #expect(Set(Architectures.names).count == Architectures.all.count)
        #expect(Architectures.names(role: .enhancer) == ["dped-generator", "dped-plus", "dslrkit-compact", "dslrkit-global", "dslrkit-tone", "gan001-generator", "mdie", "ppcn-sr", "ppcn-student", "ppcn-teacher", "pynet"])
        #expect(Architectures.names(role: .discriminator) == ["dped-discriminator", "gan001-discriminator", "patch", "ppcn-discriminator", "stargan-discriminator"])
    }

    @Test func optionsAreCheckedAgainstTheDeclaration() throws {
        let compact = CompactNet.architecture
        #expect(try compact.resolve([:]).values == ["width": .number(32), "dilations": .text("1,2,4,8,16,32,1,1")])
        #expect(throws: OptionError("architecture 'dslrkit-compact': unknown option 'depth' (known: dilations, width)")) {
            try compact.resolve(["depth": .number(3)])
        }
        #expect(throws: OptionError("architecture 'dslrkit-compact': option 'width' must be a positive integer, got 2.5")) {
            try compact.resolve(["width": .number(2.5)])
        }
        #expect(throws: OptionError("architecture 'dslrkit-compact': option 'dilations' must be a comma-separated list of positive integers, got \"1,0\"")) {
            try compact.resolve(["dilations": .text("1,0")])
        }
        #expect(throws: OptionError.self) { try Architectures.named("resnet-9000") }
    }

    /// A file stores its architecture and options, so loading rebuilds the same network
    /// without reading hyper-parameters off tensor shapes.
    @Test func weightsFileRoundTripsArchitectureAndOptions() throws {
        Torch.manualSeed(1)
        let net = try CompactNet.architecture.build(["width": .number(4), "dilations": .text("1,3")])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Checkpoint.save(net.module.stateDict(), metadata: net.metadata, to: file)
        let (state, metadata) = try Checkpoint.load(file)
        #expect(metadata[optionsMetadataKey] == #"{"dilations":"1,3","width":4}"#)
        let loaded = try Architectures.load(state: state, metadata: metadata, source: file.path)
        #expect(loaded.options == net.options)
        #expect(loaded.receptiveRadius == 2 + 1 + 3)
        let x = try Tensor.rand([1, 3, 20, 24])
        #expect(try (withNoGrad { try loaded(x) - net(x) }).abs().max().item() == 0)
    }

    /// Files written before options were stored (the embedded default model, imported DPED
    /// weights) still load: their options come from the tensors.
    @Test func filesWithoutOptionsLoadFromTheirTensors() throws {
        Torch.manualSeed(2)
        let dped = try DPEDGenerator(channels: 8)
        let loaded = try Architectures.load(state: dped.stateDict(), metadata: [architectureMetadataKey: "dped-generator"], source: "old.safetensors")
        #expect(loaded.options.int("channels") == 8)
        #expect(loaded.normLayerCount == 8)
        let compact = try CompactNet(width: 5, dilations: [2, 1])
        let rebuilt = try Architectures.build("dslrkit-compact", state: compact.stateDict(), source: "old.safetensors")
        #expect(rebuilt.options.ints("dilations") == [2, 1])
        #expect(rebuilt.options.int("width") == 5)
    }

    @Test func storedOptionsThatDoNotFitTheWeightsAreRefusedByName() throws {
        let net = try CompactNet.architecture.build(["width": .number(4), "dilations": .text("1")])
        var metadata = net.metadata
        metadata[optionsMetadataKey] = #"{"width": 6, "dilations": "1"}"#
        #expect(throws: (any Error).self) {
            try Architectures.load(state: net.module.stateDict(), metadata: metadata, source: "bad.safetensors")
        }
        metadata[optionsMetadataKey] = #"{"width": 4, "heads": 2}"#
        #expect(throws: OptionError("bad.safetensors: architecture 'dslrkit-compact': unknown option 'heads' (known: dilations, width)")) {
            try Architectures.load(state: net.module.stateDict(), metadata: metadata, source: "bad.safetensors")
        }
        metadata[optionsMetadataKey] = "[1, 2]"
        #expect(throws: OptionError.self) {
            try Architectures.load(state: net.module.stateDict(), metadata: metadata, source: "bad.safetensors")
        }
    }
}
