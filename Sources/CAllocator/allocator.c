// The dslr executable's memory allocator: Debian's jemalloc, linked in place of glibc's
// malloc, keeping freed pages for reuse. libtorch frees and re-allocates activations of
// hundreds of megabytes per layer; glibc serves each from a fresh mmap that the kernel must
// zero page by page, which cost about half of `dslr enhance`'s time. Keeping dirty pages
// (no decay) turns those into reuse; the peak resident memory is unchanged, since it is set
// by the largest live set, not by what was freed.
#include <jemalloc/jemalloc.h>
#include <stdio.h>
#include <sys/types.h>
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
    // The default for arenas, which dslr_allocator_set_decay changes at run time.
    if (mallctl("arenas.dirty_decay_ms", &decay, &size, 0, 0) != 0) return -2;
    return (int64_t)decay;
}

int dslr_allocator_set_decay(int64_t dirty_ms, int64_t muzzy_ms) {
    if (!dslr_allocator_is_jemalloc()) return -1;
    ssize_t dirty = (ssize_t)dirty_ms, muzzy = (ssize_t)muzzy_ms;
    // Arenas made from now on take the defaults; the existing ones are set one by one.
    if (mallctl("arenas.dirty_decay_ms", 0, 0, &dirty, sizeof(dirty)) != 0) return -1;
    if (mallctl("arenas.muzzy_decay_ms", 0, 0, &muzzy, sizeof(muzzy)) != 0) return -1;
    unsigned count = 0;
    size_t size = sizeof(count);
    if (mallctl("arenas.narenas", &count, &size, 0, 0) != 0) return -1;
    for (unsigned i = 0; i < count; i++) {
        char name[64];
        // Arenas not yet initialised refuse the call and take the new default when they are.
        snprintf(name, sizeof(name), "arena.%u.dirty_decay_ms", i);
        (void)mallctl(name, 0, 0, &dirty, sizeof(dirty));
        snprintf(name, sizeof(name), "arena.%u.muzzy_decay_ms", i);
        (void)mallctl(name, 0, 0, &muzzy, sizeof(muzzy));
    }
    return 0;
}
