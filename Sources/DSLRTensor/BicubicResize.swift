/// Resizes the [H, W] planes of an NCHW float tensor with PIL's bicubic filter (Keys' cubic
/// with a = -0.5, `Image.resize(..., Image.BICUBIC)` on float images): each output pixel
/// weighs the source pixels within the filter's support around its centre, and at the
/// borders the weights of the pixels that exist are renormalised (no padding). Enlarging
/// needs no antialiasing, so only `height ≥ H` and `width ≥ W` are accepted. PPCN's
/// super-resolution was trained on such enlargements (scipy.misc.imresize, i.e. PIL);
/// libtorch's bicubic uses a = -0.75 and would give the network other inputs.
///
/// The filter is applied as two matrix products (rows, then columns) with matrices built
/// here from PIL's formula, so libtorch does the arithmetic.
public func enlargeBicubic(_ image: Tensor, height: Int, width: Int) throws -> Tensor {
    guard image.rank == 4 else { throw TorchError("enlargeBicubic: expected NCHW, got \(image.shape)") }
    let (h, w) = (image.shape[2], image.shape[3])
    guard height >= h, width >= w, h > 0, w > 0 else {
        throw TorchError("enlargeBicubic: \(h)×\(w) cannot be enlarged to \(height)×\(width)")
    }
    let rows = try bicubicMatrix(from: h, to: height).to(image.device, image.dtype)        // [height, h]
    let columns = try bicubicMatrix(from: w, to: width).to(image.device, image.dtype)      // [width, w]
    return try matmul(rows, matmul(image, columns.transpose(0, 1)))
}

/// PIL's bicubic kernel (a = -0.5).
func pilBicubic(_ x: Double) -> Double {
    let a = -0.5, d = abs(x)
    if d < 1 { return ((a + 2) * d - (a + 3)) * d * d + 1 }
    if d < 2 { return (((d - 5) * d + 8) * d - 4) * a }
    return 0
}

/// The [outSize, inSize] matrix of PIL's bicubic resampling for enlargement
/// (Resample.c's `precompute_coeffs` with filter scale 1).
func bicubicMatrix(from inSize: Int, to outSize: Int) throws -> Tensor {
    let support = 2.0, scale = Double(inSize) / Double(outSize)
    var values = [Float](repeating: 0, count: outSize * inSize)
    for o in 0..<outSize {
        let center = (Double(o) + 0.5) * scale
        // C's (int) conversion truncates toward zero.
        let first = max(Int((center - support + 0.5).rounded(.towardZero)), 0)
        let last = min(Int((center + support + 0.5).rounded(.towardZero)), inSize)
        let weights = (first..<last).map { pilBicubic(Double($0) - center + 0.5) }
        let total = weights.reduce(0, +)
        for (k, weight) in weights.enumerated() {
            values[o * inSize + first + k] = Float(total != 0 ? weight / total : weight)
        }
    }
    return try Tensor(values, shape: [outSize, inSize])
}
