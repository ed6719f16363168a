import DSLRNN
import DSLRTensor
import Foundation
import Testing

@testable import DSLRModels

/// A fixture file written by scripts/fixtures/make_vgg_fixture.py.
func fixture(_ name: String) throws -> URL {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
        throw TorchError("fixture \(name) is missing")
    }
    return url
}

/// The PyTorch forward outputs of the tiny VGGs, by name.
struct VGGReference {
    let tensors: [String: Tensor]
    init() throws { tensors = Dictionary(uniqueKeysWithValues: try Checkpoint.load(fixture("vgg_tiny_reference.safetensors")).tensors) }
    subscript(_ name: String) -> Tensor {
        get throws {
            guard let t = tensors[name] else { throw TorchError("reference has no \(name)") }
            return t
        }
    }
}

/// The tiny torchvision-layout weights of one network ("vgg19." or "vgg16." prefix removed).
func torchvisionState(_ prefix: String) throws -> [(String, Tensor)] {
    try Checkpoint.load(fixture("vgg_tiny_torchvision.safetensors")).tensors
        .filter { $0.0.hasPrefix(prefix) }
        .map { (String($0.0.dropFirst(prefix.count)), $0.1) }
}

/// max |a - b| / max |b|: the reference's scale differs by layer and preprocessing.
func relativeMaxError(_ a: Tensor, _ b: Tensor) throws -> Double {
    let a64 = try a.to(.float64), b64 = try b.to(.float64)
    return try (a64 - b64).abs().max().item() / max(b64.abs().max().item(), 1e-12)
}

let vgg19Layers = ["conv1_1", "relu1_2", "pool1", "relu2_2", "conv3_4", "relu3_4", "pool3", "relu4_4", "pool4", "relu5_4", "pool5"]

@Suite struct VGGFeatureTests {
    let ref: VGGReference
    init() throws { ref = try VGGReference() }

    /// Every requested layer against PyTorch, in float32 and in float64.
    func expectMatches(_ vgg: VGG, _ key: String, _ layers: [String]) throws {
        for dtype in [DType.float32, .float64] {
            try vgg.move(to: .cpu, dtype: dtype)
            let out = try vgg.features(ref["input"].to(dtype), layers: layers)
            #expect(out.count == layers.count)
            var worst = 0.0
            for layer in layers {
                let expected = try ref["\(key).\(layer)"]
                let got = try #require(out[layer])
                #expect(got.shape == expected.shape, "\(key).\(layer)")
                let err = try relativeMaxError(got, expected)
                worst = max(worst, err)
                #expect(err < 1e-5, "\(key).\(layer) \(dtype): \(err)")
            }
            print("\(key) \(dtype): worst relative error vs PyTorch \(worst)")
        }
    }

    @Test func matconvnetFileMatchesDPEDForward() throws {
        let vgg = try VGG(contentsOf: fixture("vgg19_tiny.mat"))
        #expect(vgg.configuration == .vgg19)
        #expect(vgg.poolRounding == .up)
        guard case .matconvnet(let mean) = vgg.preprocessing else { Issue.record("not MatConvNet preprocessing"); return }
        // The file's averageImage is float32 [123.68, 116.779, 103.939].
        for (m, d) in zip(mean, VGGPreprocessing.dpedMeanPixel) { #expect(abs(m - d) < 1e-5) }
        try expectMatches(vgg, "vgg19.matconvnet", vgg19Layers)
    }

    @Test func torchvisionLayoutMatchesTorchvisionForward() throws {
        let vgg19 = try VGG(torchvisionState: torchvisionState("vgg19."), source: "fixture")
        #expect(vgg19.configuration == .vgg19)
        #expect(vgg19.preprocessing == .torchvision && vgg19.poolRounding == .down)
        try expectMatches(vgg19, "vgg19.torchvision", vgg19Layers)
        let vgg16 = try VGG(torchvisionState: torchvisionState("vgg16."), source: "fixture")
        #expect(vgg16.configuration == .vgg16)
        try expectMatches(vgg16, "vgg16.torchvision", ["relu1_2", "relu3_3", "relu5_3", "pool5"])
    }

    @Test func bothSourcesGiveTheSameWeights() throws {
        let fromMat = try VGG(contentsOf: fixture("vgg19_tiny.mat"))
        let fromTorch = try VGG(torchvisionState: torchvisionState("vgg19."), source: "fixture")
        let a = fromMat.stateDict(), b = fromTorch.stateDict()
        #expect(a.map(\.0) == b.map(\.0))
        #expect(a.count == 32)
        for ((name, x), (_, y)) in zip(a, b) {
            #expect(try x.toArray(Float.self) == y.toArray(Float.self), "\(name)")
        }
    }

    @Test func newerMatconvnetLayoutCompressed() throws {
        let meta = try VGG(contentsOf: fixture("vgg19_tiny_meta.mat"))
        let plain = try VGG(contentsOf: fixture("vgg19_tiny.mat"))
        guard case .matconvnet(let mean) = meta.preprocessing else { Issue.record("not MatConvNet preprocessing"); return }
        let expected = try ref["meta_mean_pixel"].toArray(Double.self)
        for (m, e) in zip(mean, expected) { #expect(abs(m - e) < 1e-4, "mean pixel \(mean) vs \(expected)") }
        for ((name, x), (_, y)) in zip(meta.stateDict(), plain.stateDict()) {
            #expect(try x.toArray(Float.self) == y.toArray(Float.self), "\(name)")
        }
    }

    @Test func exportedFileLoadsBackIdentically() throws {
        let vgg = try VGG(contentsOf: fixture("vgg19_tiny.mat"))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vgg-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try vgg.export(to: url, source: "vgg19_tiny.mat")
        let (tensors, metadata) = try Checkpoint.load(url)
        #expect(metadata[VGGMetadata.architecture] == "vgg19")
        #expect(metadata[VGGMetadata.preprocessing]?.hasPrefix("matconvnet:123.68") == true)
        #expect(tensors.map(\.0).prefix(4) == ["features.0.weight", "features.0.bias", "features.2.weight", "features.2.bias"])
        let back = try VGG(contentsOf: url)
        #expect(back.configuration == .vgg19)
        #expect(back.preprocessing == vgg.preprocessing)
        #expect(back.poolRounding == .up)
        let x = try ref["input"]
        let a = try vgg.feature(x, layer: "relu5_4"), b = try back.feature(x, layer: "relu5_4")
        #expect(try a.toArray(Float.self) == b.toArray(Float.self))
    }
}

@Suite struct VGGBehaviourTests {
    @Test func weightsAreFrozenButInputsGetGradients() throws {
        let vgg = try VGG(contentsOf: fixture("vgg19_tiny.mat"))
        #expect(vgg.parameters().isEmpty)
        let x = try Tensor.rand([1, 3, 8, 8]).requiringGrad()
        try vgg.feature(x, layer: "relu2_2").sum().backward()
        let grad = try #require(try x.grad)
        #expect(try grad.abs().sum().item() > 0)
        for (_, t) in vgg.stateDict() { #expect(try t.grad == nil) }
    }

    @Test func forwardStopsAtTheDeepestRequestedLayer() throws {
        let vgg = try VGG(.vgg19, widths: [2, 2, 2, 2, 2], preprocessing: .torchvision)
        // 4×4 survives two pools; going on to pool5 would fail on an empty tensor.
        let out = try vgg.features(Tensor.rand([1, 3, 4, 4]), layers: ["relu1_1", "pool2"])
        #expect(Set(out.keys) == ["relu1_1", "pool2"])
        #expect(out["pool2"]?.shape == [1, 2, 1, 1])
        #expect(throws: (any Error).self) { try vgg.features(Tensor.rand([1, 3, 4, 4]), layers: ["relu5_4", "pool2"]) }
        #expect(try vgg.features(Tensor.rand([1, 3, 4, 4]), layers: [String]()).isEmpty)
    }

    @Test func unknownLayerNamesAreRejected() throws {
        let vgg = try VGG(.vgg16, widths: [2, 2, 2, 2, 2], preprocessing: .torchvision)
        do {
            _ = try vgg.features(Tensor.rand([1, 3, 8, 8]), layers: ["relu5_4"])
            Issue.record("vgg16 accepted relu5_4")
        } catch {
            #expect("\(error)".contains("vgg16 has no layer relu5_4"))
        }
    }

    @Test func layerNamesFollowMatConvNet() {
        let names = VGGConfiguration.vgg19.layerNames
        #expect(names.count == 37)
        #expect(names.prefix(5) == ["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1"])
        #expect(names.suffix(3) == ["conv5_4", "relu5_4", "pool5"])
        #expect(VGGConfiguration.vgg16.layerNames.count == 31)
        #expect(VGGConfiguration.vgg19.torchvisionConvIndices == [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34])
        #expect(VGGConfiguration.vgg16.torchvisionConvIndices == [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28])
    }

    @Test func preprocessingOfEachSource() throws {
        let x = try Tensor([0.0, 0.5, 1.0], shape: [1, 3, 1, 1])
        let mcn = try VGGPreprocessing.matconvnet(meanPixel: [100, 110, 120]).apply(x).toArray(Double.self)
        #expect(mcn == [-100, 17.5, 135])
        let tv = try VGGPreprocessing.torchvision.apply(x).toArray(Double.self)
        let expected: [Double] = [-0.485 / 0.229, 0.044 / 0.224, 0.594 / 0.225]
        for (a, b) in zip(tv, expected) { #expect(abs(a - b) < 1e-12) }
        for p in [VGGPreprocessing.torchvision, .matconvnet(meanPixel: VGGPreprocessing.dpedMeanPixel)] {
            #expect(VGGPreprocessing(metadata: p.metadata) == p)
        }
        #expect(VGGPreprocessing(metadata: "caffe") == nil)
    }

    @Test func torchvisionVariantsThatAreNotVGGAreRejected() throws {
        var state = try torchvisionState("vgg19.")
        state.append(("features.1.running_mean", try Tensor.zeros([2])))
        #expect(throws: (any Error).self) { try VGG(torchvisionState: state, source: "bn") }
        let partial = try torchvisionState("vgg19.").filter { $0.0 != "features.34.weight" }
        do {
            _ = try VGG(torchvisionState: partial, source: "partial.safetensors")
            Issue.record("15 convolutions accepted")
        } catch {
            #expect("\(error)".contains("partial.safetensors: 15 convolution weights"))
        }
    }
}

@Suite struct VGGWeightsTests {
    func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vgg-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func missingWeightsSayWhatToGetAndWhereToPutIt() throws {
        let dir = try temporaryFolder()
        let target = dir.appendingPathComponent("vgg19.safetensors").path
        do {
            _ = try VGGWeights.locate(.vgg19, environment: ["DSLRKIT_WEIGHTS": dir.path])
            Issue.record("found weights in an empty folder")
        } catch {
            let text = "\(error)"
            #expect(text.contains("imagenet-vgg-verydeep-19.mat"))
            #expect(text.contains("https://www.vlfeat.org/matconvnet/pretrained/"))
            #expect(text.contains("torchvision's vgg19 ImageNet weights"))
            #expect(text.contains("dslr import vgg FILE -o \(target)"))
            #expect(text.contains("looked for \(target)"))
        }
        do {
            _ = try VGGWeights.locate(.vgg16, explicit: dir.appendingPathComponent("mine.safetensors"))
            Issue.record("found a missing explicit file")
        } catch {
            #expect("\(error)".contains("imagenet-vgg-verydeep-16.mat"))
            #expect("\(error)".contains("-o \(dir.path)/mine.safetensors"))
        }
    }

    @Test func conventionalLocations() throws {
        #expect(VGGWeights.conventionalURL(.vgg19, environment: ["HOME": "/home/u"]).path == "/home/u/.cache/dslrkit/weights/vgg19.safetensors")
        #expect(VGGWeights.conventionalURL(.vgg19, environment: ["HOME": "/home/u", "XDG_CACHE_HOME": "/c"]).path == "/c/dslrkit/weights/vgg19.safetensors")
        #expect(VGGWeights.conventionalURL(.vgg16, environment: ["DSLRKIT_CACHE": "/d"]).path == "/d/weights/vgg16.safetensors")
        let dir = try temporaryFolder()
        let vgg = try VGG(contentsOf: fixture("vgg19_tiny.mat"))
        try vgg.export(to: dir.appendingPathComponent("vgg19.safetensors"), source: "fixture")
        let loaded = try VGGWeights.load(.vgg19, environment: ["DSLRKIT_WEIGHTS": dir.path])
        #expect(loaded.preprocessing == vgg.preprocessing)
        #expect(throws: VGGWeightsNotFound.self) { try VGGWeights.load(.vgg16, explicit: dir.appendingPathComponent("vgg19.safetensors")) }
    }
}
