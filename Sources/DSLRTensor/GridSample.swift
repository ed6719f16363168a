/// How `gridSample` interpolates (ATen's codes).
public enum GridSampleMode: Int, Sendable {
    case bilinear = 0, nearest = 1, bicubic = 2
}

/// What `gridSample` reads outside the input (ATen's codes).
public enum GridSamplePadding: Int, Sendable {
    case zeros = 0, border = 1, reflection = 2
}

/// Samples `input` [N, C, H, W] at `grid` [N, Ho, Wo, 2] of (x, y) in [-1, 1], as
/// `torch.nn.functional.grid_sample`; the result is [N, C, Ho, Wo].
///
/// With `alignCorners` -1 and 1 are the centres of the corner pixels, so pixel-centre
/// coordinates x ∈ [0, W-1] map to 2x/(W-1) - 1.
public func gridSample(
    _ input: Tensor, grid: Tensor, mode: GridSampleMode = .bilinear,
    padding: GridSamplePadding = .zeros, alignCorners: Bool = true
) throws -> Tensor {
    try ATen.gridSampler.call(.tensor(input), .tensor(grid), .int(mode.rawValue), .int(padding.rawValue), .bool(alignCorners))
}
