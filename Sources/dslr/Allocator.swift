import CAllocator
import Foundation

/// Which malloc serves this process and whether it keeps freed pages (see Sources/CAllocator).
func allocatorDescription() -> String {
    guard dslr_allocator_is_jemalloc() != 0 else { return "glibc malloc" }
    let decay = dslr_allocator_dirty_decay_ms()
    return decay == -1 ? "jemalloc, freed pages kept for reuse" : "jemalloc, dirty pages decay after \(decay) ms"
}

/// How long a training process lets freed pages sit before returning them (milliseconds).
/// Keeping them forever, right for `enhance`, grew a PyNET run by about 30 MB an iteration
/// (23 GB by iteration 485): its many differently sized tensors keep taking new pages instead
/// of reusing freed ones. docs/BENCHMARKS.md ("Allocator") has the measurements behind the value.
let trainingDirtyDecayMilliseconds: Int64 = 1000

/// Makes a long training process return freed pages after `trainingDirtyDecayMilliseconds`,
/// unless the user configured jemalloc with MALLOC_CONF, which then wins.
func boundAllocatorForTraining(environment: [String: String]) {
    guard environment["MALLOC_CONF"] == nil, dslr_allocator_is_jemalloc() != 0 else { return }
    _ = dslr_allocator_set_decay(trainingDirtyDecayMilliseconds, 0)
}
