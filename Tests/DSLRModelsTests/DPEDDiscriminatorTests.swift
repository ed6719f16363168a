import DSLRMetrics
import DSLRNN
import DSLRTensor
import Testing
@testable import DSLRModels

/// `offset + (hash(i + salt) mod 2001 - 1000) · scale` over flat indices, in float32: the
/// fixture script's stand-in for stored weights (exact, so both sides hold identical values).
func hashed(_ shape: [Int], salt: Int, scale: Double, offset: Double) throws -> Tensor {
    // Integer tensor ops (int64 cannot overflow: index · multiplier < 2^55), then exact float32.
    let multiply = Operator("aten::mul", "Scalar"), remainder = Operator("aten::remainder", "Scalar")
    let n = shape.reduce(1, *)
    let i = try Tensor.arange(Double(salt), Double(salt + n), dtype: .int64)
    let h = try remainder.call(.tensor(multiply.call(.tensor(i), .int(2_654_435_761))), .int(1 << 32))
    let k = try remainder.call(.tensor(h), .int(2001))
    return try ((k - 1000.0).to(.float32) * scale + offset).reshape(shape)
}

/// DPED's and PPCN's discriminators, for the parity check they share.
protocol TexturalDiscriminator: DPEDTFNetwork {
    func logits(grayscale x: Tensor) throws -> Tensor
    func callAsFunction(_ rgb: Tensor) throws -> Tensor
}
extension DPEDDiscriminator: TexturalDiscriminator {}
extension PPCNDiscriminator: TexturalDiscriminator {}

/// Loads the hashed weights a fixture script gave TensorFlow's graph (`reference` holds their
/// scales and offsets and the input's hash) and compares logits and probabilities.
func expectDiscriminatorMatchesTensorFlow(_ discriminator: some TexturalDiscriminator, reference: [String: Tensor],
                                          variableCount: Int) throws {
    let scales = try #require(reference["discriminator_hash_scale"]).toArray(Double.self)
    let offsets = try #require(reference["discriminator_hash_offset"]).toArray(Double.self)
    let input = try #require(reference["discriminator_input_hash"]).toArray(Double.self)
    let variables = discriminator.tfVariables
    #expect(variables.map(\.tfName) == (0..<variableCount).map { "discriminator/" + ($0 == 0 ? "Variable" : "Variable_\($0)") })
    #expect(scales.count == variables.count)
    var values: [String: Tensor] = [:]
    for (k, v) in variables.enumerated() {
        values[v.tfName] = try hashed(v.tfShape, salt: 7919 * k, scale: scales[k], offset: offsets[k])
    }
    try discriminator.loadTF(values, source: "hashed weights")

    let nhwc = try hashed([2, 100, 100, 3], salt: Int(input[0]), scale: input[1], offset: input[2])
    let rgb = try nhwc.permute([0, 3, 1, 2]).contiguous()
    try withNoGrad {
        let logits = try discriminator.logits(grayscale: grayscale(rgb))
        let logitError = try maxAbsDiff(logits, #require(reference["discriminator_logits"]))
        let probabilityError = try maxAbsDiff(discriminator(rgb), #require(reference["discriminator_probabilities"]))
        print("\(type(of: discriminator)) vs TensorFlow: max abs error logits \(logitError), probabilities \(probabilityError)")
        #expect(logitError < 1e-4)
        #expect(probabilityError < 1e-4)
    }
}

@Test func discriminatorMatchesTensorFlow() throws {
    let reference = try DPEDFixture.reference()
    #expect(try #require(reference["discriminator_hash_salt_step"]).item() == 7919)
    try expectDiscriminatorMatchesTensorFlow(
        DPEDDiscriminator(weightInit: .constant(0), biasInit: .constant(0)), reference: reference, variableCount: 22)
}

@Test func discriminatorNeedsHundredPixelPatches() throws {
    let discriminator = try DPEDDiscriminator(weightInit: .constant(0.01))
    #expect(discriminator.parameterCount == 7_361_122)
    let error = try #require(throws: TorchError.self) { try discriminator.logits(grayscale: Tensor.rand([1, 1, 64, 64])) }
    #expect(error.message == "DPED discriminator: 64×64 patches give 128×4×4 features, the dense layer needs 6272 (use 100×100 patches)")
}
