import DSLRTensor

/// A network or layer: a value whose stored properties are its parameters and children.
///
/// Names come from the property names, nested with dots, so a state dict reads like
/// PyTorch's (`generator.res1.conv1.weight`) without any registration code:
/// - a `Tensor` property is a trainable parameter;
/// - a `Buffer` property is saved state that is not trained (running statistics);
/// - a property that is itself a `Module` is a child; an array of modules names its
///   elements `name.0`, `name.1`, ...; an optional module is skipped when nil;
/// - a `ModeFlag` property follows `train(_:)`.
/// Property names are written in PyTorch's snake_case (`runningMean` → `running_mean`), so
/// names line up with checkpoints from PyTorch code.
/// Modules are structs; their tensors are shared storage that optimizers update in place,
/// so copying a module value shares weights, as in every tensor framework.
public protocol Module {}

/// Non-trainable state saved with a module (e.g. batch-norm running statistics).
public struct Buffer {
    public let tensor: Tensor
    public init(_ tensor: Tensor) { self.tensor = tensor }
}

/// Training or evaluation mode, shared by the layers that behave differently in each.
public final class ModeFlag {
    public var training: Bool
    public init(training: Bool = true) { self.training = training }
}

/// One entry found while walking a module tree.
enum ModuleEntry {
    case parameter(String, Tensor)
    case buffer(String, Tensor)
    case mode(ModeFlag)
}

extension Module {
    /// Walks stored properties in declaration order, depth first.
    func entries(prefix: String = "") -> [ModuleEntry] {
        var found: [ModuleEntry] = []
        collect(self, prefix: prefix, into: &found)
        return found
    }

    /// Trainable parameters with their dotted names, in a stable order.
    public func namedParameters() -> [(String, Tensor)] {
        entries().compactMap { if case .parameter(let n, let t) = $0 { (n, t) } else { nil } }
    }

    /// Trainable parameters, in the order of `namedParameters`.
    public func parameters() -> [Tensor] { namedParameters().map(\.1) }

    /// Non-trainable saved state with dotted names.
    public func namedBuffers() -> [(String, Tensor)] {
        entries().compactMap { if case .buffer(let n, let t) = $0 { (n, t) } else { nil } }
    }

    /// Everything a checkpoint stores: parameters and buffers, in declaration order.
    public func stateDict() -> [(String, Tensor)] {
        entries().compactMap {
            switch $0 {
            case .parameter(let n, let t), .buffer(let n, let t): (n, t)
            case .mode: nil
            }
        }
    }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Switches every layer to training (true) or evaluation (false) behaviour.
    public func train(_ on: Bool = true) {
        for case .mode(let flag) in entries() { flag.training = on }
    }

    /// Evaluation mode: `train(false)`.
    public func eval() { train(false) }

    /// Clears every parameter's accumulated gradient.
    public func zeroGrad() throws {
        for p in parameters() { try p.setGrad(nil) }
    }

    /// Moves parameters and buffers to `device`, and floating-point ones to `dtype` if given.
    /// The tensors keep their identity, so optimizers built earlier still see them.
    public func move(to device: Device, dtype: DType? = nil) throws {
        try withNoGrad {
            for (_, t) in stateDict() {
                let target = (dtype != nil && t.dtype.isFloatingPoint) ? dtype! : t.dtype
                if t.device != device || t.dtype != target {
                    try t.setData(t.to(device, target))
                }
            }
        }
    }
}

private func collect(_ value: Any, prefix: String, into found: inout [ModuleEntry]) {
    for child in Mirror(reflecting: value).children {
        guard let label = child.label else { continue }
        add(child.value, name: prefix + snakeCase(label), into: &found)
    }
}

private func add(_ value: Any, name: String, into found: inout [ModuleEntry]) {
    switch value {
    case let tensor as Tensor:
        found.append(.parameter(name, tensor))
    case let buffer as Buffer:
        found.append(.buffer(name, buffer.tensor))
    case let flag as ModeFlag:
        found.append(.mode(flag))
    case let module as any Module:
        collect(module, prefix: name + ".", into: &found)
    default:
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let wrapped = mirror.children.first { add(wrapped.value, name: name, into: &found) }
        case .collection:
            for (index, element) in mirror.children.enumerated() {
                add(element.value, name: "\(name).\(index)", into: &found)
            }
        default:
            break
        }
    }
}

/// camelCase → snake_case; names without capitals are unchanged.
func snakeCase(_ name: String) -> String {
    var out = ""
    for ch in name {
        if ch.isUppercase {
            if !out.isEmpty { out.append("_") }
            out.append(contentsOf: ch.lowercased())
        } else {
            out.append(ch)
        }
    }
    return out
}
