// Shape changes, joins and indexing. Negative dims count from the end, as in PyTorch.
extension Tensor {
    public func reshape(_ shape: [Int]) throws -> Tensor { try ATen.reshape.call(.tensor(self), .ints(shape)) }
    /// A reshaped view sharing storage (fails when the layout does not allow one).
    public func view(_ shape: [Int]) throws -> Tensor { try ATen.view.call(.tensor(self), .ints(shape)) }
    public func permute(_ dims: [Int]) throws -> Tensor { try ATen.permute.call(.tensor(self), .ints(dims)) }
    public func transpose(_ dim0: Int, _ dim1: Int) throws -> Tensor {
        try ATen.transpose.call(.tensor(self), .int(dim0), .int(dim1))
    }
    public func squeeze(_ dim: Int) throws -> Tensor { try ATen.squeezeDim.call(.tensor(self), .int(dim)) }
    public func unsqueeze(_ dim: Int) throws -> Tensor { try ATen.unsqueeze.call(.tensor(self), .int(dim)) }
    public func flatten(from start: Int = 0, to end: Int = -1) throws -> Tensor {
        try ATen.flatten.call(.tensor(self), .int(start), .int(end))
    }
    /// Broadcasts size-1 dims to `shape` without copying (-1 keeps a dim).
    public func expand(_ shape: [Int]) throws -> Tensor { try ATen.expand.call(.tensor(self), .ints(shape)) }
    public func split(_ size: Int, dim: Int = 0) throws -> [Tensor] {
        try ATen.split.callTensors([.tensor(self), .int(size), .int(dim)])
    }
    public func chunk(_ chunks: Int, dim: Int = 0) throws -> [Tensor] {
        try ATen.chunk.callTensors([.tensor(self), .int(chunks), .int(dim)])
    }
    /// `length` elements of `dim` starting at `start` (a view).
    public func narrow(_ dim: Int, start: Int, length: Int) throws -> Tensor {
        try ATen.narrow.call(.tensor(self), .int(dim), .int(start), .int(length))
    }
    /// Elements start..<end by step along dim (a view).
    public func slice(_ dim: Int, start: Int? = nil, end: Int? = nil, step: Int = 1) throws -> Tensor {
        try ATen.slice.call(.tensor(self), .int(dim), start.map { .int($0) } ?? .none, end.map { .int($0) } ?? .none, .int(step))
    }
    /// The `index`-th slice along `dim`, with that dim removed.
    public func select(_ dim: Int, _ index: Int) throws -> Tensor {
        try ATen.select.call(.tensor(self), .int(dim), .int(index))
    }
    public func repeated(_ repeats: [Int]) throws -> Tensor { try ATen.repeatOp.call(.tensor(self), .ints(repeats)) }
    public func flip(_ dims: [Int]) throws -> Tensor { try ATen.flip.call(.tensor(self), .ints(dims)) }
    /// Rotates by k quarter turns in the plane of `dims` (from the first towards the second).
    public func rot90(_ k: Int, dims: [Int] = [-2, -1]) throws -> Tensor {
        try ATen.rot90.call(.tensor(self), .int(k), .ints(dims))
    }
    public func roll(_ shifts: [Int], dims: [Int]) throws -> Tensor {
        try ATen.roll.call(.tensor(self), .ints(shifts), .ints(dims))
    }
    public func indexSelect(_ dim: Int, _ index: Tensor) throws -> Tensor {
        try ATen.indexSelect.call(.tensor(self), .int(dim), .tensor(index))
    }
    public func gather(_ dim: Int, _ index: Tensor) throws -> Tensor {
        try ATen.gather.call(.tensor(self), .int(dim), .tensor(index))
    }
    /// Advanced indexing: one optional index tensor per leading dim (nil = take all).
    public func index(_ indices: [Tensor?]) throws -> Tensor {
        try ATen.index.call(.tensor(self), .optionalTensors(indices))
    }

    /// Padding of the last dims: [left, right, top, bottom, ...] as in torch.nn.functional.pad.
    public func pad(_ padding: [Int], mode: PadMode = .constant, value: Double = 0) throws -> Tensor {
        try ATen.pad.call(.tensor(self), .ints(padding), .string(mode.rawValue), mode == .constant ? .double(value) : .none)
    }
}

/// How `pad` fills the border.
public enum PadMode: String, Sendable {
    case constant, reflect, replicate, circular
}

/// Joins tensors along an existing dim.
public func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
    try ATen.cat.call(.tensors(tensors), .int(dim))
}

/// Joins tensors along a new dim.
public func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
    try ATen.stack.call(.tensors(tensors), .int(dim))
}
