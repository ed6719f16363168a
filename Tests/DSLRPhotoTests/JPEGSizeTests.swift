import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

/// Issue 19: a JPEG declaring 81 MP that holds a few kilobytes decoded to grey without an
/// error, and `enhance` then worked on all of it.
@Suite struct JPEGSizeTests {
    /// A small real JPEG with its frame header (SOF0) saying `width`×`height`.
    func jpeg(declaring width: Int, _ height: Int) throws -> [UInt8] {
        let pixels = try Tensor.rand([3, 16, 16])
        var bytes = try encodePhoto(Photo(pixels: pixels), format: .jpeg)
        var offset = 2
        while bytes[offset + 1] != 0xC0 {
            offset += 2 + (Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3]))
        }
        bytes[offset + 5] = UInt8(height >> 8); bytes[offset + 6] = UInt8(height & 0xFF)
        bytes[offset + 7] = UInt8(width >> 8); bytes[offset + 8] = UInt8(width & 0xFF)
        return bytes
    }

    @Test func aJPEGDeclaringFarMorePixelsThanItsBytesCanHoldIsRefusedBeforeDecoding() throws {
        let bytes = try jpeg(declaring: 9000, 9000)
        try withTemporaryFolder { folder in
            let path = folder + "/bomb.jpg"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let error = try photoError { _ = try readPhoto(path) }
            #expect(error.description == "\(path): damaged or truncated: declares 9000x9000 pixels but holds \(bytes.count) bytes, fewer than the 158203 so many pixels need")
            #expect(error.kind == .badInput)
        }
        let upload = try photoError { _ = try decodePhoto(bytes, name: "upload #1") }
        #expect(upload.description.hasPrefix("upload #1: damaged or truncated: declares 9000x9000 pixels"))
    }

    @Test func aJPEGWhoseBytesCanHoldItsPixelsIsDecoded() throws {
        // 64×64 needs 8 bytes at the least; libjpeg pads what is missing, as before.
        let photo = try decodePhoto(try jpeg(declaring: 64, 64), name: "small")
        #expect(photo.pixels.shape == [3, 64, 64])
    }
}
