import DSLRNN
import DSLRTensor
import Foundation

/// A fresh empty directory for one test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dslrkit-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A file committed under Tests/DSLRNNTests/Fixtures.
func fixture(_ name: String) throws -> URL {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
        throw TorchError("fixture \(name) is missing")
    }
    return url
}

/// The three-layer tanh MLP of scripts/fixtures/make_adam_fixture.py.
struct MLP: Module {
    var l1: Linear
    var l2: Linear
    var l3: Linear

    init() throws {
        l1 = try Linear(2, 16)
        l2 = try Linear(16, 16)
        l3 = try Linear(16, 1)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try l3(l2(l1(x).tanh()).tanh())
    }
}
