import Foundation
import Testing

@testable import DSLRImport

/// Hostile MAT-files (issue 19): sizes, counts and nesting read from the file are checked
/// against the file and the reader's limits before anything is allocated for them.
@Suite struct MATHostileTests {
    let w = MATWriter(bigEndian: false)

    func message(_ bytes: [UInt8]) throws -> String {
        let url = try temporaryFile("hostile.mat", bytes)
        do {
            _ = try MATFile(contentsOf: url)
            return "read without error"
        } catch let error as MATError {
            #expect(error.path == url.path)
            return error.message
        }
    }

    /// A zlib stream of stored (uncompressed) deflate blocks: what a miCOMPRESSED element
    /// holds, without needing a compressor.
    func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let n = min(65535, data.count - start)
            let final: UInt8 = start + n == data.count ? 1 : 0
            out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[start..<(start + n)]
            start += n
        } while start < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let adler = b << 16 | a
        return out + [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
    }

    func compressed(_ element: [UInt8]) -> [UInt8] {
        let z = zlibStored(element)
        return w.u32(15) + w.u32(UInt32(z.count)) + z
    }

    /// The fuzzer's first find (scripts/fuzz.sh, in CI's brief run): 4-byte char data whose
    /// length is no multiple of 4 trapped reading past the last whole word.
    @Test func charDataOfPartWordsIsRefused() throws {
        let bytes = try [UInt8](Data(contentsOf: fixture("fuzz-mat-char-words.mat")))
        let text = try message(bytes)
        #expect(text == "corrupt MAT-file: 10 bytes of 4-byte char data", "\(text)")
    }

    @Test func dimensionsWhoseProductOverflowsAreRefused() throws {
        let huge = Int32.max
        let bad = w.matrix("x", classCode: 6, dims: [huge, huge, huge], data: w.element(9, w.scalarBytes(UInt64(0))))
        let text = try message(w.file(bad))
        #expect(text.contains("dimensions") && text.contains("64 bits"), "\(text)")
    }

    @Test func aCellOfMoreElementsThanItsBytesIsRefused() throws {
        let bad = w.matrix("c", classCode: 1, dims: [1, huge], data: [])
        let text = try message(w.file(bad))
        #expect(text.contains("a cell of 2147483647 elements"), "\(text)")
    }
    let huge = Int32.max

    @Test func nestingDeeperThanTheLimitIsRefusedAndShallowerIsRead() throws {
        func nested(_ depth: Int) -> [UInt8] {
            var inner = w.matrix("", classCode: 6, dims: [1, 1], data: w.element(9, w.scalarBytes(Double(7).bitPattern)))
            for _ in 0..<depth { inner = w.matrix("", classCode: 1, dims: [1, 1], data: inner) }
            // The outermost array is the variable and carries the name.
            return inner
        }
        let deep = try message(w.file(nested(MATParser.maxDepth + 1)))
        #expect(deep.contains("nest deeper than 64"), "\(deep)")
        let url = try temporaryFile("shallow.mat", w.file(nested(MATParser.maxDepth - 1)))
        var value = try #require(MATFile(contentsOf: url).variables.first?.value)
        for _ in 0..<(MATParser.maxDepth - 1) { value = try #require(value.cell?[0]) }
        #expect(try value.array?.doubles() == [7])
    }

    @Test func anElementSizeBeyondTheFileIsRefusedBeforeReading() throws {
        var bad = w.matrix("x", classCode: 6, dims: [1, 1], data: w.element(9, w.scalarBytes(UInt64(0))))
        // The numeric element's size field, after the 8-byte matrix tag, flags (16), dims (16), name (8).
        let sizeField = 8 + 16 + 16 + 8 + 4
        bad.replaceSubrange(sizeField..<(sizeField + 4), with: w.u32(0xF000_0000))
        let text = try message(w.file(bad))
        #expect(text.contains("truncated"), "\(text)")
        // Inside a compressed variable the data's length is unknown until inflated; the
        // array's own declared size still bounds it.
        let zipped = try message(w.file(compressed(bad)))
        #expect(zipped.contains("claims 4026531840 bytes but only 8 are left"), "\(zipped)")
    }

    @Test func aCompressedVariableDeclaringMoreThanTheLimitIsRefused() throws {
        var bomb = w.matrix("x", classCode: 6, dims: [1, 1], data: w.element(9, w.scalarBytes(UInt64(0))))
        bomb.replaceSubrange(4..<8, with: w.u32(0x9000_0000))
        let text = try message(w.file(compressed(bomb)))
        #expect(text.contains("over the 2 GiB limit"), "\(text)")
    }

    @Test func aStructOfEmptyElementsBeyondTheArrayLimitIsRefused() throws {
        // No fields: every element is free in the file, not in memory.
        let fields = w.element(5, w.scalarBytes(Int32(32))) + w.element(1, [])
        let bad = w.matrix("s", classCode: 2, dims: [1, huge], data: fields)
        let text = try message(w.file(bad))
        #expect(text.contains("more than \(MATParser.maxArrays) arrays"), "\(text)")
    }
}
