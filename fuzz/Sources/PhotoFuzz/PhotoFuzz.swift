// libFuzzer entry point for photo decoding: the input is a photo file (any format libvips
// reads). It is decoded as `dslr serve` decodes an upload (from memory) and as
// `dslr enhance` decodes a file (its header, then the photo, from a file in /dev/shm),
// with the metadata (EXIF orientation, ICC, XMP) read on the way; a decoded photo is
// encoded as JPEG with its metadata, as an enhanced photo is written. Photos over 512×512
// pixels are refused from their header, as `--max-pixels` would, to keep inputs fast.
// Any thrown error is an answer; a trap, an overflow, an AddressSanitizer report in
// DSLRKit's code or a hang is a finding (libvips itself is not instrumented).
import DSLRPhoto
import Foundation
import FuzzDriver

/// libFuzzer's driver, as this executable's entry point (see FuzzDriver.h).
@_cdecl("PhotoFuzz_main")
public func photoFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    dslrkit_fuzz_main(argc, argv)
}

let options = DecodeOptions(maxPixels: 512 * 512)
let scratch = "/dev/shm/dslrkit-photo-fuzz-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func photoFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let photo = try? decodePhoto(bytes, name: "fuzz", options: options) {
        _ = photo.metadata.exifOrientation
        _ = try? encodePhoto(photo, format: .jpeg, options: EncodeOptions(quality: 50))
    }
    guard FileManager.default.createFile(atPath: scratch, contents: Data(bytes)) else { return 0 }
    defer { unlink(scratch) }
    _ = try? photoInfo(scratch)
    _ = try? readPhoto(scratch, options: options)
    return 0
}
