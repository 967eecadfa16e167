// Counts heap allocations, for checking that a hot path allocates nothing.
//
//   cc -shared -fPIC -O2 -o malloc-counter.so scripts/malloc-counter.c
//   LD_PRELOAD=$PWD/malloc-counter.so swift test -c release -Xswiftc -enable-testing \
//       --filter hotPathAllocatesNothing
//
// The test reads the count through `teleport_allocation_count` (looked up with dlsym); without
// the preload it only runs the hot path.
#include <stddef.h>
#include <errno.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static long count;

long teleport_allocation_count(void) { return __atomic_load_n(&count, __ATOMIC_RELAXED); }

static void bump(void) { __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED); }

void *malloc(size_t n) { bump(); return __libc_malloc(n); }
void *calloc(size_t m, size_t n) { bump(); return __libc_calloc(m, n); }
void *realloc(void *p, size_t n) { bump(); return __libc_realloc(p, n); }
void *aligned_alloc(size_t a, size_t n) { bump(); return __libc_memalign(a, n); }
void *memalign(size_t a, size_t n) { bump(); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
    bump();
    void *p = __libc_memalign(a, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
