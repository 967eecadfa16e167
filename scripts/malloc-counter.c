// Counts heap allocations, for checking that a hot path allocates nothing. `make test` builds it
// and preloads it into the test run:
//
//   cc -shared -fPIC -O2 -o .build/malloc-counter.so scripts/malloc-counter.c
//   LD_PRELOAD=$PWD/.build/malloc-counter.so swift test --filter hotPathAllocatesNothing
//
// The test reads the calling thread's count through `teleport_thread_allocation_count` (looked
// up with dlsym), so tests running in parallel on other threads do not disturb it; without the
// preload it is skipped, or fails under TELEPORT_REQUIRE_REFERENCE=1.
#include <stddef.h>
#include <errno.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

// Initial-exec: the library is preloaded, so the counter lives in static TLS and reading it
// never calls malloc.
static __thread long count __attribute__((tls_model("initial-exec")));

long teleport_thread_allocation_count(void) { return count; }

static void bump(void) { count++; }

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
