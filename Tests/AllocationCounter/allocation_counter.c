// Counts heap allocations by interposing the allocator entry points in the test executable: an executable's
// definitions of malloc & co. take precedence over libc's for every library in the process. Each call is
// forwarded to glibc's own implementation. Counting is per thread, so tests running in parallel on other
// threads do not disturb a measurement.
#include "allocation_counter.h"
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

static _Thread_local int counting;
static _Thread_local long allocations;

static void note(void) {
    if (counting) allocations++;
}

void allocation_counter_start(void) {
    allocations = 0;
    counting = 1;
}

long allocation_counter_stop(void) {
    counting = 0;
    return allocations;
}

// Under AddressSanitizer its own allocator must stay in charge; the counter then counts nothing, and the
// test that checks the counter says so.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOCATION_COUNTER_DISABLED 1
#endif
#endif

#ifndef ALLOCATION_COUNTER_DISABLED
void *malloc(size_t size) { note(); return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { note(); return __libc_calloc(count, size); }
void *realloc(void *pointer, size_t size) { note(); return __libc_realloc(pointer, size); }
void free(void *pointer) { __libc_free(pointer); }
void *memalign(size_t alignment, size_t size) { note(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { note(); return __libc_memalign(alignment, size); }

int posix_memalign(void **result, size_t alignment, size_t size) {
    note();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}
#endif
