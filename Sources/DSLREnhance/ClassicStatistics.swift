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
    let lowered = try `where`(selected, flat, flat.fullLike(-.infinity))
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

/// Rec. 709 luma of encoded RGB ([N, 3, H, W] → [N, 1, H, W]); a single channel is its own luma.
func luma(_ image: Tensor) throws -> Tensor {
    let channels = image.shape[1]
    if channels == 1 { return image }
    guard channels == 3 else { throw TorchError("luma: expected 1 or 3 channels, got shape \(image.shape)") }
    let weight = try Tensor([0.2126, 0.7152, 0.0722], shape: [1, 3, 1, 1]).to(image.device, image.dtype)
    return try (image * weight).sum(dims: [1], keepDim: true)
}
