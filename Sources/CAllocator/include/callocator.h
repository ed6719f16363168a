#ifndef CALLOCATOR_H
#define CALLOCATOR_H
#include <stdint.h>

/// 1 when jemalloc serves malloc in this process (the dslr executable links it), else 0.
int dslr_allocator_is_jemalloc(void);
/// jemalloc's dirty-page decay in milliseconds (-1: freed pages are kept for reuse), or -2
/// when jemalloc is not in use.
int64_t dslr_allocator_dirty_decay_ms(void);

#endif
