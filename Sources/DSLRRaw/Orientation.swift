import DSLRTensor

/// The EXIF orientation (1...8) of LibRaw's `flip` code. LibRaw keeps dcraw's code, whose
/// bits say what to do (4 transpose, 2 flip rows, 1 flip columns) rather than how the image
/// is stored; it reads EXIF orientation n as the n-th digit of "50132467".
func exifOrientation(libRawFlip flip: Int) -> Int {
    [1, 2, 4, 3, 5, 8, 6, 7][flip & 7]
}

/// `image` [..., H, W] turned upright from EXIF `orientation` (1...8), as viewers and
/// DSLRPhoto's decoder do: 2 mirrors left-right, 3 turns half, 4 mirrors top-bottom, 5
/// transposes, 6 turns a quarter clockwise, 7 transposes across the other diagonal, 8 turns
/// a quarter anticlockwise. Any other value leaves it as it is.
public func upright(_ image: Tensor, orientation: Int) throws -> Tensor {
    let (rows, columns) = (image.rank - 2, image.rank - 1)
    switch orientation {
    case 2: return try image.flip([columns])
    case 3: return try image.flip([rows, columns])
    case 4: return try image.flip([rows])
    case 5: return try image.transpose(rows, columns).contiguous()
    case 6: return try image.transpose(rows, columns).flip([columns])
    case 7: return try image.transpose(rows, columns).flip([rows, columns])
    case 8: return try image.transpose(rows, columns).flip([rows])
    default: return image
    }
}
