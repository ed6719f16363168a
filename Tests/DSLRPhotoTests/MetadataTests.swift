import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

@Test func metadataIsReadAndOrientationReset() throws {
    let reference = try Reference()
    #expect(try photoInfo(fixture("orient6.jpg")).orientation == 6)
    let metadata = try readPhoto(fixture("orient6.jpg")).metadata
    let exif = try #require(metadata.exif)
    // A TIFF structure without JPEG's "Exif\0\0" prefix, camera tags intact.
    #expect(exif.starts(with: Array("II".utf8)) || exif.starts(with: Array("MM".utf8)))
    #expect(contains(exif, "Fixture camera"))
    #expect(metadata.exifOrientation == 1)
    #expect(try metadata.icc == reference.bytes("icc"))
    #expect(try metadata.xmp == reference.bytes("xmp"))
}

/// Each format's writer carries the metadata through a write and a read. libvips 8.14's
/// TIFF writer stores ICC and XMP but no EXIF, so EXIF is checked for the others only.
@Test(arguments: ["jpg", "png", "webp", "tif"]) func metadataSurvivesAWriteAndARead(fileExtension: String) throws {
    let reference = try Reference()
    let photo = try readPhoto(fixture("orient6.jpg"))
    try withTemporaryFolder { folder in
        let path = "\(folder)/out.\(fileExtension)"
        try writePhoto(photo, to: path)
        let back = try readPhoto(path).metadata
        if fileExtension != "tif" {
            #expect(back.exifOrientation == 1)
            #expect(contains(back.exif, "Fixture camera"))
        }
        #expect(try back.icc == reference.bytes("icc"))
        #expect(contains(back.xmp, "dslrkit:fixture=\"photo-io\""))
        #expect(try photoInfo(path).orientation == 1)
    }
}

/// libvips 8.14's WebP writer ignores `strip` and adds a minimal EXIF block of its own
/// (resolution, size); none of the source's metadata goes in.
@Test func metadataCanBeLeftOut() throws {
    let photo = try readPhoto(fixture("orient6.jpg"))
    for format in PhotoFormat.allCases where format != .heic {
        let bytes = try encodePhoto(photo, format: format, options: EncodeOptions(keepMetadata: false))
        let back = try decodePhoto(bytes, name: "stripped").metadata
        #expect(back.icc == nil && back.xmp == nil, "\(format)")
        #expect(format == .webp ? !contains(back.exif, "Fixture camera") : back.exif == nil, "\(format)")
    }
}
