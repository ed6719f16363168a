import DSLRTensor

// Order statistics for levels and white balance. Percentiles use exact selection
// (`kthvalue`, linear time) rather than a sort, and follow numpy's default "linear" method
// so auto levels agree with `numpy.percentile`.

/// `numpy.percentile(values, qs)` over all elements of `values` (qs in 0...100).
public func percentiles(_ values: Tensor, _ qs: [Double]) throws -> [Double] {
    let flat = try values.flatten()
    return try orderStatistics(flat, validCount: flat.count, offset: 0, qs)
}

/// `numpy.percentile(values[mask], qs)`; nil when no element is selected.
func percentiles(_ values: Tensor, where mask: Tensor, _ qs: [Double]) throws -> [Double]? {
    let flat = try values.flatten()
    let selected = try mask.flatten()
    let valid = Int(try selected.to(.float64).sum().item())
    guard valid > 0 else { return nil }
    // Unselected elements sort below every selected one, so the k-th selected value is the
    // (unselected + k)-th overall.
    let lowered = try `where`(selected, flat, Tensor.full(flat.shape, -.infinity, dtype: flat.dtype, device: flat.device))
    return try orderStatistics(lowered, validCount: valid, offset: flat.count - valid, qs)
}

/// numpy's linear interpolation between the order statistics around (n - 1) · q / 100.
private func orderStatistics(_ flat: Tensor, validCount n: Int, offset: Int, _ qs: [Double]) throws -> [Double] {
    guard n > 0 else { throw TorchError("percentiles: no values") }
    var cache: [Int: Double] = [:]
    func value(_ rank: Int) throws -> Double {
        if let v = cache[rank] { return v }
        let v = try flat.kthvalue(offset + rank + 1).values.item()
        cache[rank] = v
        return v
    }
    return try qs.map { q in
        guard (0...100).contains(q) else { throw TorchError("percentiles: q must be in 0...100, got \(q)") }
        let position = Double(n - 1) * (q / 100)
        let below = Swift.min(Int(position.rounded(.down)), n - 1)
        let above = Swift.min(below + 1, n - 1)
        let t = position >= Double(n - 1) ? 0 : position - Double(below)
        let (a, b) = try (value(below), value(above))
        // numpy's _lerp: from the nearer end, so t = 1 gives b exactly.
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }
}

/// Rec. 709 weights of R, G and B in luma (of encoded values) and luminance (of linear ones).
let rec709Weights = [0.2126, 0.7152, 0.0722]

/// Rec. 709 luma of encoded RGB ([N, 3, H, W] → [N, 1, H, W]); a single channel is its own luma.
func rec709Luma(_ image: Tensor) throws -> Tensor {
    let channels = image.shape[1]
    if channels == 1 { return image }
    guard channels == 3 else { throw TorchError("luma: expected 1 or 3 channels, got shape \(image.shape)") }
    // Channel by channel: a 1 × 1 convolution or a broadcast reduction is several times slower
    // on a 12 MP photo.
    let (r, g, b) = try (image.narrow(1, start: 0, length: 1), image.narrow(1, start: 1, length: 1), image.narrow(1, start: 2, length: 1))
    return try r * rec709Weights[0] + g * rec709Weights[1] + b * rec709Weights[2]
}

/// The pixels of an NCHW image on a regular grid, at most about `maxPixels` per image: global
/// statistics (percentiles, means) of a 12 MP photo are the same to well under a level from
/// a million pixels, at a twelfth of the cost. Images at or under the budget are used whole.
func statisticsSample(_ image: Tensor, maxPixels: Int = 1 << 20) throws -> Tensor {
    let (h, w) = (image.shape[2], image.shape[3])
    let step = Int((Double(h * w) / Double(maxPixels)).squareRoot().rounded(.up))
    guard step > 1 else { return image }
    return try image.slice(2, step: step).slice(3, step: step)
}
