import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

// Decoded pixels against Pillow's (scripts/fixtures/make_photo_fixtures.py).

@Test func losslessFormatsDecodePixelExact() throws {
    let reference = try Reference()
    let cases: [(file: String, key: String, maxValue: Double, bits: Int)] = [
        ("rgb16.png", "rgb16", 65535, 16), ("rgb16.tif", "rgb16", 65535, 16),
        ("lossless.webp", "lossless_webp", 255, 8),
    ]
    for item in cases {
        let photo = try readPhoto(fixture(item.file))
        #expect(photo.pixels.shape == [3, 23, 37], "\(item.file)")
        #expect(photo.pixels.dtype == .float32)
        #expect(photo.bitDepth == item.bits, "\(item.file)")
        #expect(try maxAbsDiff(photo.pixels, reference.planar(item.key, maxValue: item.maxValue)) == 0, "\(item.file)")
    }
}

@Test func greyBecomesThreeEqualChannels() throws {
    let reference = try Reference()
    for (file, key, maxValue, bits) in [("gray8.png", "gray8", 255.0, 8), ("gray16.png", "gray16", 65535.0, 16)] {
        let photo = try readPhoto(fixture(file))
        #expect(photo.pixels.shape == [3, 23, 37])
        #expect(photo.bitDepth == bits)
        let grey = try (reference[key].to(.float32) / maxValue).unsqueeze(0).expand([3, 23, 37])
        #expect(try maxAbsDiff(photo.pixels, grey) == 0, "\(file)")
    }
}

@Test func alphaIsCompositedOntoWhite() throws {
    let rgba = try Reference().planar("rgba")
    let alpha = try rgba.narrow(0, start: 3, length: 1)
    let expected = try rgba.narrow(0, start: 0, length: 3) * alpha + (1 - alpha)
    let photo = try readPhoto(fixture("rgba.png"))
    #expect(photo.pixels.shape == [3, 23, 37])
    #expect(try maxAbsDiff(photo.pixels, expected) < 1e-6)
    // The fully transparent corner is white.
    #expect(try photo.pixels.narrow(1, start: 0, length: 5).narrow(2, start: 0, length: 7).min().item() == 1)
}

/// JPEG through libvips (Debian's libjpeg-turbo) against Pillow (its bundled libjpeg-turbo):
/// the same IDCT and upsampling, so at most one level apart.
@Test(arguments: 1...8) func jpegIsUprightAndMatchesPillow(orientation: Int) throws {
    let reference = try Reference()
    let photo = try readPhoto(fixture("orient\(orientation).jpg"))
    let expected = try reference.planar("orient\(orientation)")
    #expect(photo.pixels.shape == expected.shape)
    // Orientations 5...8 turn a quarter: the stored 37 x 23 comes out 23 x 37.
    #expect(photo.pixels.shape == (orientation >= 5 ? [3, 37, 23] : [3, 23, 37]))
    #expect(try maxAbsDiff(photo.pixels, expected) <= 1.0 / 255 + 1e-7)
    #expect(photo.metadata.exifOrientation == 1)
}

@Test func cmykIsConvertedToRGB() throws {
    let photo = try readPhoto(fixture("cmyk.jpg"))
    #expect(photo.pixels.shape == [3, 8, 8])
    // No ink is near white, full black ink is dark.
    #expect(try photo.pixels.narrow(2, start: 0, length: 3).min().item() > 0.9)
    #expect(try photo.pixels.narrow(2, start: 5, length: 3).max().item() < 0.35)
}

@Test func headerIsReadWithoutDecoding() throws {
    let info = try photoInfo(fixture("orient6.jpg"))
    #expect(info == PhotoInfo(width: 37, height: 23, bands: 3, bitDepth: 8, format: .jpeg, orientation: 6))
    #expect(info.uprightWidth == 23 && info.uprightHeight == 37)
    #expect(try photoInfo(fixture("rgb16.tif")) == PhotoInfo(width: 37, height: 23, bands: 3, bitDepth: 16, format: .tiff))
    #expect(try photoInfo(fixture("rgba.png")).bands == 4)
    #expect(try photoInfo(fixture("lossless.webp")).format == .webp)
    // 600 MP claimed by a 69-byte file: only the header is read.
    let huge = try photoInfo(fixture("huge_header.png"))
    #expect(huge.width == 30000 && huge.height == 20000 && huge.format == .png)
}

@Test func decodingFromMemoryEqualsDecodingTheFile() throws {
    let path = fixture("orient6.jpg")
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let fromMemory = try decodePhoto(bytes, name: "orient6.jpg")
    let fromFile = try readPhoto(path)
    #expect(try maxAbsDiff(fromMemory.pixels, fromFile.pixels) == 0)
    #expect(fromMemory.metadata == fromFile.metadata)
}

@Test func parallelDecodesEqualSerialOnes() throws {
    let files = ["orient1.jpg", "orient6.jpg", "rgb16.png", "rgb16.tif", "gray8.png", "rgba.png", "lossless.webp", "cmyk.jpg"]
    let serial = try files.map { try readPhoto(fixture($0)).pixels }
    let results = ParallelResults(count: files.count * 4)
    DispatchQueue.concurrentPerform(iterations: files.count * 4) { index in
        results.set(index, Result { try readPhoto(fixture(files[index % files.count])).pixels })
    }
    for index in 0..<(files.count * 4) {
        #expect(try maxAbsDiff(results.get(index).get(), serial[index % files.count]) == 0)
    }
}

/// Results written from concurrent iterations, one slot each.
final class ParallelResults: @unchecked Sendable {
    private var slots: [Result<Tensor, any Error>?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Result<Tensor, any Error>) { lock.withLock { slots[index] = value } }
    func get(_ index: Int) throws -> Result<Tensor, any Error> {
        try lock.withLock { try #require(slots[index]) }
    }
}
