import CTorch

// Reverse-mode differentiation, delegated to libtorch's autograd engine.
extension Tensor {
    /// Whether operations on this tensor are recorded for `backward`.
    public var requiresGrad: Bool {
        ct_requires_grad(handle) == 1
    }

    /// Marks a leaf tensor as a trainable variable (or not). Returns self for chaining.
    @discardableResult
    public func requiringGrad(_ on: Bool = true) throws -> Tensor {
        try check(ct_set_requires_grad(handle, on ? 1 : 0), "requiresGrad")
        return self
    }

    /// Whether this tensor was created by the user rather than by a recorded operation.
    public var isLeaf: Bool { ct_is_leaf(handle) == 1 }

    /// Accumulates d(self)/d(leaf) into every leaf's `grad`. `gradient` is required unless
    /// self has one element.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false) throws {
        try check(ct_backward(handle, gradient?.handle, retainGraph ? 1 : 0, createGraph ? 1 : 0), "backward")
    }

    /// The accumulated gradient, or nil before any backward pass reached this tensor.
    public var grad: Tensor? {
        get throws {
            var out: OpaquePointer?
            try check(ct_grad(handle, &out), "grad")
            return out.map { Tensor(owning: $0) }
        }
    }

    /// d(sum of self)/d(`input`), returned rather than accumulated into any `grad`. With
    /// `createGraph` the result is recorded too, so a loss built from it (a gradient penalty)
    /// can itself be differentiated.
    public func gradient(withRespectTo input: Tensor, createGraph: Bool = false) throws -> Tensor {
        var out: OpaquePointer?
        try check(ct_autograd_grad(handle, input.handle, createGraph ? 1 : 0, &out), "gradient")
        return Tensor(owning: out!)
    }

    /// Sets or (with nil) clears the accumulated gradient.
    public func setGrad(_ gradient: Tensor?) throws {
        try check(ct_set_grad(handle, gradient?.handle), "setGrad")
    }

    /// The same data, cut from the autograd graph.
    public func detach() throws -> Tensor { try ATen.detach.call(.tensor(self)) }

    /// Replaces this tensor's data (for example by a copy on another device) in place, so
    /// every holder of this tensor, such as a module and its optimizer, sees the change.
    public func setData(_ source: Tensor) throws {
        try check(ct_set_data(handle, source.handle), "setData")
    }
}

/// Runs `body` without recording operations for autograd (inference, optimizer updates).
/// Grad mode is per thread in libtorch, so `body` must not hop threads (it is synchronous).
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = ct_grad_enabled()
    ct_set_grad_enabled(0)
    defer { ct_set_grad_enabled(previous) }
    return try body()
}

/// Whether operations on this thread are currently recorded for autograd.
public var isGradEnabled: Bool { ct_grad_enabled() == 1 }
