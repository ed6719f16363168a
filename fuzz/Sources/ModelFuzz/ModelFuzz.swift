// libFuzzer entry point for a weights file as `dslr enhance --model FILE` takes it: the
// safetensors container, the model card and architecture options in its metadata (with
// their maxima and parameter floors), building the network, loading the state dict against
// it, and running it over a small photo in tiles. The input is written to a file in /dev/shm
// because the registry reads weights from a path. Any thrown error is an answer; a trap, an
// AddressSanitizer report in DSLRKit's code, an allocation past libFuzzer's limit or a hang
// is a finding. libtorch itself is not instrumented.
import DSLREnhance
import DSLRTensor
import Foundation
import FuzzDriver

/// libFuzzer's driver, as this executable's entry point (see FuzzDriver.h).
@_cdecl("ModelFuzz_main")
public func modelFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    dslrkit_fuzz_main(argc, argv)
}

let scratch = "/dev/shm/dslrkit-model-fuzz-\(getpid()).safetensors"

/// A 40×28 photo and its packed Bayer form, the same for every input.
let photos: (rgb: Tensor, bayer: Tensor) = {
    Torch.setThreadCount(1)
    Torch.manualSeed(19)
    return (try! Tensor.rand([1, 3, 28, 40]), try! Tensor.rand([1, 4, 14, 20]))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func modelFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard FileManager.default.createFile(atPath: scratch, contents: Data(bytes: data, count: size)) else { return 0 }
    defer { unlink(scratch) }
    guard let entry = try? ModelRegistry.entry(forWeights: URL(fileURLWithPath: scratch)),
          let model = try? LoadedModel.load(entry) else { return 0 }
    let input = model.inputEncoding == .rgb ? photos.rgb : photos.bayer
    _ = try? model.enhance(input, tiling: TilingOptions(tile: 24))
    return 0
}
