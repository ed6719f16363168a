// libFuzzer entry point for camera RAW files: the input is a RAW file (DNG, CR2, NEF, ...),
// written to /dev/shm (LibRaw reads files) and read as `dslr enhance` reads one: its header
// (`rawInfo`); the Bayer mosaic with its levels and matrices, packed as a RAW model takes
// it (`readRaw`, `packedBayer`); and LibRaw's own development, what `dslr enhance` does
// without a RAW model (`developWithLibRaw`); the capture EXIF the output gets is built from
// the header. Files over 512×512 pixels are refused from their header, as `--max-pixels`
// would, to keep inputs fast.
// Any thrown error is an answer; a trap, an overflow, an AddressSanitizer report in
// DSLRKit's code or a hang is a finding (LibRaw itself is not instrumented).
import DSLRPhoto
import DSLRRaw
import Foundation
import FuzzDriver

/// libFuzzer's driver, as this executable's entry point (see FuzzDriver.h).
@_cdecl("RawFuzz_main")
public func rawFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    dslrkit_fuzz_main(argc, argv)
}

let options = DecodeOptions(maxPixels: 512 * 512)
let scratch = "/dev/shm/dslrkit-raw-fuzz-\(getpid()).dng"

@_cdecl("LLVMFuzzerTestOneInput")
public func rawFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard FileManager.default.createFile(atPath: scratch, contents: Data(bytes: data, count: size)) else { return 0 }
    defer { unlink(scratch) }
    guard let info = try? rawInfo(scratch) else { return 0 }
    _ = info.capture.exif()
    if let raw = try? readRaw(scratch, options: options) {
        if let packed = try? raw.packedBayer() { _ = try? packed.cropToMosaic(packed.channels) }
    }
    _ = try? developWithLibRaw(scratch, options: LibRawDevelopOptions(bitDepth: 8), decode: options)
    return 0
}
