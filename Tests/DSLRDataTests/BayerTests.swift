@testable import DSLRData
import DSLRTensor
import Testing

@Suite struct BayerTests {
    @Test func packMatchesPyNETsExtractBayerChannels() throws {
        let reference = try Reference()
        let packed = try PyNETBayer.pack(reference["raw"])
        #expect(packed.shape == [4, 3, 4])
        #expect(try maxAbsDiff(packed, reference["packed"]) < 1e-7)
    }

    @Test func channelsHoldTheDocumentedCellPositions() throws {
        // One 2×2 cell with distinct counts: (0,0)=1 (R), (0,1)=2 (Gb), (1,0)=3 (Gr), (1,1)=4 (B).
        let raw = try Tensor([Float(1), 2, 3, 4], shape: [2, 2])
        let values = try (PyNETBayer.pack(raw) * 1020).round().toArray(Float.self)
        #expect(values == [4, 2, 1, 3])
    }

    @Test func unpackInvertsPack() throws {
        let raw = try (Tensor.rand([1, 1, 8, 10]) * 1023).round()
        let back = try PyNETBayer.unpack(PyNETBayer.pack(raw))
        #expect(back.shape == [1, 1, 8, 10])
        #expect(try maxAbsDiff(back, raw) < 1e-3)
    }

    @Test func oddSizesDropTheLastRowAndColumn() throws {
        let raw = try Tensor.rand([7, 9])
        #expect(try PyNETBayer.pack(raw).shape == [4, 3, 4])
        #expect(throws: DataError.self) { try PyNETBayer.pack(Tensor.rand([1, 5])) }
    }
}

@Suite struct PyNETTargetTests {
    @Test func levelTargetsMatchPILsBilinearResize() throws {
        let reference = try Reference()
        let full = try reference["level_input"]
        for level in [1, 2] {
            let ours = try PyNETBayer.target(full, level: level)
            let theirs = try reference["level_\(level)"]
            #expect(ours.shape == theirs.shape)
            // PIL rounds to 8 bits and filters in fixed point: measured 0.84 / 255 at most.
            #expect(try maxAbsDiff(ours, theirs) < 1.0 / 255)
        }
        #expect(try PyNETBayer.target(full, level: 0).equal(full))
    }
}
