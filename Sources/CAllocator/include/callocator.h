#ifndef CALLOCATOR_H
#define CALLOCATOR_H
#include <stdint.h>

/// 1 when jemalloc serves malloc in this process (the dslr executable links it), else 0.
int dslr_allocator_is_jemalloc(void);
/// jemalloc's dirty-page decay in milliseconds (-1: freed pages are kept for reuse), or -2
/// when jemalloc is not in use.
int64_t dslr_allocator_dirty_decay_ms(void);
/// Sets jemalloc's dirty and muzzy page decay (milliseconds; -1 keeps pages) for every arena,
/// existing and future. Returns 0, or -1 when jemalloc is not in use or refused.
int dslr_allocator_set_decay(int64_t dirty_ms, int64_t muzzy_ms);

#endif
