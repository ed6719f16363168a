import DSLRLosses
import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation

/// `distill`: PPCN's knowledge transfer. A frozen teacher (a weights file) runs on each batch;
/// its feature maps feed the `kd` loss against the student's, and its output can replace the
/// DSLR photo as the target (`teacher: {target: teacher}`), so a student can learn from photos
/// with no DSLR side. With a discriminator section the student is also trained against it,
/// alternating as `dped-gan` does.
let distillAlgorithm = AlgorithmDefinition(
    name: "distill",
    summary: "a student taught by a frozen teacher (PPCN): the teacher's feature maps for the kd loss, its output as target if asked, a discriminator if given",
    provides: [.target, .input, .teacherFeatures, .discriminator],
    check: { recipe in
        guard recipe.teacher != nil else {
            throw RecipeError("the 'distill' algorithm needs a teacher section (weights: a DSLRKit .safetensors file)")
        }
        try checkAdversary(recipe)
    },
    make: { setup in try Distill(setup) })

final class Distill: TrainingAlgorithm {
    let student: TrainedSide
    let teacher: BuiltNetwork
    let target: TeacherSpec.Target
    let discriminator: TrainedSide?
    let form: DiscriminatorLossForm
    let losses: [Loss]
    let features: (any FeatureExtractor)?
    /// Whether a loss reads feature maps (only then are they computed).
    let needsMaps: Bool

    init(_ setup: AlgorithmSetup) throws {
        let recipe = setup.recipe
        guard let spec = recipe.teacher else { throw RecipeError("the 'distill' algorithm needs a teacher section") }
        student = try trainedNetwork("generator", spec: recipe.generator, role: .enhancer, optimizer: recipe.optimizer, setup: setup)
        teacher = try loadTeacher(spec.weights, device: setup.device)
        target = spec.target
        if let d = recipe.discriminator {
            discriminator = try trainedNetwork(
                "discriminator", spec: NetworkSpec(architecture: d.architecture, options: d.options), role: .discriminator,
                optimizer: d.optimizer ?? recipe.optimizer, setup: setup)
            form = d.loss
        } else {
            discriminator = nil
            form = .dped
        }
        losses = setup.losses
        features = setup.features
        needsMaps = recipe.losses.contains { lossNeeds($0.name).contains(.teacherFeatures) }
        if needsMaps {
            guard teacher.distillationForward != nil else {
                throw RecipeError("teacher: '\(teacher.architecture)' names no feature maps for the kd loss")
            }
            guard student.master.distillationForward != nil else {
                throw RecipeError("generator: '\(student.master.architecture)' names no feature maps for the kd loss")
            }
        }
    }

    var networks: [TrainedSide] { [student] + (discriminator.map { [$0] } ?? []) }
    var product: TrainedSide { student }

    func step(_ context: StepContext) throws -> StepResult {
        let (x, y) = try context.nextBatch()
        let (taught, maps) = try withNoGrad { () throws -> (Tensor, [Tensor]) in
            if needsMaps, let run = teacher.distillationForward { return try run(x) }
            return (try teacher(x), [])
        }
        let d = discriminator, form = form
        var result = try enhancerStep(
            student, losses: losses, input: x, target: target == .teacher ? taught.clamp(min: 0, max: 1) : y,
            features: features, discriminator: d.map { d in { gray in try discriminatorOutput(d.forward(gray), form: form) } },
            teacherFeatures: needsMaps ? maps : nil, context: context)
        if let d {
            let (loss, accuracy) = try discriminatorStep(d, form: form, generator: student, context: context)
            result.scalars = ["discriminator_loss": loss, "discriminator_accuracy": accuracy]
        }
        return result
    }
}

/// The teacher a recipe names: its weights file, architecture and options from its metadata,
/// frozen, on `device`.
func loadTeacher(_ path: String, device: Device) throws -> BuiltNetwork {
    guard FileManager.default.fileExists(atPath: path) else { throw RecipeError("teacher: \(path): no such weights file") }
    let (state, metadata) = try Checkpoint.load(URL(fileURLWithPath: path))
    let network = try Architectures.load(state: state, metadata: metadata, source: path)
    guard network.contract.role == .enhancer else { throw RecipeError("teacher: \(path) holds a discriminator, not an enhancer") }
    try network.module.move(to: device, dtype: .float32)
    for p in network.module.parameters() { try p.requiringGrad(false) }
    network.module.eval()
    return network
}
