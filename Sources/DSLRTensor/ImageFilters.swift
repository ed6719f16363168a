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
    let (h, w) = (shape[2], shape[3])
    let planes = try image.reshape([-1, 1, h, w])
    let device = image.device
    let column = try Tensor(kernel, shape: [1, 1, kernel.count, 1]).to(device, image.dtype)
    let row = try Tensor(kernel, shape: [1, 1, 1, kernel.count]).to(device, image.dtype)
    let rows = try Tensor((-radius..<(h + radius)).map { Int64(border.index($0, h)) }).to(device)
    let cols = try Tensor((-radius..<(w + radius)).map { Int64(border.index($0, w)) }).to(device)
    let vertical = try conv2d(planes.indexSelect(2, rows), weight: column)
    let blurred = try conv2d(vertical.indexSelect(3, cols), weight: row)
    return try blurred.reshape(shape)
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
