import DSLRLosses
import DSLRNN
import DSLRTensor
import Foundation

/// The reference numbers of one fixture file made by scripts/fixtures/, by name, in float64.
struct Fixture {
    let tensors: [String: Tensor]

    init(_ file: String) throws {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(file).safetensors", withExtension: nil) else {
            throw TorchError("fixture \(file).safetensors is missing")
        }
        tensors = Dictionary(uniqueKeysWithValues: try Checkpoint.load(url).0)
    }

    subscript(_ name: String) -> Tensor {
        get throws {
            guard let t = tensors[name] else { throw TorchError("fixture has no tensor \(name)") }
            return try t.to(.float64)
        }
    }

    func scalar(_ name: String) throws -> Double { try self[name].item() }
}

/// make_losses_fixture.py's stand-in for VGG: three fixed convolutions under real layer names.
struct FakeVGG: FeatureExtractor {
    let w1: Tensor, w2: Tensor, w3: Tensor
    let preprocessing: FeaturePreprocessing

    func features(_ x: Tensor, layers: [String]) throws -> [String: Tensor] {
        let relu22 = try conv2d(x, weight: w1, padding: [1, 1]).relu()
        let conv42 = try conv2d(avgPool2d(relu22, kernel: [2, 2]), weight: w2, padding: [1, 1])
        let relu33 = try conv42.relu()
        let relu54 = try conv2d(relu33, weight: w3, padding: [1, 1]).relu()
        let all = ["relu2_2": relu22, "conv4_2": conv42, "relu3_3": relu33, "relu5_4": relu54]
        return all.filter { layers.contains($0.key) }
    }
}

/// |a - b| / |b|.
func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }

/// Largest elementwise difference relative to the largest reference magnitude.
func relativeMaxError(_ a: Tensor, _ reference: Tensor) throws -> Double {
    try (a - reference).abs().max().item() / reference.abs().max().item()
}

/// (f(x + εv) - f(x - εv)) / 2ε, the finite-difference derivative along v.
func directionalDerivative(of f: (Tensor) throws -> Double, at x: Tensor, along v: Tensor, eps: Double = 1e-6) throws -> Double {
    try (f(x + v * eps) - f(x - v * eps)) / (2 * eps)
}
