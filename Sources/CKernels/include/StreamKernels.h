// PyTorch's CPU random stream (the 32-bit Mersenne Twister, mt19937) over whole blocks of its
// state: the refill of the 624 words and the float32 map of `torch.rand` applied to a run of
// them, compiled for baseline x86-64 and for AVX2 and chosen once per process. Integer
// operations and exactly rounded float ones only (no fused multiply-add), so both copies give
// the same bits on every machine: the tests hold them to the maps' Swift definitions in
// Tensor/TorchGenerator.swift and the refill to mt19937's known 10000th draw.
#ifndef TELEPORT_STREAM_KERNELS_H
#define TELEPORT_STREAM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Which compiled copy `teleport_mt_*` run: 2 = AVX2, 1 = baseline x86-64 (or another
/// architecture's default). `teleport_stream_force_baseline(1)` selects the baseline copy (for
/// tests that compare the two); 0 returns to the automatic choice.
int teleport_stream_kernel_level(void);
void teleport_stream_force_baseline(int force);

/// mt19937's refill of its 624 state words (Matsumoto and Nishimura 1998).
void teleport_mt_twist(uint32_t *state);

/// For the untempered words `words[0..<n]`: each tempered, its low 24 bits m, the value
/// m 2^-24 written to `values[i]` (unless `values` is NULL); returns the exact sum of the m^2
/// (below 2^58 for n <= 1024).
uint64_t teleport_mt_uniform_squares(size_t n, const uint32_t *words, float *values);

/// For the untempered words `words[0..<n]`: `out[i] = base[i] + v / norm * scale` with v the
/// float32 value of the tempered word i, as above.
void teleport_mt_uniform_perturb(size_t n, const uint32_t *words, const float *base,
                                 float norm, float scale, float *out);

#endif
