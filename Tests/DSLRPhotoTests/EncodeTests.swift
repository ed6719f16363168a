import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

@Test(arguments: ["png", "tif"]) func sixteenBitsRoundTripExactly(fileExtension: String) throws {
    let expected = try Reference().planar("rgb16", maxValue: 65535)
    let photo = try readPhoto(fixture("rgb16.png"))
    try withTemporaryFolder { folder in
        let path = "\(folder)/out.\(fileExtension)"
        try writePhoto(photo, to: path)
        #expect(try photoInfo(path).bitDepth == 16)
        let back = try readPhoto(path)
        #expect(back.bitDepth == 16)
        #expect(try maxAbsDiff(back.pixels, expected) == 0)
    }
}

/// One plane (a RAW mosaic of sensor counts, as the Zurich layout stores it) written as a
/// 16-bit grayscale PNG comes back with the same counts in every channel.
@Test func oneChannelSixteenBitPNGKeepsEveryCount() throws {
    let counts = try Tensor((0..<24).map { Float($0 * 2731 % 65536) }, shape: [1, 4, 6])
    let back = try decodePhoto(encodePhoto(Photo(pixels: counts / 65535, bitDepth: 16), format: .png), name: "mosaic")
    #expect(back.bitDepth == 16)
    #expect(try maxAbsDiff((back.pixels.narrow(0, start: 0, length: 1) * 65535).round(), counts) == 0)
}

@Test(arguments: [PhotoFormat.png, .tiff]) func eightBitsRoundTripExactly(format: PhotoFormat) throws {
    let photo = try readPhoto(fixture("orient6.jpg"))
    let back = try decodePhoto(encodePhoto(photo, format: format), name: "8-bit \(format)")
    #expect(back.bitDepth == 8)
    #expect(try maxAbsDiff(back.pixels, photo.pixels) == 0)
    // A 16-bit source written as 8 bits.
    let sixteen = try readPhoto(fixture("rgb16.png"))
    let eight = try decodePhoto(encodePhoto(sixteen, format: format, options: EncodeOptions(bitDepth: 8)), name: "8 of 16")
    #expect(eight.bitDepth == 8)
    #expect(try maxAbsDiff(eight.pixels, sixteen.pixels) <= 0.5 / 255 + 1e-6)
}

@Test func webpLosslessRoundTripsExactly() throws {
    let photo = try readPhoto(fixture("lossless.webp"))
    let back = try decodePhoto(encodePhoto(photo, format: .webp, options: EncodeOptions(lossless: true)), name: "webp")
    #expect(try maxAbsDiff(back.pixels, photo.pixels) == 0)
}

/// Samples are clamped, then rounded to the nearest level (truncation would map 10.6 to 10).
@Test func samplesAreClampedAndRounded() throws {
    let levels: [Float] = [-0.3, 10.4 / 255, 10.6 / 255, 200.5 / 255, 201.5 / 255, 254.7 / 255, 1.7]
    let expected: [UInt8] = [0, 10, 11, 200, 202, 255, 255]  // half to even: 200.5 -> 200, 201.5 -> 202
    let row = try Tensor(levels, shape: [1, 1, levels.count]).expand([3, 2, levels.count]).contiguous()
    let back = try decodePhoto(encodePhoto(Photo(pixels: row), format: .png), name: "levels")
    let decoded = try (back.pixels * 255).round().narrow(1, start: 1, length: 1).narrow(0, start: 2, length: 1)
    #expect(try decoded.toArray(Float.self).map { UInt8($0) } == expected)
    let sixteen = try decodePhoto(
        encodePhoto(Photo(pixels: row), format: .png, options: EncodeOptions(bitDepth: 16)), name: "levels16")
    let decoded16 = try (sixteen.pixels * 65535).round().narrow(0, start: 0, length: 1).narrow(1, start: 0, length: 1)
    let expected16 = levels.map { (min(max($0, 0), 1) * 65535).rounded(.toNearestOrEven) }  // float32, as the encoder
    #expect(try decoded16.toArray(Float.self) == expected16)
}

@Test func qualityAndCompressionChangeTheSize() throws {
    // Smooth, so that deflate has something to find.
    let ramp = try Tensor.linspace(0, 1, count: 96).reshape([1, 1, 96])
    let photo = Photo(pixels: try (ramp * ramp.transpose(1, 2)).expand([3, 96, 96]).contiguous())
    let low = try encodePhoto(photo, format: .jpeg, options: EncodeOptions(quality: 30, keepMetadata: false))
    let high = try encodePhoto(photo, format: .jpeg, options: EncodeOptions(quality: 95, keepMetadata: false))
    #expect(low.count < high.count)
    let lowWebP = try encodePhoto(photo, format: .webp, options: EncodeOptions(quality: 30))
    let highWebP = try encodePhoto(photo, format: .webp, options: EncodeOptions(quality: 95))
    #expect(lowWebP.count < highWebP.count)
    let stored = try encodePhoto(photo, format: .png, options: EncodeOptions(pngCompression: 0))
    let deflated = try encodePhoto(photo, format: .png, options: EncodeOptions(pngCompression: 9))
    #expect(deflated.count < stored.count)
}

/// HEIC needs libheif with an HEVC encoder; without one the error says so.
@Test func heicIsWrittenAndReadOrClearlyRefused() throws {
    let photo = try readPhoto(fixture("orient1.jpg"))
    do {
        let bytes = try encodePhoto(photo, format: .heic, options: EncodeOptions(quality: 90))
        let back = try decodePhoto(bytes, name: "heic")
        #expect(back.pixels.shape == photo.pixels.shape)
        #expect(try (back.pixels - photo.pixels).abs().mean().item() < 0.05)
        let info = try withTemporaryFolder { folder in
            try writePhoto(photo, to: "\(folder)/x.heic")
            return try photoInfo("\(folder)/x.heic")
        }
        #expect(info.format == .heic)
    } catch let error as PhotoError {
        #expect(error.problem == "HEIC is not supported by this libvips build")
    }
}
