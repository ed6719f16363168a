import DSLRTensor
import Foundation
import Testing

@testable import DSLRImport

private func readError(_ url: URL) throws -> TorchCheckpointError {
    let error = try #require(throws: TorchCheckpointError.self) { try TorchCheckpoint(contentsOf: url) }
    #expect(error.description == "\(url.path): \(error.reason)")
    #expect(!error.description.contains("\n"))
    return error
}

private func fixtureError(_ name: String) throws -> TorchCheckpointError {
    try readError(fixture("torch/\(name)"))
}

/// A damaged copy of a fixture, in its own temporary folder.
private func damaged(_ name: String, _ change: (inout [UInt8]) throws -> Void) throws -> URL {
    var bytes = [UInt8](try Data(contentsOf: fixture("torch/\(name)")))
    try change(&bytes)
    return try temporaryFile(name, bytes)
}

/// The offset of the central directory entry of `member` in a zip's bytes.
private func centralEntry(_ bytes: [UInt8], _ member: String) throws -> Int {
    let name = Array(member.utf8)
    for p in 0..<(bytes.count - 46) where bytes[p..<p + 4].elementsEqual([0x50, 0x4B, 0x01, 0x02]) {
        let length = load16(bytes, p + 28)
        if bytes[(p + 46)..<(p + 46 + length)].elementsEqual(name) { return p }
    }
    throw TorchError("no central directory entry for \(member)")
}

private func load16(_ bytes: [UInt8], _ offset: Int) -> Int {
    Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
}

private func store32(_ value: UInt32, in bytes: inout [UInt8], at offset: Int) {
    for k in 0..<4 { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
}

@Suite(.serialized) struct TorchCheckpointErrorTests {
    /// Written by the fixture's os.system payload if it were ever run.
    static let pwned = "/tmp/dslrkit-torch-fixture-pwned"

    @Test func aMaliciousReduceIsRefusedAndNeverRuns() throws {
        try? FileManager.default.removeItem(atPath: Self.pwned)
        let error = try fixtureError("malicious.pth")
        #expect(error.kind == .forbidden)
        #expect(error.reason.contains("malicious/data.pkl at byte 180: refuses the global posix.system;"), "\(error)")
        #expect(!FileManager.default.fileExists(atPath: Self.pwned))
    }

    @Test(arguments: [
        ("forged_eval.pth", "refuses the global builtins.eval"),
        ("forged_load_from_bytes.pth", "refuses the global torch.storage._load_from_bytes"),
    ])
    func otherGlobalsAreRefusedByName(file: String, message: String) throws {
        let error = try fixtureError(file)
        #expect(error.kind == .forbidden && error.reason.contains(message), "\(error)")
    }

    @Test func otherFormatsAreNamed() throws {
        let legacy = try fixtureError("legacy.pth")
        #expect(legacy.kind == .unsupported && legacy.reason.hasPrefix("is in torch.save's legacy format"), "\(legacy)")
        let script = try fixtureError("torchscript.pt")
        #expect(script.kind == .unsupported && script.reason.hasPrefix("is a TorchScript archive"), "\(script)")
        let bigEndian = try fixtureError("forged_big_endian.pth")
        #expect(bigEndian.kind == .unsupported && bigEndian.reason == "holds big-endian storages; only little-endian is read")
        let complex = try fixtureError("forged_complex.pth")
        #expect(complex.kind == .unsupported && complex.reason.hasSuffix("holds a torch.ComplexFloatStorage, a storage type DSLRKit's tensors do not have"))
        let text = try readError(temporaryFile("notes.pth", Array("hello".utf8)))
        #expect(text.kind == .notACheckpoint)
        let missing = try readError(URL(fileURLWithPath: "/nonexistent/model.pth"))
        #expect(missing.kind == .unreadable)
    }

    @Test(arguments: [
        ("forged_storage_too_small.pth", TorchCheckpointError.Kind.corrupt,
         "storage '0' declares 1000 float32 elements but forged_storage_too_small/data/0 holds 16 bytes"),
        ("forged_view_out_of_bounds.pth", .corrupt,
         "a tensor of size [3], stride [1] at offset 2 reaches past storage '0' of 4 elements"),
        ("forged_huge_size.pth", .corrupt,
         "a tensor of size [1099511627776, 1099511627776], stride [1099511627776, 1] at offset 0 reaches past storage '0' of 4 elements"),
        ("forged_missing_storage.pth", .corrupt, "storage '7' has no member data/7 in the archive"),
        ("forged_deep.pth", .limitExceeded, "nests tuples more than 64 deep"),
    ])
    func sizesAndCountsFromTheFileAreChecked(file: String, kind: TorchCheckpointError.Kind, message: String) throws {
        let error = try fixtureError(file)
        #expect(error.kind == kind && error.reason.hasSuffix(message), "\(error)")
    }

    @Test func aListIsNotAStateDict() throws {
        let error = try fixtureError("forged_list.pth")
        #expect(error.kind == .notAStateDict && error.reason == "holds a list, not a dict of tensors")
    }

    @Test func aTruncatedArchiveIsRefused() throws {
        let url = try damaged("dtypes.pth") { $0.removeLast($0.count / 2) }
        let error = try readError(url)
        #expect(error.kind == .truncated && error.reason.contains("without its end of central directory record"))
    }

    @Test func aFlippedStorageByteFailsItsCRC() throws {
        let url = try damaged("dtypes.pth") { bytes in
            let entry = try centralEntry(bytes, "dtypes/data/0")
            let local = load16(bytes, entry + 42) | load16(bytes, entry + 44) << 16
            bytes[local + 30 + load16(bytes, local + 26) + load16(bytes, local + 28) + 3] ^= 0x10
        }
        let error = try readError(url)
        #expect(error.kind == .corrupt && error.reason == "'dtypes/data/0' fails its CRC-32 check: the data is corrupt")
    }

    @Test func anEncryptedMemberIsRefused() throws {
        let url = try damaged("dtypes.pth") { bytes in bytes[try centralEntry(bytes, "dtypes/data/3") + 8] |= 1 }
        let error = try readError(url)
        #expect(error.kind == .unsupported && error.reason == "'dtypes/data/3' is encrypted")
    }

    @Test func hugeDeclaredSizesAreRefusedBeforeAnyAllocation() throws {
        let stored = try damaged("dtypes.pth") { bytes in
            let entry = try centralEntry(bytes, "dtypes/data/0")
            store32(0x7FFF_FFF0, in: &bytes, at: entry + 20)
            store32(0x7FFF_FFF0, in: &bytes, at: entry + 24)
        }
        let storedError = try readError(stored)
        #expect(storedError.kind == .truncated && storedError.reason.hasPrefix("'dtypes/data/0' needs 2147483632 bytes at offset"), "\(storedError)")
        let deflated = try damaged("deflated.pth") { bytes in
            store32(0xFFFF_FFF0, in: &bytes, at: try centralEntry(bytes, "deflated/data/0") + 24)
        }
        let deflatedError = try readError(deflated)
        #expect(deflatedError.kind == .corrupt && deflatedError.reason.contains("more than DEFLATE can produce"), "\(deflatedError)")
    }

    @Test func aDirectoryClaimingMoreEntriesThanFitIsRefused() throws {
        // Python's zipfile wrote deflated.pth without ZIP64 records (miniz always adds them).
        let url = try damaged("deflated.pth") { bytes in
            let end = bytes.count - 22
            bytes[end + 8] = 0xFF; bytes[end + 9] = 0x7F
            bytes[end + 10] = 0xFF; bytes[end + 11] = 0x7F
        }
        let error = try readError(url)
        #expect(error.kind == .corrupt && error.reason.hasPrefix("the central directory declares 32767 entries"), "\(error)")
    }
}

/// CRC-32 (zip's), so that a test can change a member and still pass the archive's check.
private let crcTable: [UInt32] = (0..<256).map { n in
    (0..<8).reduce(UInt32(n)) { c, _ in c & 1 != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
}

private func zipCRC32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    ~bytes.reduce(0xFFFF_FFFF as UInt32) { crcTable[Int(($0 ^ UInt32($1)) & 0xFF)] ^ ($0 >> 8) }
}

/// Every byte of a real pickle changed, with its CRC-32 fixed so the change reaches the
/// unpickler: each read must end in a result or a TorchCheckpointError, never a trap.
@Test func everyChangedPickleByteEndsInAnErrorOrAResult() throws {
    var bytes = [UInt8](try Data(contentsOf: fixture("torch/dtypes.pth")))
    let entry = try centralEntry(bytes, "dtypes/data.pkl")
    let size = load16(bytes, entry + 24) | load16(bytes, entry + 26) << 16
    let local = load16(bytes, entry + 42) | load16(bytes, entry + 44) << 16
    let start = local + 30 + load16(bytes, local + 26) + load16(bytes, local + 28)
    let url = try temporaryFile("dtypes.pth", bytes)
    var outcomes: [String: Int] = [:]
    for position in start..<(start + size) {
        let original = bytes[position]
        // The high bit turns an opcode into another and a length or index into a large one.
        bytes[position] = original ^ 0x80
        store32(zipCRC32(bytes[start..<(start + size)]), in: &bytes, at: entry + 16)
        try Data(bytes).write(to: url)
        do {
            _ = try TorchCheckpoint(contentsOf: url)
            outcomes["read", default: 0] += 1
        } catch let error as TorchCheckpointError {
            outcomes["\(error.kind)", default: 0] += 1
        }
        bytes[position] = original
    }
    #expect(outcomes.values.reduce(0, +) == size)
    #expect(outcomes["forbidden", default: 0] > 0 && outcomes["corrupt", default: 0] > 0)
}
