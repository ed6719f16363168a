import DSLRTensor

/// PyNET's packing of a Bayer mosaic (Ignatov et al., Zurich RAW-to-RGB): each 2×2 cell of an
/// RGGB mosaic becomes one pixel of four half-resolution channels, in this order:
///
/// | channel | position in the cell (row, column) | PyNET's name |
/// | --- | --- | --- |
/// | 0 | (1, 1) | B  |
/// | 1 | (0, 1) | Gb |
/// | 2 | (0, 0) | R  |
/// | 3 | (1, 0) | Gr |
///
/// The one definition of that order: DSLRData's `PyNETBayer` (the Zurich PNGs) and
/// `RawImage.packedBayer` (camera RAW files) both pack through it.
public enum BayerPacking {
    /// For each packed channel, the index of its cell position in `pixelUnshuffle` order
    /// ((0,0), (0,1), (1,0), (1,1)).
    static let packOrder = [3, 1, 0, 2]
    /// The inverse permutation: for each cell position, its packed channel.
    static let unpackOrder = [2, 1, 3, 0]

    /// [N, 1, H, W] with even H and W, cells starting with red, to [N, 4, H/2, W/2].
    public static func pack(_ mosaic: Tensor) throws -> Tensor {
        let index = try Tensor(packOrder.map(Int64.init), shape: [4]).to(mosaic.device)
        return try pixelUnshuffle(mosaic, factor: 2).indexSelect(1, index)
    }

    /// The inverse of `pack`: [N, 4, h, w] to [N, 1, 2h, 2w].
    public static func unpack(_ packed: Tensor) throws -> Tensor {
        let index = try Tensor(unpackOrder.map(Int64.init), shape: [4]).to(packed.device)
        return try pixelShuffle(packed.indexSelect(1, index), factor: 2)
    }
}

/// A RAW image packed for a RAW-to-RGB network, and where its mosaic lies in the packing.
///
/// Packing needs cells that start with red and even sizes. Rather than crop a row or column
/// (and give a result smaller than the camera's image), the mosaic is padded by mirroring:
/// the row above row 0 is a copy of row 1, two rows away and so of the same colour, and
/// likewise for columns and for the bottom and right edges. A BGGR mosaic gains a row and a
/// column at the top left, GRBG a column, GBRG a row; an odd height or width gains one more
/// at the far edge. `cropToMosaic` then removes the padding from the network's result.
public struct PackedBayer: @unchecked Sendable {
    /// [4, h, w] in `BayerPacking`'s order, values normalised to [0, 1].
    public var channels: Tensor
    /// Mosaic rows added above and columns added to the left (0 or 1).
    public var padTop: Int
    public var padLeft: Int
    /// The mosaic's own size.
    public var mosaicHeight: Int
    public var mosaicWidth: Int

    /// A network's result for `channels` ([C, h·s, w·s] or [N, C, h·s, w·s]) cut to the
    /// mosaic's area: s/2 output pixels per mosaic pixel (rounded down when s is odd).
    public func cropToMosaic(_ output: Tensor) throws -> Tensor {
        let (rows, columns) = (output.rank - 2, output.rank - 1)
        let scale = output.shape[rows] / channels.shape[1]
        guard scale >= 1, output.shape[columns] / channels.shape[2] == scale else {
            throw TorchError("cropToMosaic: output \(output.shape) is not a whole multiple of the packing \(channels.shape)")
        }
        return try output.narrow(rows, start: padTop * scale / 2, length: mosaicHeight * scale / 2)
            .narrow(columns, start: padLeft * scale / 2, length: mosaicWidth * scale / 2)
    }
}

extension RawImage {
    /// The normalised mosaic (`normalizedMosaic`) packed in PyNET's channel order, padded so
    /// that every pattern packs as RGGB does (see `PackedBayer`).
    public func packedBayer() throws -> PackedBayer {
        guard height >= 2, width >= 2 else {
            throw TorchError("packedBayer: a \(width)x\(height) mosaic is smaller than one 2×2 cell")
        }
        let (top, left) = pattern.red
        let bottom = (height + top) % 2, right = (width + left) % 2
        var mosaic = try normalizedMosaic().reshape([1, 1, height, width])
        if top + bottom + left + right > 0 {
            mosaic = try mosaic.pad([left, right, top, bottom], mode: .reflect)
        }
        return PackedBayer(
            channels: try BayerPacking.pack(mosaic).squeeze(0), padTop: top, padLeft: left,
            mosaicHeight: height, mosaicWidth: width)
    }
}
