import DSLRTensor

/// An enhancement network that maps photos in [0, 1] (N×C×H×W, RGB unless it says otherwise)
/// to RGB in [0, 1], `outputScale` times larger, and tells the tiler what it needs to run tile
/// by tile without seams.
public protocol TileableNetwork {
    /// Pixels of context each output pixel depends on, on each side. A tile whose halo is at
    /// least this wide yields exactly the untiled result in its core.
    var receptiveRadius: Int { get }
    /// Layers whose statistics span the whole image (instance norms), numbered 0..<count in
    /// forward order; each costs the tiler one statistics pass (see `TiledNormState`).
    var normLayerCount: Int { get }
    /// Height and width must be multiples of this (1 for fully convolutional stride-1 nets).
    var sizeMultiple: Int { get }
    /// Output side over input side.
    var outputScale: Int { get }
    /// How many times the photo is enlarged (PIL's bicubic, `resizeBicubic`) before the
    /// network sees it; 1 for most networks, 4 for PPCN's super-resolution.
    var inputUpscale: Int { get }
    /// Channels of the input and of the output.
    var inputChannels: Int { get }
    var outputChannels: Int { get }
    /// Channels of the widest activation, for estimating memory per pixel.
    var widestActivation: Int { get }
    /// The tile side that runs fastest (cache-sized work), when smaller than what memory
    /// allows; nil: as large as memory allows.
    var preferredTile: Int? { get }
    /// Runs the network; `norms` carries whole-photo statistics when running in tiles.
    func enhance(_ x: Tensor, norms: TiledNormState?) throws -> Tensor
    /// Features of the whole photo that every tile needs (e.g. a bilateral grid computed
    /// from a downscaled copy), computed once per photo; nil for networks that see only a
    /// neighbourhood. `photo` is moved to `device` and `dtype` only by networks that use it.
    func photoContext(_ photo: Tensor, device: Device, dtype: DType) throws -> Tensor?
    /// Runs the network on a window of a photo with that photo's context.
    func enhance(_ x: Tensor, norms: TiledNormState?, context: PhotoContext) throws -> Tensor
    /// Moves the weights (inference only) to a device and dtype.
    func move(to device: Device, dtype: DType?) throws
}

/// A photo's context as one tile sees it: the whole photo's features and where the tile's
/// window lies in the photo (the tiler's padded photo).
public struct PhotoContext: @unchecked Sendable {
    public var features: Tensor
    public var window: PixelRect
    public var photoHeight: Int
    public var photoWidth: Int
    public init(features: Tensor, window: PixelRect, photoHeight: Int, photoWidth: Int) {
        self.features = features; self.window = window; self.photoHeight = photoHeight; self.photoWidth = photoWidth
    }
}

extension TileableNetwork {
    /// `image` [N, C, H, W] padded at the bottom and right, edge pixels repeated, to multiples
    /// of the network's `sizeMultiple` (itself when it already fits).
    public func paddedToMultiple(_ image: Tensor) throws -> Tensor {
        let m = max(sizeMultiple, 1), (h, w) = (image.shape[2], image.shape[3])
        let (height, width) = ((h + m - 1) / m * m, (w + m - 1) / m * m)
        return (height, width) == (h, w) ? image : try image.pad([0, width - w, 0, height - h], mode: .replicate)
    }

    /// The network's output for the whole photo at once: padded to the size multiple, run, the
    /// padding cropped (what the held-out evaluation during training uses).
    public func runWhole(_ photo: Tensor, _ forward: (Tensor) throws -> Tensor) throws -> Tensor {
        let (h, w) = (photo.shape[2], photo.shape[3]), s = totalScale
        let out = try forward(paddedToMultiple(input(for: photo)))
        guard out.shape[2] != h * s || out.shape[3] != w * s else { return out }
        return try out.narrow(2, start: 0, length: h * s).narrow(3, start: 0, length: w * s).contiguous()
    }

    public func photoContext(_ photo: Tensor, device: Device, dtype: DType) throws -> Tensor? { nil }
    public func enhance(_ x: Tensor, norms: TiledNormState?, context: PhotoContext) throws -> Tensor {
        try enhance(x, norms: norms)
    }
    public var sizeMultiple: Int { 1 }
    public var outputScale: Int { 1 }
    public var inputUpscale: Int { 1 }
    public var inputChannels: Int { 3 }
    public var outputChannels: Int { 3 }
    public var widestActivation: Int { 64 }
    public var preferredTile: Int? { nil }

    /// Estimated bytes per pixel held during a forward pass without gradients: about four
    /// activations of the widest layer alive at once (measured 3.5 for DPED in PyTorch),
    /// counted at 4 bytes even for bf16/fp16, whose runs also hold float32 statistics and
    /// outputs (sizing bf16 tiles by 2 bytes overshot a 2 GiB limit by half).
    public func activationBytesPerPixel(dtype: DType) -> Int { 4 * widestActivation * Swift.max(dtype.byteSize, 4) }
}

extension TileableNetwork {
    /// How many times larger the result is than the photo: the bicubic enlargement times the
    /// network's own output scale (`ArchitectureContract.totalScale` for built networks).
    public var totalScale: Int { max(outputScale, 1) * max(inputUpscale, 1) }

    /// What the network is given for a photo: the photo itself, or for a network with
    /// `inputUpscale` k its bicubic enlargement ×k (PIL's filter, `resizeBicubic`), the same in
    /// training, evaluation and inference.
    public func input(for photo: Tensor) throws -> Tensor {
        let k = inputUpscale
        guard k > 1 else { return photo }
        return try withNoGrad { try resizeBicubic(photo, height: photo.shape[2] * k, width: photo.shape[3] * k) }
    }
}
