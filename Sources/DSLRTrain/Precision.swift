import DSLRNN
import DSLRTensor

extension TrainingPrecision {
    /// The dtype forward and backward passes run in.
    public var computeType: DType {
        switch self {
        case .fp32: .float32
        case .bf16: .bfloat16
        case .fp16: .float16
        }
    }
}

/// Dynamic loss scaling for fp16 (torch.cuda.amp.GradScaler's rules): the loss is multiplied
/// by `scale` before backward so small gradients survive in fp16; a step whose gradients hold
/// an inf or NaN is skipped and the scale halved; after `growthInterval` good steps in a row
/// the scale doubles.
public struct LossScaler: Sendable, Equatable, Codable {
    public var scale: Double
    public var growthFactor: Double
    public var backoffFactor: Double
    public var growthInterval: Int
    /// Good steps since the last overflow or growth.
    public var goodSteps: Int

    public init(scale: Double = 65536, growthFactor: Double = 2, backoffFactor: Double = 0.5, growthInterval: Int = 2000) {
        self.scale = scale; self.growthFactor = growthFactor; self.backoffFactor = backoffFactor
        self.growthInterval = growthInterval; self.goodSteps = 0
    }

    /// Divides the gradients by the scale in place; returns false (and backs off) when any is
    /// not finite, in which case the caller must skip the optimizer step.
    public mutating func unscale(_ gradients: [Tensor]) throws -> Bool {
        var finite = true
        try withNoGrad {
            for g in gradients where finite {
                if try !g.isfinite().all() { finite = false }
            }
            if finite { for g in gradients { try g.div_(scale) } }
        }
        update(finite: finite)
        return finite
    }

    /// Applies the growth/backoff rule after a step with finite or non-finite gradients.
    public mutating func update(finite: Bool) {
        if !finite {
            scale *= backoffFactor
            goodSteps = 0
        } else {
            goodSteps += 1
            if goodSteps >= growthInterval {
                scale *= growthFactor
                goodSteps = 0
            }
        }
    }
}

/// Float32 master weights with a low-precision working copy: each step copies the masters
/// into the copy (cast), the forward and backward run on the copy, and its gradients come
/// back to the masters as float32, where the optimizer updates them.
struct MixedPrecisionCopy {
    let masters: [Tensor]
    let workers: [Tensor]

    /// `working` is a second instance of the same architecture; it is moved to `dtype`.
    init(master: any Module, working: any Module, device: Device, dtype: DType) throws {
        masters = master.parameters()
        try working.move(to: device, dtype: dtype)
        workers = working.parameters()
        guard masters.count == workers.count else { throw TorchError("mixed precision: the working copy has other parameters") }
    }

    func pull() throws {
        try withNoGrad {
            for (m, w) in zip(masters, workers) {
                try w.copy_(m)
                try w.setGrad(nil)
            }
        }
    }

    /// Moves the working copy's gradients to the masters as float32.
    func push() throws {
        try withNoGrad {
            for (m, w) in zip(masters, workers) {
                try m.setGrad(w.grad.map { try $0.to(m.dtype) })
            }
        }
    }
}
