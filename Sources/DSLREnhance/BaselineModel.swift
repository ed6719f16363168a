import DSLRTensor

/// The classic enhancer with its default settings, on [1, 3, H, W] pixels in [0, 1]: the
/// model named "classic".
func runClassicBaseline(_ image: Tensor) throws -> Tensor {
    try ClassicEnhancer(config: .default)(image)
}
