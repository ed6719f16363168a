private let bicubicAntialiased = Operator("aten::_upsample_bicubic2d_aa")

/// Resizes the [H, W] planes of an NCHW float tensor with PIL's bicubic filter
/// (`Image.resize(..., Image.BICUBIC)` on float images: Keys' cubic with a = −0.5, widened
/// by the scale when shrinking, weights renormalised at the borders). This is libtorch's
/// antialiased bicubic, which follows PIL; its plain bicubic (a = −0.75, no antialiasing)
/// would differ. PPCN's super-resolution was trained on such resamplings (scipy.misc.imresize,
/// i.e. PIL), both to make its ×4-smaller inputs and to enlarge them again; the result is
/// not clamped (cubic overshoot is part of what the network was fed).
public func resizeBicubic(_ image: Tensor, height: Int, width: Int) throws -> Tensor {
    guard image.rank == 4 else { throw TorchError("resizeBicubic: expected NCHW, got \(image.shape)") }
    let (h, w) = (image.shape[2], image.shape[3])
    guard height > 0, width > 0, h > 0, w > 0 else {
        throw TorchError("resizeBicubic: \(h)×\(w) cannot be resized to \(height)×\(width)")
    }
    if (h, w) == (height, width) { return image }
    return try bicubicAntialiased.call(.tensor(image), .ints([height, width]), .bool(false), .none, .none)
}
