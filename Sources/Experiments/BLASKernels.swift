import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Pins OpenBLAS to one set of kernels, so that a profile's numbers, and so its verdicts, are
/// the same on every x86-64 machine.
///
/// OpenBLAS (built with DYNAMIC_ARCH, as Debian ships it) picks its kernels by CPU when it is
/// loaded: Haswell, SkylakeX, Cooperlake, ... Their sums are ordered differently, so results
/// differ in the last bits, and chaotic computations (meta-training, long SGD runs with
/// teleports) amplify that into different numbers and, on the quick profile, different
/// verdicts. The kernel is chosen before `main` runs, from `OPENBLAS_CORETYPE`; so when that
/// variable is unset and the CPU has AVX2 and FMA (every Haswell-or-later x86-64), this sets
/// it to Haswell and re-executes the program (same process id, arguments and environment
/// otherwise). A user's own `OPENBLAS_CORETYPE` is respected. Call it first in `main`.
public func pinBLASKernels() {
    #if os(Linux) && arch(x86_64)
    guard getenv("OPENBLAS_CORETYPE") == nil, cpuHasAVX2AndFMA() else { return }
    setenv("OPENBLAS_CORETYPE", BLASKernels.pinned, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv returns only on failure: carry on with the kernels OpenBLAS chose.
    #endif
}

/// The kernel set the executables pin (see `pinBLASKernels`).
public enum BLASKernels {
    public static let pinned = "Haswell"
}

#if os(Linux)
/// Whether /proc/cpuinfo lists the avx2 and fma flags.
func cpuHasAVX2AndFMA() -> Bool {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    let set = Set(flags.split(separator: " ").map(String.init))
    return set.contains("avx2") && set.contains("fma")
}
#endif
