import DSLRTensor
import Foundation

/// Adam (Kingma & Ba) as torch.optim.Adam computes it, with L2 weight decay added to the
/// gradient; with `decoupledWeightDecay` it is AdamW (Loshchilov & Hutter), as torch.optim.AdamW.
///
/// It is a value: its state (step counts and moment estimates) is owned here, while the
/// parameters it updates are shared tensors updated in place.
public struct Adam {
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let eps: Double
    public let weightDecay: Double
    public let decoupledWeightDecay: Bool
    public let parameters: [(String, Tensor)]
    private var slots: [Slot?]

    struct Slot {
        var step: Int
        let expAvg: Tensor
        let expAvgSq: Tensor
    }

    /// Adam over named parameters (usually `module.namedParameters()`).
    public init(
        _ parameters: [(String, Tensor)], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        eps: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = betas.0
        self.beta2 = betas.1
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        self.slots = Array(repeating: nil, count: parameters.count)
    }

    /// AdamW: decoupled weight decay (torch.optim.AdamW's default decay is 0.01).
    public static func adamW(
        _ parameters: [(String, Tensor)], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        eps: Double = 1e-8, weightDecay: Double = 0.01
    ) -> Adam {
        Adam(parameters, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    /// Updates every parameter that has a gradient; parameters without one keep their state.
    public mutating func step() throws {
        let lr = learningRate
        try withNoGrad {
            for (index, (_, p)) in parameters.enumerated() {
                guard var g = try p.grad else { continue }
                var slot = try slots[index] ?? Slot(step: 0, expAvg: p.zerosLike(), expAvgSq: p.zerosLike())
                slot.step += 1
                if weightDecay != 0 {
                    if decoupledWeightDecay {
                        try p.mul_(1 - lr * weightDecay)
                    } else {
                        g = try g.adding(p, alpha: weightDecay)
                    }
                }
                try slot.expAvg.lerp_(g, 1 - beta1)
                try slot.expAvgSq.mul_(beta2)
                try slot.expAvgSq.addcmul_(g, g, value: 1 - beta2)
                let biasCorrection1 = 1 - Foundation.pow(beta1, Double(slot.step))
                let biasCorrection2 = 1 - Foundation.pow(beta2, Double(slot.step))
                let stepSize = lr / biasCorrection1
                // torch writes bias_correction2 ** 0.5, i.e. pow, not sqrt.
                let denominator = try slot.expAvgSq.sqrt() / Foundation.pow(biasCorrection2, 0.5) + eps
                try p.addcdiv_(slot.expAvg, denominator, value: -stepSize)
                slots[index] = slot
            }
        }
    }

    /// Clears the gradients of the optimised parameters.
    public func zeroGrad() throws {
        for (_, p) in parameters { try p.setGrad(nil) }
    }

    /// The optimizer's state as named tensors plus metadata (hyper-parameters), for a checkpoint.
    public func stateDict() throws -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        var tensors: [(String, Tensor)] = []
        for (index, (name, _)) in parameters.enumerated() {
            guard let slot = slots[index] else { continue }
            tensors.append(("\(name).step", try Tensor(scalar: Int64(slot.step))))
            tensors.append(("\(name).exp_avg", slot.expAvg))
            tensors.append(("\(name).exp_avg_sq", slot.expAvgSq))
        }
        let metadata = [
            "optimizer": decoupledWeightDecay ? "adamw" : "adam",
            "lr": "\(learningRate)", "beta1": "\(beta1)", "beta2": "\(beta2)",
            "eps": "\(eps)", "weight_decay": "\(weightDecay)",
        ]
        return (tensors, metadata)
    }

    /// Restores state written by `stateDict`; the parameter names must match this optimizer's.
    public mutating func load(_ tensors: [(String, Tensor)], metadata: [String: String], source: String = "optimizer state") throws {
        let kind = decoupledWeightDecay ? "adamw" : "adam"
        guard metadata["optimizer"] == kind else {
            throw TorchError("\(source): holds \(metadata["optimizer"] ?? "no") optimizer state, expected \(kind)")
        }
        var byName: [String: Tensor] = [:]
        for (name, t) in tensors { byName[name] = t }
        var restored: [Slot?] = Array(repeating: nil, count: parameters.count)
        var used = Set<String>()
        for (index, (name, p)) in parameters.enumerated() {
            guard let step = byName["\(name).step"] else { continue }
            guard let m = byName["\(name).exp_avg"], let v = byName["\(name).exp_avg_sq"] else {
                throw TorchError("\(source): '\(name)' has a step but no moment estimates")
            }
            guard m.shape == p.shape, v.shape == p.shape else {
                throw TorchError("\(source): '\(name)' state has shape \(m.shape), parameter has \(p.shape)")
            }
            // A step count steers bias correction; a damaged one must not trap or pass.
            let count = try step.item()
            guard step.shape.isEmpty, count.isFinite, count >= 0, count <= 1e15, count == count.rounded() else {
                throw TorchError("\(source): '\(name).step' is \(step.shape.isEmpty ? "\(count)" : "of shape \(step.shape)"), not a step count", kind: .badArgument)
            }
            restored[index] = Slot(step: Int(count), expAvg: try m.to(p.device, p.dtype).clone(),
                                   expAvgSq: try v.to(p.device, p.dtype).clone())
            used.formUnion(["\(name).step", "\(name).exp_avg", "\(name).exp_avg_sq"])
        }
        let unexpected = byName.keys.filter { !used.contains($0) }.sorted()
        guard unexpected.isEmpty else {
            throw TorchError("\(source): state for unknown parameters: \(unexpected.joined(separator: ", "))")
        }
        if let text = metadata["lr"] {
            guard let lr = Double(text), lr.isFinite, lr >= 0 else {
                throw TorchError("\(source): optimizer learning rate '\(text.prefix(40))' is not a finite, non-negative number", kind: .badArgument)
            }
            learningRate = lr
        }
        slots = restored
    }
}
