import DSLRData
import DSLRPhoto
@testable import DSLRRaw
import DSLRTensor
import Foundation
import Testing

/// The DNGs written by scripts/fixtures/make_dng_fixture.py (PiDNG) read back through LibRaw.
@Suite struct RawDecodeTests {
    @Test(arguments: ["rggb", "gbrg"]) func mosaicIsTheOneWrittenBitForBit(name: String) throws {
        let raw = try readRaw(fixture("\(name).dng"))
        let written = try expected("\(name).mosaic")
        #expect(raw.mosaic.shape == written.shape)
        #expect(raw.mosaic.dtype == .float32)
        #expect(try raw.mosaic.to(.int32).equal(written))
    }

    @Test func levelsPatternBalanceAndMatricesAreTheFilesRGGB() throws {
        try checkMetadata("rggb", pattern: .rggb, orientation: 1)
    }

    @Test func levelsPatternBalanceAndMatricesAreTheFilesGBRG() throws {
        // A black level per cell position (BlackLevelRepeatDim 2×2).
        try checkMetadata("gbrg", pattern: .gbrg, orientation: 6)
    }

    private func checkMetadata(_ name: String, pattern: CFAPattern, orientation: Int) throws {
        let raw = try readRaw(fixture("\(name).dng"))
        #expect(raw.pattern == pattern)
        #expect(raw.info.sensor == .bayer(pattern))
        #expect(raw.info.orientation == orientation)
        #expect(raw.blackLevels == (try expectedValues("\(name).black")))
        #expect(raw.whiteLevel == (try expectedValues("\(name).white"))[0])
        // As-shot multipliers are the reciprocal of AsShotNeutral, green 1.
        let neutral = try expectedValues("\(name).neutral")
        #expect(maxAbsDiff(raw.whiteBalance, neutral.map { neutral[1] / $0 }) < 1e-5, "\(raw.whiteBalance)")
        #expect(maxAbsDiff(raw.xyzToCamera ?? [], try expectedValues("\(name).xyz_to_camera")) < 1e-6)
        #expect(maxAbsDiff(raw.cameraToSRGB, try expectedValues("\(name).camera_to_srgb")) < 1e-5, "\(raw.cameraToSRGB)")
        #expect(raw.info.capture.make == "DSLRKit")
        #expect(raw.info.capture.model == (name == "rggb" ? "Fixture RGGB" : "Fixture GBRG"))
    }

    @Test func captureSettingsComeFromTheEXIFIFD() throws {
        let capture = try rawInfo(fixture("rggb.dng")).capture
        #expect(capture == CaptureInfo(
            make: "DSLRKit", model: "Fixture RGGB", exposureTime: Double(Float(1.0 / 125)), fNumber: Double(Float(2.8)),
            iso: 200, focalLength: 4.5, date: "2024:05:06 07:08:09"))
        // gbrg.dng says nothing about the shot.
        #expect(try rawInfo(fixture("gbrg.dng")).capture == CaptureInfo(make: "DSLRKit", model: "Fixture GBRG"))
    }

    @Test func headerGivesSizeOrientationAndSensor() throws {
        let info = try rawInfo(fixture("gbrg.dng"))
        #expect((info.width, info.height, info.orientation) == (63, 46, 6))
        #expect((info.uprightWidth, info.uprightHeight) == (46, 63))
        #expect(try rawInfo(fixture("linear.dng")).sensor == .fullColour)
    }

    @Test func normalisedMosaicSubtractsEachPositionsBlack() throws {
        let raw = try readRaw(fixture("gbrg.dng"))
        let normalized = try raw.normalizedMosaic()
        let counts = try raw.mosaic.toArray(Float.self), values = try normalized.toArray(Float.self)
        for (row, column) in [(0, 0), (0, 1), (1, 0), (1, 1), (7, 12), (45, 62)] {
            let black = raw.blackLevels[row % 2 * 2 + column % 2]
            let count = Double(counts[row * raw.width + column])
            let want = min(max((count - black) / (raw.whiteLevel - black), 0), 1)
            #expect(abs(Double(values[row * raw.width + column]) - want) < 1e-6, "(\(row), \(column))")
        }
        #expect(try normalized.min().item() as Double == 0)
        #expect(try normalized.max().item() as Double == 1)
    }

    @Test func rggbPacksExactlyAsPyNETBayer() throws {
        let raw = try readRaw(fixture("rggb.dng"))
        let packed = try raw.packedBayer()
        #expect((packed.padTop, packed.padLeft) == (0, 0))
        #expect(packed.channels.shape == [4, 24, 32])
        // PyNETBayer packs counts / 1020; the same order on the normalised mosaic.
        let pynet = try PyNETBayer.pack(raw.normalizedMosaic() * PyNETBayer.scale)
        #expect(try maxAbsDiff(packed.channels, pynet) < 1e-6)
        // Channel 2 is red: the cell's top-left pixels.
        let red = try raw.normalizedMosaic().slice(0, step: 2).slice(1, step: 2)
        #expect(try packed.channels.select(0, 2).equal(red))
    }

    /// GBRG has red in its second row: one mirrored row on top brings red to the cell's top
    /// left, one more at the bottom makes the height even, one column at the right the width.
    @Test func gbrgIsShiftedByAMirroredRow() throws {
        let raw = try readRaw(fixture("gbrg.dng"))
        let packed = try raw.packedBayer()
        #expect((packed.padTop, packed.padLeft) == (1, 0))
        #expect(packed.channels.shape == [4, 24, 32])
        let mosaic = try raw.normalizedMosaic()
        let unpacked = try BayerPacking.unpack(packed.channels.unsqueeze(0)).squeeze(0).squeeze(0)
        #expect(try unpacked.narrow(0, start: 1, length: 46).narrow(1, start: 0, length: 63).equal(mosaic))
        #expect(try unpacked.select(0, 0).narrow(0, start: 0, length: 63).equal(mosaic.select(0, 1)))
        // Red (channel 2) is mosaic row 2i−1, column 2j: GBRG's red positions.
        let red = try mosaic.slice(0, start: 1, step: 2).slice(1, step: 2)
        #expect(try packed.channels.select(0, 2).narrow(0, start: 1, length: 23).equal(red))
        // Blue (channel 0) is mosaic row 2i, column 2j+1.
        let blue = try mosaic.slice(0, step: 2).slice(1, start: 1, step: 2)
        #expect(try packed.channels.select(0, 0).narrow(0, start: 0, length: 23).narrow(1, start: 0, length: 31).equal(blue))
    }

    @Test func cropToMosaicUndoesThePadding() throws {
        let packed = try readRaw(fixture("gbrg.dng")).packedBayer()
        let output = try Tensor.rand([3, 48, 64])
        let cropped = try packed.cropToMosaic(output)
        #expect(cropped.shape == [3, 46, 63])
        #expect(try cropped.equal(output.narrow(1, start: 1, length: 46).narrow(2, start: 0, length: 63)))
        #expect(try packed.cropToMosaic(Tensor.rand([3, 24, 32])).shape == [3, 23, 31])
    }

    /// LibRaw's own rotation of its development, for all eight of its orientation codes,
    /// equals `upright` applied to its unrotated development: the model path turns images
    /// upright with the same rule as LibRaw.
    @Test func uprightMatchesLibRawsOwnRotation() throws {
        let file = try LibRawFile(fixture("gbrg.dng"))
        try file.unpack()
        let options = LibRawDevelopOptions(bitDepth: 8)
        let asStored = try file.develop(libRawSettings(options, flip: 0)).permute([2, 0, 1])
        for flip in 0..<8 {
            let byLibRaw = try file.develop(libRawSettings(options, flip: flip)).permute([2, 0, 1])
            let ours = try upright(asStored, orientation: exifOrientation(libRawFlip: flip))
            #expect(ours.shape == byLibRaw.shape, "flip \(flip)")
            #expect(try ours.equal(byLibRaw), "flip \(flip)")
        }
    }

    @Test func libRawDevelopmentIsUprightWithTheShotsEXIF() throws {
        let photo = try developWithLibRaw(fixture("gbrg.dng"), options: LibRawDevelopOptions(bitDepth: 16))
        #expect(photo.pixels.shape == [3, 63, 46])
        #expect(photo.bitDepth == 16)
        // The EXIF survives JPEG encoding (libvips rewrites it through libexif).
        let developed = try developWithLibRaw(fixture("rggb.dng"), options: LibRawDevelopOptions(bitDepth: 8))
        #expect(developed.pixels.shape == [3, 48, 64])
        let decoded = try decodePhoto(encodePhoto(developed, format: .jpeg), name: "rggb.jpg")
        let entries = exifEntries(decoded.metadata.exif ?? [])
        #expect(entries[0x010F] == "DSLRKit")
        #expect(entries[0x0110] == "Fixture RGGB")
        #expect(entries[0x0112] == "1")
        #expect(entries[0x829A] == "1/125")
        #expect(entries[0x829D] == "14/5")
        #expect(entries[0x8827] == "200")
        #expect(entries[0x9003] == "2024:05:06 07:08:09")
        #expect(entries[0x920A] == "9/2")
    }

    @Test func nonBayerSensorsAreDevelopedButNotReadAsMosaics() throws {
        let path = fixture("linear.dng")
        #expect(try developWithLibRaw(path).pixels.shape == [3, 24, 32])
        let error = try #require(throws: PhotoError.self) { try readRaw(path) }
        #expect(error.kind == .unsupported)
        #expect(error.description == "\(path): has full-colour pixels (Foveon, linear DNG or sRAW), not a Bayer mosaic: RAW models take Bayer mosaics only (without a model, LibRaw develops it)")
    }

    @Test func pixelLimitIsCheckedBeforeThePixelData() throws {
        let path = fixture("rggb.dng")
        for attempt in [{ _ = try readRaw(path, options: DecodeOptions(maxPixels: 3000)) },
                        { _ = try developWithLibRaw(path, decode: DecodeOptions(maxPixels: 3000)) }] {
            let error = try #require(throws: PhotoError.self) { try attempt() }
            #expect(error.kind == .tooLarge)
            #expect(error.description.hasPrefix("\(path): 64x48 pixels (0.0 MP) exceed the limit"), "\(error)")
        }
    }

    @Test func badFilesAreOneLineErrorsNamingThem() throws {
        try withTemporaryFolder { folder in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture("rggb.dng")))
            let truncated = folder + "/truncated.dng", garbage = folder + "/garbage.nef", empty = folder + "/empty.cr2"
            try bytes.prefix(4000).write(to: URL(fileURLWithPath: truncated))
            try Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).write(to: URL(fileURLWithPath: garbage))
            try Data().write(to: URL(fileURLWithPath: empty))
            let cases: [(String, ErrorKind, String)] = [
                (truncated, .badInput, "damaged or truncated"),
                (garbage, .badInput, "not a RAW file LibRaw can read"),
                (empty, .badInput, "empty, not a RAW file"),
                (folder + "/missing.dng", .notFound, "no such file"),
                (folder, .badInput, "is a folder"),
            ]
            for (path, kind, words) in cases {
                for read in [{ _ = try readRaw(path) }, { _ = try developWithLibRaw(path) }] {
                    let error = try #require(throws: PhotoError.self) { try read() }
                    #expect(error.kind == kind, "\(path)")
                    #expect(error.description.hasPrefix("\(path): \(words)"), "\(error)")
                    #expect(!error.description.contains("\n"))
                }
            }
        }
    }
}

@Suite struct CaptureExifTests {
    @Test func writesEveryKnownFieldAndOrientationOne() {
        let capture = CaptureInfo(make: "Maker", model: "Model X", exposureTime: 2.5, fNumber: 1.8, iso: 3200,
                                  focalLength: 35, date: "2023:01:02 03:04:05")
        let entries = exifEntries(capture.exif())
        #expect(entries[0x010F] == "Maker" && entries[0x0110] == "Model X" && entries[0x0112] == "1")
        #expect(entries[0x0132] == "2023:01:02 03:04:05" && entries[0x9003] == "2023:01:02 03:04:05")
        #expect(entries[0x829A] == "5/2" && entries[0x829D] == "9/5" && entries[0x8827] == "3200" && entries[0x920A] == "35/1")
        #expect(entries[0x9000] == "0232")
    }

    @Test func leavesOutWhatIsUnknown() {
        let entries = exifEntries(CaptureInfo(make: "", model: "").exif())
        #expect(Set(entries.keys) == [0x0112, 0x8769, 0x9000])
    }
}
