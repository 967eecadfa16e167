import CKernels

/// Keeps freed memory in the process (`teleport_keep_freed_memory`: glibc's mmap threshold at
/// 32 MiB and its trim threshold at 256 MiB) so that loops allocating megabyte-sized
/// temporaries reuse pages instead of faulting fresh ones in. The sharpness teleport's step
/// allocates and frees about 3 MB per 16 directions; with the library's adaptive defaults most
/// of those pages were mapped, zeroed and unmapped again, about a sixth of its time. Changes
/// where buffers live, never a number. Call it first in `main` (after `pinBLASKernels`).
/// Returns whether the C library took the settings (glibc does; others keep their own policy).
@discardableResult
public func keepFreedMemory() -> Bool {
    teleport_keep_freed_memory() == 1
}
