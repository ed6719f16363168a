import DSLRTensor

private let bilinearAntialiased = Operator("aten::_upsample_bilinear2d_aa")

/// Shrinks [3, H, W] (or [N, 3, H, W]) so its longer side is at most `maxSide`, with an
/// antialiased bilinear filter (a plain bilinear one aliases fine detail when shrinking
/// several times); smaller images are returned unchanged.
public func shrink(_ image: Tensor, maxSide: Int) throws -> Tensor {
    let (h, w) = (image.shape[image.rank - 2], image.shape[image.rank - 1])
    guard max(h, w) > maxSide else { return image }
    let scale = Double(maxSide) / Double(max(h, w))
    return try resizeAntialiased(
        image, height: max(1, Int((Double(h) * scale).rounded())), width: max(1, Int((Double(w) * scale).rounded())))
}

/// Resizes [C, H, W] or [N, C, H, W] with libtorch's antialiased bilinear filter (PIL's
/// bilinear resampling), clamped to [0, 1].
public func resizeAntialiased(_ image: Tensor, height: Int, width: Int) throws -> Tensor {
    guard height > 0, width > 0 else { throw DataError("resize: target size \(width)×\(height) is empty") }
    let batched = image.rank == 4 ? image : try image.unsqueeze(0)
    let out = try bilinearAntialiased.call(.tensor(batched), .ints([height, width]), .bool(false), .none, .none)
        .clamp(min: 0, max: 1)
    return image.rank == 4 ? out : try out.squeeze(0)
}
