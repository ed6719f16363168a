import Foundation

/// A learning rate as a function of the iteration (0-based), so resuming at iteration i
/// gives the same rate as never stopping.
public protocol LearningRateSchedule: Sendable {
    func learningRate(at iteration: Int) -> Double
}

/// The same rate throughout.
public struct ConstantSchedule: LearningRateSchedule {
    public let rate: Double
    public init(_ rate: Double) { self.rate = rate }
    public func learningRate(at iteration: Int) -> Double { rate }
}

/// base · gamma^⌊iteration / stepSize⌋ (torch.optim.lr_scheduler.StepLR).
public struct StepDecaySchedule: LearningRateSchedule {
    public let base: Double
    public let stepSize: Int
    public let gamma: Double

    public init(base: Double, stepSize: Int, gamma: Double) {
        precondition(stepSize > 0, "stepSize must be positive")
        self.base = base
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(at iteration: Int) -> Double {
        base * pow(gamma, Double(iteration / stepSize))
    }
}

/// Linear warm-up from 0 over `warmup` iterations, then cosine annealing from `base` to
/// `minimum` at `total` (torch's CosineAnnealingLR closed form); `minimum` afterwards.
public struct CosineSchedule: LearningRateSchedule {
    public let base: Double
    public let total: Int
    public let minimum: Double
    public let warmup: Int

    public init(base: Double, total: Int, minimum: Double = 0, warmup: Int = 0) {
        precondition(total > warmup, "total must exceed warmup")
        self.base = base
        self.total = total
        self.minimum = minimum
        self.warmup = warmup
    }

    public func learningRate(at iteration: Int) -> Double {
        if iteration < warmup { return base * Double(iteration + 1) / Double(warmup) }
        if iteration >= total { return minimum }
        let progress = Double(iteration - warmup) / Double(total - warmup)
        return minimum + (base - minimum) * (1 + cos(Double.pi * progress)) / 2
    }
}
