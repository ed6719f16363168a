import DSLRTensor

// Conversions between libvips' interleaved integer samples and DSLRKit's planar float
// tensors, done with whole-tensor libtorch ops (no per-pixel Swift).

/// H×W×C integer samples (C: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA) to float32 [3, H, W]
/// in [0, 1]: samples / maxValue, alpha composited onto white, grey repeated in 3 channels.
/// Public for other decoders (DSLRRaw's LibRaw development) that hand over interleaved samples.
public func rgbPixels(fromInterleaved samples: Tensor, maxValue: Double) throws -> Tensor {
    let channels = samples.shape[2]
    // Widen and reorder in one pass.
    let planar = try samples.permute([2, 0, 1]).to(.float32, memoryFormat: .contiguous)
    try planar.div_(maxValue)
    var colour = planar
    if channels == 2 || channels == 4 {
        let alpha = try planar.narrow(0, start: channels - 1, length: 1)
        colour = try planar.narrow(0, start: 0, length: channels - 1) * alpha + (1 - alpha)
    }
    if colour.shape[0] == 1 {
        colour = try colour.expand([3, colour.shape[1], colour.shape[2]]).contiguous()
    }
    return colour
}

/// float [3, H, W] (any float dtype, any device) to the H×W×3 little-endian bytes of
/// `dtype` (uint8 or int32): clamped to [0, 1], scaled by maxValue, rounded half to even.
func interleavedSamples(_ pixels: Tensor, maxValue: Double, dtype: DType) throws -> [UInt8] {
    let samples = try withNoGrad {
        // clamp makes a new tensor, so the in-place steps never touch the caller's pixels;
        // it is freed when this closure returns, before the bytes are copied out.
        let scaled = try pixels.detach().to(.cpu).clamp(min: 0, max: 1)
        try scaled.mul_(maxValue)
        try scaled.round_()
        return try scaled.permute([1, 2, 0]).to(dtype, memoryFormat: .contiguous)
    }
    return try samples.bytes()
}
