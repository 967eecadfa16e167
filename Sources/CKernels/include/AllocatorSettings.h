// How the C library's allocator treats large freed blocks, for the whole process.
#ifndef TELEPORT_ALLOCATOR_SETTINGS_H
#define TELEPORT_ALLOCATOR_SETTINGS_H

/// Keeps freed memory in the process instead of returning it to the system at once: blocks up
/// to 32 MiB come from the heap (not a fresh mmap each), and the heap's free top is kept up to
/// 256 MiB. Loops that allocate and free the same megabyte-sized temporaries then reuse
/// their pages instead of faulting fresh zeroed ones in every time. Numbers are unchanged;
/// only where buffers live. Returns 1 when the C library took both settings (glibc), else 0.
int teleport_keep_freed_memory(void);

#endif
