import DSLRTensor

// The SSIM colour conventions papers use, and the one-call summary `dslr metrics` and the
// evaluation loop print.

/// Which signal SSIM compares for a colour image.
public enum SSIMChannels: String, Sendable, CaseIterable {
    /// Every channel on its own, averaged with equal weight (skimage's `channel_axis`).
    case perChannel = "rgb"
    /// TensorFlow's `rgb_to_grayscale` luma (0.2989, 0.5870, 0.1140), DPED's convention.
    case luma
    /// BT.601 Y of Y'CbCr, (16 + 65.481 R + 128.553 G + 24.966 B) / 255 for RGB in [0, 1]
    /// (skimage's `rgb2ycbcr` / 255 and MATLAB's `rgb2ycbcr`), the super-resolution convention.
    case y
}

/// BT.601 Y of Y'CbCr for NCHW RGB in [0, 1], scaled back to [16/255, 235/255].
public func bt601Y(_ rgb: Tensor) throws -> Tensor {
    guard rgb.rank == 4, rgb.shape[1] == 3 else {
        throw TorchError("bt601Y: expected an NCHW tensor with 3 channels, got shape \(rgb.shape)")
    }
    let weight = try Tensor([65.481 / 255, 128.553 / 255, 24.966 / 255], shape: [1, 3, 1, 1]).to(rgb.device, rgb.dtype)
    return try conv2d(rgb, weight: weight) + 16.0 / 255
}

/// skimage-style SSIM (see `ssimPerImage`) of each image on the chosen signal.
///
/// - Parameters:
///   - a, b: NCHW RGB images in [0, dataRange] (any channel count for `.perChannel`).
///   - dataRange: 1 or 255. For `.y` the images must be in [0, 1] (the offset 16/255 assumes it).
/// - Returns: shape [N], differentiable.
public func ssimPerImage(_ a: Tensor, _ b: Tensor, dataRange: Double = 1, on channels: SSIMChannels) throws -> Tensor {
    switch channels {
    case .perChannel: return try ssimPerImage(a, b, dataRange: dataRange)
    case .luma: return try ssimPerImage(grayscale(a), grayscale(b), dataRange: dataRange)
    case .y:
        guard dataRange == 1 else { throw TorchError("ssimPerImage: the Y channel needs images in [0, 1], got dataRange \(dataRange)") }
        return try ssimPerImage(bt601Y(a), bt601Y(b), dataRange: 1)
    }
}

/// PSNR, SSIM and MS-SSIM of a batch in one call, in float64 without autograd: what
/// `dslr metrics` and evaluation print.
///
/// Keys: `psnr` (dB over the whole batch), `ssim` (skimage convention, per channel),
/// `ssim_luma` (DPED's grayscale), `ms_ssim` (pytorch-msssim; only when the shorter side
/// exceeds 160 pixels, which it requires), `ms_ssim_dped` (DPED's variant, any size).
///
/// - Parameters:
///   - output: Enhanced images, NCHW RGB in [0, dataRange].
///   - target: Reference images of the same shape.
///   - dataRange: 1 for [0, 1] images, 255 for 8-bit values.
///   - shave: For super-resolution, adds `psnr_y`: PSNR of BT.601 Y (`bt601Y`) with this many
///     pixels cut from every border, the figure SR papers report (the shave is the scale).
public func qualityMetrics(output: Tensor, target: Tensor, dataRange: Double = 1, shave: Int? = nil) throws -> [String: Double] {
    try requireSameShape(output, target, "qualityMetrics")
    guard output.rank == 4, output.shape[1] == 3 else {
        throw TorchError("qualityMetrics: expected NCHW RGB tensors, got shape \(output.shape)")
    }
    return try withNoGrad {
        let x = try output.to(.float64), y = try target.to(.float64)
        var result: [String: Double] = [
            "psnr": try psnr(y, x, dataRange: dataRange),
            "ssim": try ssimPerImage(x, y, dataRange: dataRange).mean().item(),
            "ssim_luma": try ssimPerImage(x, y, dataRange: dataRange, on: .luma).mean().item(),
            "ms_ssim_dped": try dpedMultiScaleSSIM(x, y, maxValue: dataRange).item(),
        ]
        if min(x.shape[2], x.shape[3]) > 160 {
            result["ms_ssim"] = try msssim(x, y, dataRange: dataRange).item()
        }
        if let shave { result["psnr_y"] = try psnrY(y / dataRange, x / dataRange, shave: shave) }
        return result
    }
}
