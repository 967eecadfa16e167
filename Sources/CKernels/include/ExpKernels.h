// exp of Float32 arrays, 8 entries at a time, with the bits of glibc's expf (2.27 and later,
// its FMA build): the same table of 2^(i/32), the same polynomial and the same fused
// multiply-adds in double precision, rounded once to float at the end. Arguments outside the
// main range (|x| >= 88, inf, NaN) go to the C library's expf itself. A portable reference
// copy (scalar fma) and an AVX2+FMA copy give the same bits, so the result does not depend on
// the machine; on glibc's FMA build both equal expf bit for bit (checked over every float by
// the tests).
#ifndef TELEPORT_EXP_KERNELS_H
#define TELEPORT_EXP_KERNELS_H

#include <stddef.h>

/// Which copy `teleport_exp` runs: 2 = AVX2 with FMA, 1 = the portable reference.
/// `teleport_exp_force_reference(1)` selects the reference (for tests); 0 returns to the
/// automatic choice.
int teleport_exp_kernel_level(void);
void teleport_exp_force_reference(int force);

/// y[i] = expf(x[i]) for i < n (x and y may be the same array).
void teleport_exp(size_t n, const float *x, float *y);

/// The number of float bit patterns b in [first, last] (stepping by `stride`) where
/// `teleport_exp` and the C library's expf differ in their bits (NaN results compared as
/// NaN): the test that this copy is the machine's expf.
unsigned long long teleport_exp_count_differences_from_libm(unsigned int first, unsigned int last,
                                                            unsigned int stride);

#endif
