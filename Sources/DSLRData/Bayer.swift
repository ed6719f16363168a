import DSLRRaw
import DSLRTensor

/// The raw-to-RGB packing of PyNET (Ignatov et al., Zurich RAW-to-RGB dataset).
///
/// The Zurich raw PNGs hold 10-bit sensor counts (0...1023) in a single 16-bit channel laid
/// out as an RGGB Bayer pattern. PyNET packs each 2×2 cell into 4 channels in the order
/// `BayerPacking` (DSLRRaw) defines — B, Gb, R, Gr — and divides by 4 × 255 = 1020 (not
/// 1023), so a saturated pixel is slightly above 1.
public enum PyNETBayer {
    /// PyNET's divisor: `4 * 255`.
    public static let scale = 1020.0

    /// Packs raw counts [H, W], [1, H, W] or [N, 1, H, W] into float [4, H/2, W/2]
    /// (or [N, 4, H/2, W/2]) divided by 1020. An odd last row or column is dropped, as the
    /// 2×2 cells need even sizes.
    public static func pack(_ raw: Tensor) throws -> Tensor {
        let shape = raw.shape
        guard shape.count >= 2, shape.count <= 4, shape.dropLast(2).allSatisfy({ $0 == 1 }) || shape.count == 4 else {
            throw DataError("packBayer: expected [H, W], [1, H, W] or [N, 1, H, W], got \(shape)")
        }
        let h = shape[shape.count - 2] / 2 * 2, w = shape[shape.count - 1] / 2 * 2
        guard h > 0, w > 0 else { throw DataError("packBayer: image \(shape) is smaller than one 2×2 cell") }
        let batch = shape.count == 4 ? shape[0] : 1
        if shape.count == 4, shape[1] != 1 { throw DataError("packBayer: expected one channel, got \(shape)") }
        let x = try raw.reshape([batch, 1, shape[shape.count - 2], shape[shape.count - 1]])
            .narrow(2, start: 0, length: h).narrow(3, start: 0, length: w).to(.float32)
        let packed = try BayerPacking.pack(x) / scale
        return shape.count == 4 ? packed : try packed.squeeze(0)
    }

    /// The inverse of `pack`: [4, h, w] (or [N, 4, h, w]) to raw counts [1, 2h, 2w]
    /// (or [N, 1, 2h, 2w]) as float.
    public static func unpack(_ packed: Tensor) throws -> Tensor {
        let batched = packed.rank == 4
        guard packed.rank == 3 || batched, packed.shape[packed.rank - 3] == 4 else {
            throw DataError("unpackBayer: expected [4, h, w] or [N, 4, h, w], got \(packed.shape)")
        }
        let x = batched ? packed : try packed.unsqueeze(0)
        let raw = try BayerPacking.unpack(x) * scale
        return batched ? raw : try raw.squeeze(0)
    }

    /// Raw counts from a decoded 16-bit single-channel PNG (DSLRPhoto gives [3, H, W] in
    /// [0, 1], the gray channel replicated): channel 0 × 65535, rounded.
    public static func counts(fromDecoded pixels: Tensor) throws -> Tensor {
        try (pixels.select(0, 0) * 65535).round()
    }
}

extension PyNETBayer {
    /// PyNET's training target for pyramid `level` (0...5) from a full-resolution target
    /// [3, H, W] or [N, 3, H, W]: shrunk by 2^level (PyNET's `dslr_scale / 2` with
    /// `dslr_scale = 1 / 2^(level - 1)`) with an antialiased bilinear filter, as PIL's
    /// bilinear `resize` does; sizes are truncated as PyNET's `imresize` does. PyNET rounds
    /// the result to 8 bits; this keeps it in float.
    public static func target(_ image: Tensor, level: Int) throws -> Tensor {
        guard (0...5).contains(level) else { throw DataError("PyNET level \(level): expected 0 to 5") }
        if level == 0 { return image }
        let factor = 1 << level
        let (h, w) = (image.shape[image.rank - 2], image.shape[image.rank - 1])
        return try resizeAntialiased(image, height: h / factor, width: w / factor)
    }
}
