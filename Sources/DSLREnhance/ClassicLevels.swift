import DSLRTensor

/// Maps `black`...`white` to 0...1 and clips, like
/// `skimage.exposure.rescale_intensity(x, in_range=(black, white))` for float images.
public func contrastStretch(_ image: Tensor, black: Double, white: Double) throws -> Tensor {
    guard white > black else {
        throw TorchError("contrastStretch: white point \(white) must be above black point \(black)")
    }
    return try (image.clamp(min: black, max: white) - black) / (white - black)
}

/// Auto levels on NCHW images: per image, black and white points at the luminance
/// percentiles of `settings`, limited to `settings.maxGain`, applied to every channel.
public func autoLevels(_ image: Tensor, _ settings: ClassicConfig.Levels) throws -> Tensor {
    guard settings.lowPercentile < settings.highPercentile, settings.maxGain >= 1 else {
        throw TorchError("autoLevels: need lowPercentile < highPercentile and maxGain >= 1, got \(settings)")
    }
    let images = try (0..<image.shape[0]).map { n in
        let x = try image.narrow(0, start: n, length: 1)
        let points = try percentiles(luma(x), [settings.lowPercentile, settings.highPercentile])
        let (black, white) = levelPoints(black: points[0], white: points[1], maxGain: settings.maxGain)
        return try contrastStretch(x, black: black, white: white)
    }
    return try cat(images, dim: 0)
}

/// Widens black...white around its middle to at least 1 / maxGain, kept inside 0...1.
func levelPoints(black: Double, white: Double, maxGain: Double) -> (Double, Double) {
    let minimumRange = 1 / maxGain
    guard white - black < minimumRange else { return (black, white) }
    let middle = (black + white) / 2
    let low = Swift.min(Swift.max(middle - minimumRange / 2, 0), 1 - minimumRange)
    return (low, low + minimumRange)
}
