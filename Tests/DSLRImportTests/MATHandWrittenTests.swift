import Foundation
import Testing

@testable import DSLRImport

/// Builds level-5 files byte by byte, for what scipy never writes but MATLAB does:
/// big-endian files and arrays stored in a narrower type than their class.
struct MATWriter {
    let bigEndian: Bool

    func u32(_ v: UInt32) -> [UInt8] {
        let bytes = withUnsafeBytes(of: v.littleEndian) { Array($0) }
        return bigEndian ? bytes.reversed() : bytes
    }

    func scalarBytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        let bytes = withUnsafeBytes(of: v.littleEndian) { Array($0) }
        return bigEndian ? bytes.reversed() : bytes
    }

    /// A data element, in the small format when its data fits in 4 bytes (as MATLAB writes).
    func element(_ type: UInt32, _ data: [UInt8]) -> [UInt8] {
        if data.count <= 4 && type != 14 {
            return u32(UInt32(data.count) << 16 | type) + data + [UInt8](repeating: 0, count: 4 - data.count)
        }
        return u32(type) + u32(UInt32(data.count)) + data + [UInt8](repeating: 0, count: (8 - data.count % 8) % 8)
    }

    func matrix(_ name: String, classCode: UInt32, dims: [Int32], data: [UInt8]) -> [UInt8] {
        let body = element(6, u32(classCode) + u32(0))
            + element(5, dims.flatMap { scalarBytes($0) })
            + element(1, Array(name.utf8))
            + data
        return element(14, body)
    }

    func file(_ elements: [UInt8]...) -> [UInt8] {
        var header = Array("MATLAB 5.0 MAT-file, hand-written by DSLRKit's tests".utf8)
        header += [UInt8](repeating: 0x20, count: 116 - header.count) + [UInt8](repeating: 0, count: 8)
        header += bigEndian ? [0x01, 0x00, UInt8(ascii: "M"), UInt8(ascii: "I")] : [0x00, 0x01, UInt8(ascii: "I"), UInt8(ascii: "M")]
        return header + elements.flatMap { $0 }
    }
}

@Suite struct MATHandWrittenTests {
    @Test(arguments: [false, true]) func narrowedStorageAndByteOrder(bigEndian: Bool) throws {
        let w = MATWriter(bigEndian: bigEndian)
        // MATLAB stores double [1 1 1 1] as uint8 and double [-2 300 7] as int16.
        let pad = w.matrix("pad", classCode: 6, dims: [1, 4], data: w.element(2, [1, 1, 1, 1]))
        let mixed = w.matrix("mixed", classCode: 6, dims: [1, 3],
                             data: w.element(3, [Int16(-2), 300, 7].flatMap { w.scalarBytes($0) }))
        let single = w.matrix("w", classCode: 7, dims: [2, 1],
                              data: w.element(7, [Float(1.5), -0.25].flatMap { w.scalarBytes($0.bitPattern) }))
        let int32s = w.matrix("counts", classCode: 12, dims: [1, 2],
                              data: w.element(5, [Int32(-70000), 70000].flatMap { w.scalarBytes($0) }))
        let text = w.matrix("name", classCode: 4, dims: [1, 4],
                            data: w.element(4, Array("conv".utf16).flatMap { w.scalarBytes($0) }))
        let url = try temporaryFile("hand.mat", w.file(pad, mixed, single, int32s, text))
        let mat = try MATFile(contentsOf: url)
        #expect(mat.variables.map(\.name) == ["pad", "mixed", "w", "counts", "name"])
        #expect(try mat["pad"]?.array?.doubles() == [1, 1, 1, 1])
        #expect(mat["pad"]?.array?.numericClass == .double)
        #expect(try mat["mixed"]?.array?.doubles() == [-2, 300, 7])
        #expect(try mat["w"]?.array?.tensor().toArray(Float.self) == [1.5, -0.25])
        #expect(try mat["counts"]?.array?.doubles() == [-70000, 70000])
        #expect(mat["name"]?.string == "conv")
    }

    @Test func elementOverrunningItsMatrixIsCorrupt() throws {
        let w = MATWriter(bigEndian: false)
        var bad = w.matrix("x", classCode: 6, dims: [1, 1], data: w.element(9, w.scalarBytes(UInt64(0))))
        bad[4] = 24  // the matrix claims fewer bytes than its sub-elements take
        let url = try temporaryFile("bad.mat", w.file(bad))
        #expect(throws: MATError.self) { try MATFile(contentsOf: url) }
    }
}
