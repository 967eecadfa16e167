#include "AllocatorSettings.h"
#include <stdlib.h>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>

int teleport_keep_freed_memory(void) {
    // glibc's default starts at 128 KiB and adapts, trimming the heap whenever its free top
    // exceeds twice the largest block freed so far: a loop over 2 MB temporaries then maps,
    // faults and unmaps fresh pages on most iterations. 32 MiB is the largest threshold
    // glibc accepts on 64-bit.
    int mmap = mallopt(M_MMAP_THRESHOLD, 32 << 20);
    int trim = mallopt(M_TRIM_THRESHOLD, 256 << 20);
    return mmap == 1 && trim == 1;
}
#else
int teleport_keep_freed_memory(void) { return 0; }
#endif
