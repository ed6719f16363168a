import DSLRNN
import DSLRTensor

/// One network under training (generator, discriminator, ...) with its optimizer, schedule,
/// precision handling and loss scaler. A training algorithm owns one per network it trains.
public final class TrainedSide {
    public let name: String
    /// The float32 network the optimizer updates.
    public let master: TrainableNetwork
    /// The network the forward runs on: `master`, or its low-precision working copy.
    let working: TrainableNetwork
    let copy: MixedPrecisionCopy?
    public var optimizer: Adam
    let optimizerSpec: OptimizerSpec
    let schedule: any LearningRateSchedule
    public var scaler: LossScaler?
    let computeType: DType

    /// A network from `make`, moved to `device`, with its optimizer and, below fp32, a
    /// low-precision working copy (and for fp16 a loss scaler).
    public init(name: String, make: () throws -> TrainableNetwork, optimizer spec: OptimizerSpec,
         schedule: any LearningRateSchedule, device: Device, precision: TrainingPrecision) throws {
        self.name = name
        master = try make()
        try master.module.move(to: device, dtype: .float32)
        computeType = precision.computeType
        if precision == .fp32 {
            working = master
            copy = nil
        } else {
            // The working copy's own initial draws are overwritten by `pull`; drawing them from a
            // saved-and-restored RNG keeps the run's random stream the same as in fp32.
            let state = try Torch.rngState()
            working = try make()
            try Torch.setRNGState(state)
            copy = try MixedPrecisionCopy(master: master.module, working: working.module, device: device, dtype: computeType)
        }
        optimizerSpec = spec
        optimizer = makeOptimizer(spec, master.module)
        self.schedule = schedule
        scaler = precision == .fp16 ? LossScaler() : nil
    }

    /// Clears gradients and refreshes the working copy before a forward pass.
    public func begin() throws {
        try master.module.zeroGrad()
        try copy?.pull()
    }

    /// Runs the forward pass in the compute precision, returning float32.
    public func forward(_ photo: Tensor) throws -> Tensor {
        try float32(working.forward(computeInput(photo), nil))
    }

    /// What the working network is given for `photo`, in the compute precision.
    private func computeInput(_ photo: Tensor) throws -> Tensor {
        let x = try working.input(for: photo)
        return computeType == .float32 ? x : try x.to(computeType)
    }

    private func float32(_ t: Tensor) throws -> Tensor { t.dtype == .float32 ? t : try t.to(.float32) }

    /// The output of pyramid level `level` (see `BuiltNetwork.levelForward`), float32.
    public func forward(_ photo: Tensor, level: Int) throws -> Tensor {
        guard let run = working.levelForward else {
            throw RecipeError("\(name): '\(working.architecture)' is not trained level by level")
        }
        return try float32(run(computeInput(photo), level))
    }

    /// A fresh optimizer with the recipe's settings: its moments forgotten, as when a
    /// training script starts a new stage with a new optimizer.
    public func resetOptimizer() {
        optimizer = makeOptimizer(optimizerSpec, master.module)
    }

    /// The forward pass with the feature maps a distillation loss compares, float32.
    public func forwardWithFeatures(_ photo: Tensor) throws -> (output: Tensor, features: [Tensor]) {
        guard let run = working.distillationForward else {
            throw RecipeError("\(name): '\(working.architecture)' names no feature maps for knowledge distillation")
        }
        let (y, maps) = try run(computeInput(photo))
        return (try float32(y), try maps.map(float32))
    }

    /// Backward of `loss` (scaled for fp16).
    public func backward(_ loss: Tensor) throws {
        try (scaler.map { try loss * $0.scale } ?? loss).backward()
    }

    /// Gradients to the masters, the hook (e.g. an all-reduce), unscaling, then the optimizer
    /// step at `iteration`'s learning rate. Returns false when fp16 skipped the step.
    @discardableResult
    public func step(iteration: Int, hook: ((String, [Tensor]) throws -> Void)?) throws -> Bool {
        try copy?.push()
        let gradients = try master.module.parameters().compactMap { try $0.grad }
        try hook?(name, gradients)
        if scaler != nil, try !scaler!.unscale(gradients) { return false }
        optimizer.learningRate = schedule.learningRate(at: iteration)
        try optimizer.step()
        return true
    }
}

/// The schedule a recipe names, for an optimizer whose base rate is `base`.
public func makeSchedule(_ spec: ScheduleSpec, base: Double, iterations: Int) throws -> any LearningRateSchedule {
    switch spec.kind {
    case .constant:
        return ConstantSchedule(base)
    case .step:
        return StepDecaySchedule(base: base, stepSize: spec.stepSize ?? 1, gamma: spec.gamma ?? 0.1)
    case .cosine:
        let warmup = spec.warmup ?? 0
        guard iterations > warmup else { throw RecipeError("schedule: cosine needs more iterations (\(iterations)) than warm-up (\(warmup))") }
        return CosineSchedule(base: base, total: iterations, minimum: spec.minimum ?? 0, warmup: warmup)
    }
}

/// Adam or AdamW over `module`'s parameters, as `spec` says.
private func makeOptimizer(_ spec: OptimizerSpec, _ module: any Module) -> Adam {
    spec.kind == .adamw
        ? Adam.adamW(module.namedParameters(), learningRate: spec.lr, betas: (spec.betas[0], spec.betas[1]),
                     eps: spec.eps, weightDecay: spec.weightDecay)
        : Adam(module.namedParameters(), learningRate: spec.lr, betas: (spec.betas[0], spec.betas[1]),
               eps: spec.eps, weightDecay: spec.weightDecay)
}
