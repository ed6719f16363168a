import DSLRData
import DSLREnhance
import DSLRMetrics
import DSLRTensor
import DSLRTrain
import Foundation

/// The evaluator `dslr train` hands its loop: PSNR, SSIM and MS-SSIM of the product network
/// on centre crops of a dataset's held-out split, beside the two baselines (the untouched
/// input and the classic enhancer, measured once); the first crops are written as samples,
/// and report.html is redrawn after each evaluation. On super-resolution pairs (RGB targets
/// `scale` times the inputs) the identity baseline is bicubic enlargement, there is no
/// classic one, and `psnr_y` (Y channel, border of `scale` shaved) is added. On RAW mosaics
/// from `dslr data unprocess` the classic baseline is the conventional pipeline run with each
/// mosaic's true camera (`developBilinear`), and samples show the mosaic as RGB.
public final class HeldOutEvaluator: Evaluator {
    let dataset: Dataset
    let spec: EvalSpec
    let source: String
    private var baselines: [String: [String: Double]]?

    /// Evaluates on `dataset`'s held-out split as `spec` says; `source` describes the dataset.
    public init(dataset: Dataset, spec: EvalSpec, source: String) {
        self.dataset = dataset; self.spec = spec; self.source = source
    }

    /// The held-out split of the recipe's own dataset.
    public convenience init(recipe: Recipe) throws {
        self.init(dataset: try makeDataset(recipe.dataset.spec), spec: recipe.eval,
                  source: "\(recipe.dataset.layout): \(recipe.dataset.root)")
    }

    public var evaluatedOn: String { "\(source), held-out split, centre \(spec.crop)-pixel crops" }

    public func evaluate(_ enhance: (Tensor) throws -> Tensor, iteration: Int, run: RunFolder) throws -> Evaluation {
        let split = dataset.split(.test)
        let count = min(split.inputs.count, spec.maxImages)
        guard count > 0 else { return Evaluation(metrics: [:], images: 0, note: "no held-out images") }
        let classic = baselines == nil ? try LoadedModel.load(ModelRegistry.standard().resolve("classic")) : nil
        var sums: [String: Double] = [:], identity: [String: Double] = [:], classicSums: [String: Double] = [:]
        let s = dataset.targetScale, shave = dataset.input == .rgb && s > 1 ? s : nil
        // Mosaics written by `dslr data unprocess` come with their cameras.
        let cameras = dataset.input == .pynetBayer ? try? readUnprocessCameras(dataset.spec.root) : nil
        try withNoGrad {
            for i in 0..<count {
                let crops = try centerCropPair(input: dataset.loadInput(split.inputs[i]), target: dataset.loadTarget(split.targets[i]),
                                               size: spec.crop, scale: s)
                let x = try crops.input.unsqueeze(0), y = try crops.target.unsqueeze(0)
                let out = try enhance(x)
                for (k, v) in try qualityMetrics(output: out, target: y, shave: shave) { sums[k, default: 0] += v }
                if i < spec.samples {
                    let preview = dataset.input == .pynetBayer ? try packedBayerPreview(x) : x
                    try writeSample(iteration: iteration, index: i, input: preview, output: out, target: y, to: run.samples)
                }
                guard let classic else { continue }
                if dataset.input == .pynetBayer {
                    // The conventional pipeline with the true camera: bilinear demosaic, white
                    // balance, colour matrix, sRGB, tone curve.
                    guard let camera = cameras?[datasetRelativePath(split.inputs[i], root: dataset.spec.root)] else { continue }
                    let mosaic = try PyNETBayer.unpack(x) / unprocessWhiteLevel
                    for (k, v) in try qualityMetrics(output: developBilinear(mosaic, camera), target: y) { classicSums[k, default: 0] += v }
                    continue
                }
                if x.shape == y.shape {
                    for (k, v) in try qualityMetrics(output: x, target: y) { identity[k, default: 0] += v }
                    for (k, v) in try qualityMetrics(output: classic.enhance(x), target: y) { classicSums[k, default: 0] += v }
                } else if dataset.input == .rgb {
                    // Super-resolution's do-nothing is plain bicubic enlargement.
                    for (k, v) in try qualityMetrics(output: bicubicEnlargement(x, like: y), target: y, shave: shave) {
                        identity[k, default: 0] += v
                    }
                }
            }
        }
        if baselines == nil {
            baselines = ["identity": identity.mapValues { $0 / Double(count) }, "classic": classicSums.mapValues { $0 / Double(count) }]
                .filter { !$0.value.isEmpty }
        }
        return Evaluation(metrics: sums.mapValues { $0 / Double(count) }, baselines: baselines ?? [:], images: count)
    }

    public func recorded(_ run: RunFolder) throws {
        _ = try writeRunReport(runFolder: run.url)
    }
}

/// A packed Bayer batch [N, 4, h, w] (PyNET's B, Gb, R, Gr) as an RGB preview at its size.
func packedBayerPreview(_ x: Tensor) throws -> Tensor {
    let channel = { (c: Int) throws -> Tensor in try x.narrow(1, start: c, length: 1) }
    return try cat([channel(2), (channel(1) + channel(3)) / 2, channel(0)], dim: 1).clamp(min: 0, max: 1)
}

/// `path` relative to the dataset folder `root` (either may be relative to the working
/// folder), as `unprocess.json` names its mosaics.
func datasetRelativePath(_ path: String, root: String) -> String {
    let base = URL(fileURLWithPath: root).standardizedFileURL.path + "/"
    let full = URL(fileURLWithPath: path).standardizedFileURL.path
    return full.hasPrefix(base) ? String(full.dropFirst(base.count)) : full
}
