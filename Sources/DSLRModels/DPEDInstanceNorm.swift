import DSLRNN
import DSLRTensor

/// DPED's instance normalisation (`_instance_norm` in aiff22/DPED models.py): biased
/// variance over H and W, epsilon 1e-3, then a learned per-channel `scale` (initially 1) and
/// `shift` (initially 0).
public struct DPEDInstanceNorm: Module {
    public var scale: Tensor
    public var shift: Tensor
    /// DPED's epsilon, larger than PyTorch's usual 1e-5.
    public static let eps = 1e-3

    public init(_ channels: Int) throws {
        scale = try Tensor.ones([channels]).requiringGrad()
        shift = try Tensor.zeros([channels]).requiringGrad()
    }

    /// Normalises `x` as norm layer `layer` of its network; with `state`, using whole-photo
    /// statistics for tiled inference (see `TiledNormState`).
    public func callAsFunction(_ x: Tensor, layer: Int, state: TiledNormState? = nil) throws -> Tensor {
        try instanceNormalize(x, layer: layer, eps: Self.eps, scale: scale, shift: shift, state: state)
    }
}
