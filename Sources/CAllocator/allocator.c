// The dslr executable's memory allocator: Debian's jemalloc, linked in place of glibc's
// malloc, keeping freed pages for reuse. libtorch frees and re-allocates activations of
// hundreds of megabytes per layer; glibc serves each from a fresh mmap that the kernel must
// zero page by page, which cost about half of `dslr enhance`'s time. Keeping dirty pages
// (no decay) turns those into reuse; the peak resident memory is unchanged, since it is set
// by the largest live set, not by what was freed.
#include <jemalloc/jemalloc.h>
#include "callocator.h"

// Read by jemalloc at start-up (the executable's definition wins over the library's weak one).
const char *malloc_conf = "dirty_decay_ms:-1,muzzy_decay_ms:-1";

int dslr_allocator_is_jemalloc(void) {
    const char *version = 0;
    size_t size = sizeof(version);
    return mallctl("version", &version, &size, 0, 0) == 0 && version != 0;
}

int64_t dslr_allocator_dirty_decay_ms(void) {
    ssize_t decay = 0;
    size_t size = sizeof(decay);
    if (mallctl("opt.dirty_decay_ms", &decay, &size, 0, 0) != 0) return -2;
    return (int64_t)decay;
}
