// The element-wise optimiser updates of the Float32 trainer, compiled twice: for baseline
// x86-64 (SSE2, 4 floats per instruction) and for AVX2 (8 floats), chosen once per process by
// what the CPU supports. Both are the same IEEE operations in the same order as the Swift
// loops of Model/Optimizers.swift (no fused multiply-add, no reciprocal approximations), so
// both give the Swift loops' results bit for bit on every machine.
#ifndef TELEPORT_OPTIMIZER_KERNELS_H
#define TELEPORT_OPTIMIZER_KERNELS_H

#include <stddef.h>

/// Which compiled copy `teleport_optimizer_*` run: 2 = AVX2, 1 = baseline x86-64 (or another
/// architecture's default). `teleport_optimizer_force_baseline(1)` selects the baseline copy
/// (for tests that compare the two); 0 returns to the automatic choice.
int teleport_optimizer_kernel_level(void);
void teleport_optimizer_force_baseline(int force);

/// Heavy ball, dampening 0: `b = g` (first step) or `b = mu b + g`; `p -= lr b`.
void teleport_optimizer_momentum(size_t n, float *p, const float *g, float *b,
                                 float lr, float mu, int first_step);
/// AdaGrad: `s += g g`; `p -= lr (g / (sqrt(s) + eps))`.
void teleport_optimizer_adagrad(size_t n, float *p, const float *g, float *s,
                                float lr, float eps);
/// RMSProp: `v = alpha v + (1 - alpha) g g`; `p -= lr (g / (sqrt(v) + eps))`.
void teleport_optimizer_rmsprop(size_t n, float *p, const float *g, float *v,
                                float lr, float alpha, float eps);
/// Adam: `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g g`;
/// `p -= step_size (m / (sqrt(v) / correction2 + eps))`.
void teleport_optimizer_adam(size_t n, float *p, const float *g, float *m, float *v,
                             float step_size, float correction2, float b1, float b2, float eps);

#endif
