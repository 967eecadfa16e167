// The matrix products of the Float32 trainer, register-blocked with fused
// multiply-adds. Every product has one fixed order of operations, written out in a portable
// reference copy (scalar fmaf), in an AVX2+FMA copy chosen when the CPU has both, and in an
// AVX-512 copy (of accumulate, and of nt on long rows) chosen when it also has AVX-512F; all
// give the same bits, so the trainer's numbers do not depend on the machine.
//
// Row-major throughout. The order of operations of each entry:
//  - teleport_product_nt (C = A Bᵀ, rows against rows): eight partial sums, lane l taking the
//    indices p ≡ l (mod 8) in increasing order with fmaf, the missing ones of a last partial
//    group as 0 * 0; then (s0+s4, s1+s5, s2+s6, s3+s7) -> (h0+h2, h1+h3) -> their sum.
//  - teleport_product_accumulate (C = alpha A B + beta C, any strides for A): one sum in
//    increasing t with fmaf from 0; then `alpha * sum` (beta 0; `sum` itself when alpha is 1)
//    or `fmaf(alpha, sum, C)` (beta 1).
#ifndef TELEPORT_PRODUCT_KERNELS_H
#define TELEPORT_PRODUCT_KERNELS_H

#include <stddef.h>

/// Which copy `teleport_product_*` run: 3 = AVX-512 (accumulate in 16-column vectors, nt's rows
/// longer than 1024 floats two to a vector; else the AVX2 code), 2 = AVX2 with FMA, 1 = the
/// portable reference.
/// `teleport_product_limit_level(l)` caps it at l (for tests that compare the copies); 0
/// returns to the automatic choice.
int teleport_product_kernel_level(void);
void teleport_product_limit_level(int level);

/// `C[i][j] = sum_p A[i][p] B[j][p]` for i < m, j < n, p < k (`A` m x k with row stride lda,
/// `B` n x k with row stride ldb, `C` m x n with row stride ldc): a layer's forward pass,
/// samples against weight rows.
void teleport_product_nt(size_t m, size_t n, size_t k,
                         const float *a, size_t lda, const float *b, size_t ldb,
                         float *c, size_t ldc);

/// `teleport_product_nt`, told where the next product's A starts (its rows `lda` apart; NULL
/// when unknown): while a block of A's rows computes, the AVX2 copy prefetches the next block
/// (or chunk of columns) into L2, and the last one the first rows at `next_a`. A trainer passes
/// its next mini-batch. The same values as `teleport_product_nt`: the rows at `next_a` are only
/// prefetched, never read.
void teleport_product_nt_then(size_t m, size_t n, size_t k,
                              const float *a, size_t lda, const float *b, size_t ldb,
                              float *c, size_t ldc, const float *next_a);

/// `C[i][p] = alpha sum_t A(i, t) B[t][p] + beta C[i][p]` for i < m, p < k, t < depth, with
/// `A(i, t) = a[i * a_row + t * a_depth]` (so `A` or its transpose), `B` depth x k with row
/// stride ldb, `C` m x k with row stride ldc; beta is 0 or 1. A weight gradient δᵀ H (with
/// alpha = -lr, beta = 1 on the weights: an SGD step) or a back-propagation δ W. When B's rows
/// crowd the L1 cache's sets (a multiple of 4 KiB apart, as CIFAR-10 image rows are), the AVX2
/// copy reads B through a copy of it on the stack, a panel of columns at a time.
void teleport_product_accumulate(size_t m, size_t k, size_t depth,
                                 const float *a, size_t a_row, size_t a_depth,
                                 const float *b, size_t ldb, float *c, size_t ldc,
                                 float alpha, float beta);

#endif
