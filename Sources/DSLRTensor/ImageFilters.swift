import Foundation

// Image filters shared by the modules above the engine (the classic enhancer, data
// degradation, alignment), so there is one Gaussian blur in the package.

/// Gaussian blur of each [H, W] plane of an NCHW tensor, as
/// `scipy.ndimage.gaussian_filter(plane, sigma, mode="reflect", truncate=truncate)`:
/// a normalised kernel of radius `Int(truncate · sigma + 0.5)`, rows then columns, borders
/// mirrored with the edge sample repeated (`border: .mirror` mirrors about the edge sample,
/// as scipy's `mode="mirror"` and torch's `reflect` padding).
public func gaussianBlur(_ image: Tensor, sigma: Double, truncate: Double = 4, border: BlurBorder = .reflect) throws -> Tensor {
    let shape = image.shape
    guard shape.count == 4 else { throw TorchError("gaussianBlur: expected NCHW, got shape \(shape)") }
    guard sigma > 0 else { return image }
    let radius = Int(truncate * sigma + 0.5)
    let taps = (-radius...radius).map { exp(-0.5 / (sigma * sigma) * Double($0 * $0)) }
    let total = taps.reduce(0, +)
    let kernel = taps.map { $0 / total }
    let planes = try image.reshape([-1, 1, shape[2], shape[3]])
    // Down the columns (scipy's axis 0) first, as a blur along the width of the transpose.
    let vertical = try blurAlongWidth(planes.transpose(2, 3).contiguous(), kernel: kernel, border: border).transpose(2, 3)
    return try blurAlongWidth(vertical.contiguous(), kernel: kernel, border: border).reshape(shape)
}

/// Correlates every row of [P, 1, H, W] planes with a 1-D kernel (odd length). Each row is one
/// channel of a depthwise convolution, which libtorch runs several times faster than a
/// single-channel K × 1 convolution.
private func blurAlongWidth(_ planes: Tensor, kernel: [Double], border: BlurBorder) throws -> Tensor {
    let shape = planes.shape
    let (rows, w) = (shape[0] * shape[2], shape[3])
    let radius = kernel.count / 2
    let index = try Tensor((-radius..<(w + radius)).map { Int64(border.index($0, w)) }).to(planes.device)
    let padded = try planes.reshape([1, rows, 1, w]).indexSelect(3, index)
    let weight = try Tensor(kernel, shape: [1, 1, 1, kernel.count]).to(planes.device, planes.dtype)
        .expand([rows, 1, 1, kernel.count]).contiguous()
    return try conv2d(padded, weight: weight, groups: rows).reshape(shape)
}

/// scipy's `reflect` border: the index in 0..<n that position i mirrors to, edge included.
public func symmetricIndex(_ i: Int, _ n: Int) -> Int {
    let period = 2 * n
    var m = i % period
    if m < 0 { m += period }
    return m < n ? m : period - 1 - m
}

/// How a filter reads beyond the image, named as scipy.ndimage names them.
public enum BlurBorder: Sendable {
    /// d c b a | a b c d | d c b a (edge repeated).
    case reflect
    /// d c b | a b c d | c b a (mirrored about the edge sample).
    case mirror

    /// The index in 0..<n that position i reads.
    public func index(_ i: Int, _ n: Int) -> Int {
        switch self {
        case .reflect: return symmetricIndex(i, n)
        case .mirror:
            guard n > 1 else { return 0 }
            let period = 2 * n - 2
            var m = i % period
            if m < 0 { m += period }
            return m < n ? m : period - m
        }
    }
}
