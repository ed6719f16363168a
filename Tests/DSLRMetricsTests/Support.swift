import DSLRNN
import DSLRTensor
import Foundation

/// The reference numbers of a fixture file made by scripts/fixtures/ (by default the
/// scikit-image ones of make_metrics_fixture.py), by name.
struct Reference {
    let tensors: [String: Tensor]
    let metadata: [String: String]

    init(_ file: String = "metrics_reference") throws {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(file).safetensors", withExtension: nil) else {
            throw TorchError("fixture \(file).safetensors is missing")
        }
        let (list, metadata) = try Checkpoint.load(url)
        tensors = Dictionary(uniqueKeysWithValues: list)
        self.metadata = metadata
    }

    subscript(_ name: String) -> Tensor {
        get throws {
            guard let t = tensors[name] else { throw TorchError("fixture has no tensor \(name)") }
            return t
        }
    }

    /// A scalar stored as a one-element tensor.
    func scalar(_ name: String) throws -> Double { try self[name].toArray(Double.self)[0] }
}

/// HWC (skimage's layout) to 1×C×H×W.
func nchw(fromHWC x: Tensor) throws -> Tensor {
    try x.permute([2, 0, 1]).unsqueeze(0).contiguous()
}

/// Largest absolute elementwise difference.
func maxAbsDiff(_ a: Tensor, _ b: Tensor) throws -> Double {
    try (a - b).abs().max().item()
}

/// |a - b| / |b|.
func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }

/// Central finite differences of a scalar function of a float64 tensor, one element at a time.
func numericalGradient(of f: (Tensor) throws -> Double, at x: Tensor, eps: Double = 1e-6) throws -> [Double] {
    let values = try x.toArray(Double.self)
    let shape = x.shape
    var grad = [Double](repeating: 0, count: values.count)
    for i in values.indices {
        var plus = values, minus = values
        plus[i] += eps
        minus[i] -= eps
        grad[i] = try (f(Tensor(plus, shape: shape)) - f(Tensor(minus, shape: shape))) / (2 * eps)
    }
    return grad
}

/// Central finite difference of a scalar function along one direction: for inputs too large to
/// perturb element by element, (f(x + εv) - f(x - εv)) / 2ε must equal ∇f · v.
func directionalDerivative(of f: (Tensor) throws -> Double, at x: Tensor, along v: Tensor, eps: Double = 1e-6) throws -> Double {
    try (f(x + v * eps) - f(x - v * eps)) / (2 * eps)
}

/// Compares the autograd derivative of a scalar function with finite differences along
/// `count` random directions; returns the worst relative error and the smallest |derivative|
/// (so a test can also insist that the gradient does not vanish).
func directionalGradientCheck(
    of f: @escaping (Tensor) throws -> Double, at x0: Tensor, gradient: Tensor, count: Int, eps: Double
) throws -> (worst: Double, smallest: Double) {
    var worst = 0.0, smallest = Double.infinity
    for _ in 0..<count {
        let v = try Tensor.randn(x0.shape, dtype: .float64)
        let analytic = try (gradient * v).sum().item()
        let numeric = try directionalDerivative(of: f, at: x0, along: v, eps: eps)
        worst = max(worst, relativeError(analytic, numeric))
        smallest = min(smallest, abs(numeric))
    }
    return (worst, smallest)
}
