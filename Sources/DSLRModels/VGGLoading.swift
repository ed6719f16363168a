import DSLRImport
import DSLRNN
import DSLRTensor
import Foundation

/// Metadata keys of VGG checkpoints written by `dslr import vgg`.
public enum VGGMetadata {
    public static let architecture = "dslrkit.architecture"
    public static let preprocessing = "dslrkit.preprocessing"
    public static let source = "dslrkit.source"
}

extension VGG {
    /// Loads weights from a MatConvNet `.mat` (e.g. imagenet-vgg-verydeep-19.mat), a
    /// torchvision-layout safetensors file (`features.N.weight`), or a file written by
    /// `dslr import vgg`. VGG-16 or VGG-19 is told from the weights. Preprocessing comes
    /// from the file (MatConvNet's mean pixel; torchvision's ImageNet mean and std);
    /// `poolRounding` defaults to the one that source was used with.
    public init(contentsOf url: URL, poolRounding: VGGPoolRounding? = nil) throws {
        if try isMATFile(url) {
            try self.init(matconvnet: url, poolRounding: poolRounding)
        } else {
            let loaded: (tensors: [(String, Tensor)], metadata: [String: String])
            do {
                loaded = try Checkpoint.load(url)
            } catch {
                throw TorchError("\(url.path): neither a MAT-file nor a readable safetensors file (\(error))")
            }
            let (tensors, metadata) = loaded
            try self.init(torchvisionState: tensors, metadata: metadata, source: url.path, poolRounding: poolRounding)
        }
    }

    /// Loads MatConvNet's simplenn VGG as DPED's vgg.py reads it: `layers{i}` in order,
    /// filters stored width × height × in × out, mean pixel from `normalization` (older
    /// files) or `meta.normalization` (newer ones). The classifier layers are never read.
    public init(matconvnet url: URL, poolRounding: VGGPoolRounding? = nil) throws {
        let path = url.path
        // Pass 1: everything but the weights, to learn the architecture cheaply.
        let outline = try MATFile(contentsOf: url) { location in
            !location.contains { if case .field("weights", _) = $0 { true } else { false } }
        }
        guard let layerCell = outline["layers"]?.cell else {
            throw TorchError("\(path): no 'layers' cell array; not a MatConvNet simplenn network")
        }
        let names = layerCell.elements.map { $0[field: "name"]?.string ?? "" }
        let configuration: VGGConfiguration
        if names.contains("conv5_4") { configuration = .vgg19 } else if names.contains("conv5_3") { configuration = .vgg16 } else {
            throw TorchError("\(path): the layers are neither VGG-16's nor VGG-19's (no conv5_3 / conv5_4)")
        }
        let expected = configuration.layerNames
        for (i, name) in expected.enumerated() {
            guard i < names.count, names[i] == name else {
                throw TorchError("\(path): layer \(i + 1) is '\(i < names.count ? names[i] : "missing")', \(configuration.name) needs '\(name)'")
            }
            try Self.checkLayer(layerCell[i], name: name, path: path)
        }
        // Pass 2: the weights of the feature layers only (VGG-19's classifier is 470 MB).
        let featureCount = expected.count
        let weightsFile = try MATFile(contentsOf: url) { location in
            guard case .variable("layers") = location.first else { return false }
            if location.count >= 2, case .cellElement(let i) = location[1] { return i < featureCount }
            return true
        }
        guard let layers = weightsFile["layers"]?.cell else { throw TorchError("\(path): 'layers' vanished") }
        let meanPixel = try Self.meanPixel(outline, path: path) ?? VGGPreprocessing.dpedMeanPixel
        var state: [(String, Tensor)] = []
        for (i, name) in expected.enumerated() where name.hasPrefix("conv") {
            guard let pair = layers[i][field: "weights"]?.cell, pair.count == 2,
                  let w = pair[0].array, let b = pair[1].array, w.dims.count == 4, w.dims[0] == 3, w.dims[1] == 3,
                  b.count == w.dims[3]
            else { throw TorchError("\(path): layer \(name) has no {3x3xINxOUT filters, OUT biases} weights") }
            // Column-major width × height × in × out read with dims reversed is [out, in, height, width].
            let conv = state.count / 2
            state.append(("convolutions.\(conv).weight", try w.reversedDimsTensor().to(.float32)))
            state.append(("convolutions.\(conv).bias", try b.reversedDimsTensor().reshape([-1]).to(.float32)))
        }
        let widths = Self.widths(state, configuration)
        self = try VGG(configuration, widths: widths, preprocessing: .matconvnet(meanPixel: meanPixel), poolRounding: poolRounding)
        try load(state, source: path)
    }

    /// Loads torchvision's layout (`features.N.weight` / `.bias`; `classifier.*` ignored),
    /// which is also the layout `dslr import vgg` writes, with its metadata.
    public init(
        torchvisionState tensors: [(String, Tensor)], metadata: [String: String] = [:], source: String,
        poolRounding: VGGPoolRounding? = nil
    ) throws {
        let features = tensors.filter { $0.0.hasPrefix("features.") }
        if features.contains(where: { $0.0.hasSuffix("running_mean") }) {
            throw TorchError("\(source): batch-normalised VGG (vgg16_bn / vgg19_bn) is not supported; use plain vgg16 / vgg19 weights")
        }
        let weights = features.filter { $0.0.hasSuffix(".weight") }.count
        guard let configuration = VGGConfiguration.allCases.first(where: { $0.torchvisionConvIndices.count == weights }) else {
            throw TorchError("\(source): \(weights) convolution weights under 'features.'; VGG-16 has 13 and VGG-19 has 16")
        }
        if let arch = metadata[VGGMetadata.architecture], arch != configuration.name {
            throw TorchError("\(source): metadata says \(arch) but the weights are \(configuration.name)'s")
        }
        var preprocessing = VGGPreprocessing.torchvision
        if let text = metadata[VGGMetadata.preprocessing] {
            guard let parsed = VGGPreprocessing(metadata: text) else {
                throw TorchError("\(source): unknown \(VGGMetadata.preprocessing) '\(text)'")
            }
            preprocessing = parsed
        }
        let byName = Dictionary(features, uniquingKeysWith: { first, _ in first })
        var state: [(String, Tensor)] = []
        for (conv, index) in configuration.torchvisionConvIndices.enumerated() {
            for part in ["weight", "bias"] {
                guard let t = byName["features.\(index).\(part)"] else {
                    throw TorchError("\(source): missing features.\(index).\(part) (\(configuration.name), torchvision layout)")
                }
                state.append(("convolutions.\(conv).\(part)", t))
            }
        }
        self = try VGG(configuration, widths: Self.widths(state, configuration), preprocessing: preprocessing, poolRounding: poolRounding)
        try load(state, source: source)
    }

    /// Writes the weights in torchvision's layout with DSLRKit metadata (architecture,
    /// preprocessing, where they came from), atomically.
    public func export(to url: URL, source: String) throws {
        var tensors: [(String, Tensor)] = []
        for (conv, index) in configuration.torchvisionConvIndices.enumerated() {
            tensors.append(("features.\(index).weight", try convolutions[conv].weight.tensor.contiguous()))
            tensors.append(("features.\(index).bias", try convolutions[conv].bias.tensor.contiguous()))
        }
        try Checkpoint.save(tensors, metadata: [
            VGGMetadata.architecture: configuration.name,
            VGGMetadata.preprocessing: preprocessing.metadata,
            VGGMetadata.source: source,
        ], to: url)
    }

    /// The output width of each block, read from the last convolution of the block.
    private static func widths(_ state: [(String, Tensor)], _ configuration: VGGConfiguration) -> [Int] {
        var widths: [Int] = []
        var conv = 0
        for count in configuration.convolutionsPerBlock {
            conv += count
            widths.append(state[2 * (conv - 1)].1.shape[0])
        }
        return widths
    }

    /// The mean RGB pixel of `normalization.averageImage` (1×1×3 or a whole H×W×3 image).
    private static func meanPixel(_ file: MATFile, path: String) throws -> [Double]? {
        let normalization = file["meta"]?[field: "normalization"] ?? file["normalization"]
        guard let average = normalization?[field: "averageImage"]?.array, average.count > 0 else { return nil }
        if average.count == 3 { return try average.doubles() }
        guard average.dims.last == 3 else {
            throw TorchError("\(path): averageImage is \(average.dims), expected H×W×3")
        }
        return try average.tensor().to(.float64).reshape([-1, 3]).mean(dims: [0]).toArray(Double.self)
    }

    private static func checkLayer(_ layer: MATValue, name: String, path: String) throws {
        let type = layer[field: "type"]?.string
        let wantedType = String(name.prefix(4))
        guard type == wantedType else {
            throw TorchError("\(path): layer \(name) has type '\(type ?? "none")', expected '\(wantedType)'")
        }
        if wantedType == "pool", let method = layer[field: "method"]?.string, method != "max" {
            throw TorchError("\(path): layer \(name) pools by '\(method)'; VGG (and DPED) use max pooling")
        }
    }
}

/// Whether `url` is a MAT-file (by extension, or a header starting "MATLAB") rather than safetensors.
private func isMATFile(_ url: URL) throws -> Bool {
    if url.pathExtension.lowercased() == "mat" { return true }
    // Reading the head of a FIFO would wait for a writer; the readers refuse it by name.
    if notARegularFile(url.path) != nil { return false }
    guard let handle = FileHandle(forReadingAtPath: url.path) else {
        throw TorchError("\(url.path): cannot open")
    }
    defer { try? handle.close() }
    let head = handle.readData(ofLength: 6)
    return head.elementsEqual("MATLAB".utf8)
}
