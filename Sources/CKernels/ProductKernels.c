#include "ProductKernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Only the fused multiply-adds written out below; the compiler must not contract anything else.
#pragma clang fp contract(off)

#define ALWAYS_INLINE static inline __attribute__((always_inline))

// MARK: - The reference copy: the order of operations, one entry at a time

/// (s0+s4, s1+s5, s2+s6, s3+s7) -> (h0+h2, h1+h3) -> their sum.
ALWAYS_INLINE float reduce_lanes(const float s[8]) {
    float h0 = s[0] + s[4], h1 = s[1] + s[5], h2 = s[2] + s[6], h3 = s[3] + s[7];
    return (h0 + h2) + (h1 + h3);
}

static float dot_reference(size_t k, const float *a, const float *b) {
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t p = 0;
    for (; p + 8 <= k; p += 8)
        for (size_t l = 0; l < 8; l++) s[l] = fmaf(a[p + l], b[p + l], s[l]);
    if (p < k)
        for (size_t l = 0; l < 8; l++) {
            int in = p + l < k;
            s[l] = fmaf(in ? a[p + l] : 0.0f, in ? b[p + l] : 0.0f, s[l]);
        }
    return reduce_lanes(s);
}

static void nt_reference(size_t m, size_t n, size_t k, const float *a, size_t lda,
                         const float *b, size_t ldb, float *c, size_t ldc) {
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) c[i * ldc + j] = dot_reference(k, a + i * lda, b + j * ldb);
}

ALWAYS_INLINE float finish(float sum, float alpha, float beta, float old) {
    if (beta == 0) return alpha == 1 ? sum : alpha * sum;
    return fmaf(alpha, sum, old);
}

static void accumulate_reference(size_t m, size_t k, size_t depth, const float *a, size_t a_row,
                                 size_t a_depth, const float *b, size_t ldb, float *c, size_t ldc,
                                 float alpha, float beta) {
    for (size_t i = 0; i < m; i++)
        for (size_t p = 0; p < k; p++) {
            float sum = 0;
            for (size_t t = 0; t < depth; t++) sum = fmaf(a[i * a_row + t * a_depth], b[t * ldb + p], sum);
            c[i * ldc + p] = finish(sum, alpha, beta, beta == 0 ? 0 : c[i * ldc + p]);
        }
}

// MARK: - The AVX2 + FMA copy: the same operations, 8 entries or 8 lanes at a time

#if defined(__x86_64__)
#define AVX2FMA __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f,avx2,fma")))

/// Lanes below `count` set (count in 1...8).
AVX2FMA ALWAYS_INLINE __m256i lane_mask(size_t count) {
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), index);
}

AVX2FMA ALWAYS_INLINE float reduce_vector(__m256 v) {
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    __m128 x = _mm_add_ps(h, _mm_movehl_ps(h, h));
    return _mm_cvtss_f32(_mm_add_ss(x, _mm_shuffle_ps(x, x, 1)));
}

/// Up to four rows of A that the next block will read (`rows` of them from `first`, `lda`
/// apart, `floats` each), prefetched into L2 while the current block of A computes, a share of
/// lines per block of B, one line per step over 8 columns: fresh samples arrive from memory
/// behind the arithmetic instead of stalling it. A prefetch changes no value.
typedef struct {
    const char *row, *end;      // the row being fetched, and where the rows end
    const char *line, *row_end; // its next line, and where it ends
    size_t row_step;            // bytes from row to row
    size_t per_block;           // lines per block of B
} nt_ahead;

static nt_ahead nt_ahead_of(const float *first, size_t rows, size_t lda, size_t floats, size_t blocks) {
    size_t row_bytes = floats * sizeof(float), step = lda * sizeof(float);
    rows = first ? (rows < 4 ? rows : 4) : 0;
    const char *start = (const char *)first;
    size_t lines = rows * ((row_bytes + 63) / 64);
    return (nt_ahead){start, start + rows * step, start, start + row_bytes, step, (lines + blocks - 1) / blocks};
}

/// The next line of `ahead`, if any is left.
AVX2FMA ALWAYS_INLINE void nt_prefetch_line(nt_ahead *ahead) {
    if (ahead->row == ahead->end) return;
    _mm_prefetch(ahead->line, _MM_HINT_T2);
    ahead->line += 64;
    if (ahead->line >= ahead->row_end) {
        ahead->row += ahead->row_step;
        ahead->line = ahead->row;
        ahead->row_end += ahead->row_step;
    }
}

/// An MR x NR block of C = A Bᵀ: MR rows of A against NR rows of B, MR * NR lane-sum registers
/// (4 x 3: twelve sums, three vectors of B, one of A; the sixteen registers of AVX2). Its first
/// `ahead->per_block` steps over 8 columns each prefetch a line of `ahead`. The lane sums
/// start at zero, or at the 12 vectors `sums_in` holds (a previous chunk of the same columns);
/// they end reduced into C, or stored to `sums_out` for the next chunk (exactly: a vector stored
/// and loaded again keeps its bits).
AVX2FMA ALWAYS_INLINE void nt_block(int MR, int NR, size_t k, const float *a, size_t lda,
                                    const float *b, size_t ldb, float *c, size_t ldc,
                                    nt_ahead *ahead, const float *sums_in, float *sums_out) {
    __m256 acc[4][3];
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++)
            acc[i][j] = sums_in ? _mm256_loadu_ps(sums_in + (i * 3 + j) * 8) : _mm256_setzero_ps();
    size_t p = 0;
    nt_ahead next = *ahead;     // in registers for the loop
    for (size_t step = 0; p + 8 <= k; p += 8, step++) {
        if (step < next.per_block) nt_prefetch_line(&next);
        __m256 bv[3];
        for (int j = 0; j < NR; j++) bv[j] = _mm256_loadu_ps(b + j * ldb + p);
        for (int i = 0; i < MR; i++) {
            __m256 ai = _mm256_loadu_ps(a + i * lda + p);
            for (int j = 0; j < NR; j++) acc[i][j] = _mm256_fmadd_ps(ai, bv[j], acc[i][j]);
        }
    }
    *ahead = next;
    if (p < k) {
        __m256i mask = lane_mask(k - p);
        __m256 bv[3];
        for (int j = 0; j < NR; j++) bv[j] = _mm256_maskload_ps(b + j * ldb + p, mask);
        for (int i = 0; i < MR; i++) {
            __m256 ai = _mm256_maskload_ps(a + i * lda + p, mask);
            for (int j = 0; j < NR; j++) acc[i][j] = _mm256_fmadd_ps(ai, bv[j], acc[i][j]);
        }
    }
    if (sums_out) {
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++) _mm256_storeu_ps(sums_out + (i * 3 + j) * 8, acc[i][j]);
        return;
    }
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++) c[i * ldc + j] = reduce_vector(acc[i][j]);
}

#define NT_BLOCK(MR, NR) \
    case MR * 4 + NR: nt_block(MR, NR, k, a, lda, b, ldb, c, ldc, ahead, sums_in, sums_out); break;
#define NT_BLOCKS(MR) NT_BLOCK(MR, 1) NT_BLOCK(MR, 2) NT_BLOCK(MR, 3)

/// The block of C at rows i0..<i0+mr, columns j0..<j0+nr (mr <= 4, nr <= 3).
AVX2FMA ALWAYS_INLINE void nt_block_at(size_t i0, size_t j0, int mr, int nr, size_t k, const float *a,
                                       size_t lda, const float *b, size_t ldb, float *c, size_t ldc,
                                       nt_ahead *ahead, const float *sums_in, float *sums_out) {
    a += i0 * lda; b += j0 * ldb; c += i0 * ldc + j0;
    switch (mr * 4 + nr) { NT_BLOCKS(1) NT_BLOCKS(2) NT_BLOCKS(3) NT_BLOCKS(4) }
}

/// Rows of B in the next block when `left` remain: three, but two and two for the last four (a
/// lone row of B gives a block only four FMA chains, too few to keep both FMA units busy).
ALWAYS_INLINE int nt_block_columns(size_t left) { return left == 4 ? 2 : left < 3 ? (int)left : 3; }

/// Four rows of A of at most this many bytes stay in L1 (half of its 32 KiB) across a pass.
enum { NT_ROW_BLOCK_BYTES = 16384 };

/// Longer rows go in chunks of this many columns (four rows of a chunk: 12 KiB), the rows
/// this many blocks of four at a time (the lane sums of a group wait in memory between chunks).
enum { NT_CHUNK = 768, NT_GROUP_BLOCKS = 8 };

/// Blocks of B's rows `nt_block_columns` makes of n rows.
static size_t nt_column_blocks(size_t n) {
    size_t blocks = 0;
    for (size_t j0 = 0; j0 < n; j0 += (size_t)nt_block_columns(n - j0)) blocks++;
    return blocks;
}

/// The AVX-512 copy of a chunk's pass (`nt_chunked` on CPUs with AVX-512F): two rows of A per
/// vector. Vector g of pair r of `packed` holds A[2r][8g..<8g+8] then A[2r+1][8g..<8g+8]; a
/// block's lane sums hold an entry of row 2r in their low eight lanes and of row 2r+1 in their
/// high eight, each lane the FMA chain of the AVX2 copy (lane l over p ≡ l mod 8; a last partial
/// group as 0 * 0), eight columns of a row of B broadcast to both halves. Blocks of 4 x 4 (two
/// pairs, four rows of B: eight vectors of sums): half the loads and instructions per FMA of
/// the AVX2 blocks (the CIFAR-10 forward product, 20 x 128 x 3072, on data in cache 161 -> 148
/// us).
enum { NT512_COLUMNS = 4, NT512_SUMS = 2 * NT512_COLUMNS * 16 };

AVX512 ALWAYS_INLINE void nt512_block(int PAIRS, int NR, size_t len, const float *packed, size_t groups,
                                      const float *b, size_t ldb, float *c, size_t ldc, int rows,
                                      nt_ahead *ahead, const float *sums_in, float *sums_out) {
    __m512 acc[2][NT512_COLUMNS];
    for (int r = 0; r < PAIRS; r++)
        for (int j = 0; j < NR; j++)
            acc[r][j] = sums_in ? _mm512_loadu_ps(sums_in + (r * NT512_COLUMNS + j) * 16) : _mm512_setzero_ps();
    nt_ahead next = *ahead;     // in registers for the loop
    size_t g = 0, full = len / 8;
    for (; g < full; g++) {
        if (g < next.per_block) nt_prefetch_line(&next);
        __m512 av[2];
        for (int r = 0; r < PAIRS; r++) av[r] = _mm512_load_ps(packed + (r * groups + g) * 16);
        for (int j = 0; j < NR; j++) {
            __m256d eight = _mm256_castps_pd(_mm256_loadu_ps(b + j * ldb + 8 * g));
            __m512 bj = _mm512_castpd_ps(_mm512_broadcast_f64x4(eight));
            for (int r = 0; r < PAIRS; r++) acc[r][j] = _mm512_fmadd_ps(av[r], bj, acc[r][j]);
        }
    }
    *ahead = next;
    if (g < groups) {
        __m256i mask = lane_mask(len - 8 * g);
        __m512 av[2];
        for (int r = 0; r < PAIRS; r++) av[r] = _mm512_load_ps(packed + (r * groups + g) * 16);
        for (int j = 0; j < NR; j++) {
            __m256d eight = _mm256_castps_pd(_mm256_maskload_ps(b + j * ldb + 8 * g, mask));
            __m512 bj = _mm512_castpd_ps(_mm512_broadcast_f64x4(eight));
            for (int r = 0; r < PAIRS; r++) acc[r][j] = _mm512_fmadd_ps(av[r], bj, acc[r][j]);
        }
    }
    if (sums_out) {
        for (int r = 0; r < PAIRS; r++)
            for (int j = 0; j < NR; j++) _mm512_storeu_ps(sums_out + (r * NT512_COLUMNS + j) * 16, acc[r][j]);
        return;
    }
    for (int r = 0; r < PAIRS; r++)
        for (int j = 0; j < NR; j++) {
            __m256 low = _mm512_castps512_ps256(acc[r][j]);
            __m256 high = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[r][j]), 1));
            c[2 * r * ldc + j] = reduce_vector(low);
            if (2 * r + 1 < rows) c[(2 * r + 1) * ldc + j] = reduce_vector(high);
        }
}

#define NT512_BLOCK(P, NR) \
    case P * 8 + NR: nt512_block(P, NR, len, packed, groups, bj, ldb, cj, ldc, rows, ahead, in, out); break;
#define NT512_BLOCKS(P) NT512_BLOCK(P, 1) NT512_BLOCK(P, 2) NT512_BLOCK(P, 3) NT512_BLOCK(P, 4)

/// One chunk (`len` columns from `a`) of `rows` <= 4 rows of A against all n rows of B, AVX-512:
/// packs the rows in pairs (zeros past the rows and the chunk) and passes the blocks of B;
/// `sums` holds NT512_SUMS floats per block of B, read unless `first`, written unless `last`.
AVX512 static void nt512_pass(int rows, size_t len, const float *a, size_t lda, const float *b, size_t ldb,
                              size_t n, float *c, size_t ldc, nt_ahead *ahead, float *sums, int first, int last,
                              float *packed) {
    size_t groups = (len + 7) / 8, full = len / 8;
    for (int r = 0; r < (rows + 1) / 2; r++)
        for (int h = 0; h < 2; h++) {
            float *out = packed + r * groups * 16 + h * 8;
            if (2 * r + h >= rows) {
                for (size_t g = 0; g < groups; g++) _mm256_store_ps(out + g * 16, _mm256_setzero_ps());
                continue;
            }
            const float *row = a + (2 * r + h) * lda;
            for (size_t g = 0; g < full; g++) _mm256_store_ps(out + g * 16, _mm256_loadu_ps(row + 8 * g));
            if (full < groups) _mm256_store_ps(out + full * 16, _mm256_maskload_ps(row + 8 * full, lane_mask(len - 8 * full)));
        }
    for (size_t j0 = 0; j0 < n; j0 += NT512_COLUMNS, sums += NT512_SUMS) {
        int nr = n - j0 < NT512_COLUMNS ? (int)(n - j0) : NT512_COLUMNS;
        const float *bj = b + j0 * ldb, *in = first ? NULL : sums;
        float *cj = c + j0, *out = last ? NULL : sums;
        switch (((rows + 1) / 2) * 8 + nr) { NT512_BLOCKS(1) NT512_BLOCKS(2) }
    }
}

/// Floats of lane sums per block of B in the AVX2 copy's chunks (12 vectors of 8).
enum { NT_SUMS = 96 };

/// One chunk (`len` columns from `a`) of `rows` <= 4 rows of A against all n rows of B, AVX2:
/// copies the rows into `packed` contiguous and passes the blocks of B (`nt_block_columns`);
/// `sums` holds NT_SUMS floats per block of B, read unless `first`, written unless `last`.
AVX2FMA static void nt_pass(int rows, size_t len, const float *a, size_t lda, const float *b, size_t ldb,
                            size_t n, float *c, size_t ldc, nt_ahead *ahead, float *sums, int first, int last,
                            float *packed) {
    for (int r = 0; r < rows; r++) memcpy(packed + r * len, a + r * lda, len * sizeof(float));
    int nr;
    for (size_t j0 = 0; j0 < n; j0 += nr, sums += NT_SUMS) {
        nr = nt_block_columns(n - j0);
        nt_block_at(0, j0, rows, nr, len, packed, len, b, ldb, c, ldc, ahead, first ? NULL : sums, last ? NULL : sums);
    }
}

/// `nt_pass` or `nt512_pass`.
typedef void (*nt_pass_fn)(int rows, size_t len, const float *a, size_t lda, const float *b, size_t ldb,
                           size_t n, float *c, size_t ldc, nt_ahead *ahead, float *sums, int first, int last,
                           float *packed);

/// `C = A Bᵀ` for rows of A too long for four of them to stay in L1 (CIFAR-10's 3072 floats):
/// K in chunks of NT_CHUNK columns. Per chunk, each block of four rows of A is copied into a
/// contiguous buffer (rows a multiple of 4 KiB apart, as CIFAR-10's are, would share their L1
/// sets) and passes every block of B's rows; the lane sums carry over between chunks and are
/// reduced after the last, so every entry gets the operations of one pass. Meanwhile the next
/// segment of A (this chunk's next four rows, else the next chunk's or group's first ones, at
/// the very end `next_a`'s) is prefetched (`nt_ahead`). Each chunk of four rows is one
/// `nt_pass`, or with `wide` one `nt512_pass` (the AVX-512 copy). Returns 0, having done nothing, when its scratch (at most 132 KB on n = 128)
/// cannot be allocated.
AVX2FMA static int nt_chunked(size_t m, size_t n, size_t k, const float *a, size_t lda,
                              const float *b, size_t ldb, float *c, size_t ldc, const float *next_a, int wide) {
    nt_pass_fn pass = wide ? nt512_pass : nt_pass;
    size_t blocks = wide ? (n + NT512_COLUMNS - 1) / NT512_COLUMNS : nt_column_blocks(n), row_blocks = (m + 3) / 4;
    size_t per_block = wide ? NT512_SUMS : NT_SUMS;  // floats of lane sums per block of B
    float *sums = malloc((row_blocks < NT_GROUP_BLOCKS ? row_blocks : NT_GROUP_BLOCKS) * blocks * per_block * sizeof(float));
    if (!sums) return 0;
    float packed[4 * NT_CHUNK] __attribute__((aligned(64)));
    size_t group_rows = 4 * NT_GROUP_BLOCKS;
    for (size_t g0 = 0; g0 < m; g0 += group_rows) {
        size_t g1 = m - g0 < group_rows ? m : g0 + group_rows;
        for (size_t p0 = 0; p0 < k; p0 += NT_CHUNK) {
            size_t len = k - p0 < NT_CHUNK ? k - p0 : NT_CHUNK;
            int first = p0 == 0, last = p0 + len == k;
            for (size_t i0 = g0; i0 < g1; i0 += 4) {
                int mr = g1 - i0 < 4 ? (int)(g1 - i0) : 4;
                // The next segment: its first row, row count and length.
                const float *next = NULL;
                size_t next_rows = 0, next_len = 0;
                if (i0 + 4 < g1) {
                    next = a + (i0 + 4) * lda + p0; next_rows = g1 - i0 - 4; next_len = len;
                } else if (!last) {
                    next = a + g0 * lda + p0 + len; next_rows = g1 - g0; next_len = k - p0 - len;
                } else if (g1 < m) {
                    next = a + g1 * lda; next_rows = m - g1; next_len = k;
                } else if (next_a) {
                    next = next_a; next_rows = 4; next_len = k;
                }
                nt_ahead ahead = nt_ahead_of(next, next_rows, lda, next_len < NT_CHUNK ? next_len : NT_CHUNK, blocks);

                pass(mr, len, a + i0 * lda + p0, lda, b + p0, ldb, n, c + i0 * ldc, ldc, &ahead,
                     sums + (i0 - g0) / 4 * blocks * per_block, first, last, packed);
            }
        }
    }
    free(sums);
    return 1;
}

AVX2FMA static void nt_avx2(size_t m, size_t n, size_t k, const float *a, size_t lda,
                            const float *b, size_t ldb, float *c, size_t ldc, const float *next_a, int wide) {
    // Blocks of four rows of A against up to three rows of B, four rows of A staying in L1
    // while they pass every block of B: whole rows when they fit in half of L1 (12.5 KiB on the
    // MNIST MLP), else chunks of them (`nt_chunked`; one CIFAR-10 image row is 12 KiB; with
    // AVX-512 when `wide`). The order of the blocks changes no entry's operations.
    if (4 * k * sizeof(float) <= NT_ROW_BLOCK_BYTES) {
        // While a block of A's rows passes the rows of B, the next block of A (the last one:
        // the first rows of `next_a`) is prefetched (`nt_ahead`; the MNIST MLP's forward
        // product, 20 x 16 x 784, on consecutive mini-batches of a 50,000-row array: 8.8 ->
        // 5.6 us; on rows already in cache it takes 4.7 us).
        size_t blocks = nt_column_blocks(n);
        for (size_t i0 = 0; i0 < m; i0 += 4) {
            int mr = m - i0 < 4 ? (int)(m - i0) : 4, nr;
            nt_ahead ahead = i0 + 4 < m ? nt_ahead_of(a + (i0 + 4) * lda, m - i0 - 4, lda, k, blocks)
                                        : nt_ahead_of(next_a, 4, lda, k, blocks);
            for (size_t j0 = 0; j0 < n; j0 += nr) {
                nr = nt_block_columns(n - j0);
                nt_block_at(i0, j0, mr, nr, k, a, lda, b, ldb, c, ldc, &ahead, NULL, NULL);
            }
        }
    } else if (!nt_chunked(m, n, k, a, lda, b, ldb, c, ldc, next_a, wide)) {
        // No memory for the chunks' scratch: the reference copy (the same bits, slower).
        nt_reference(m, n, k, a, lda, b, ldb, c, ldc);
    }
}

/// An MR x (8 NV) block of C = alpha A B + beta C: MR rows of C, NV vectors of 8 columns, the
/// last one holding `tail` columns when MASKED. Each entry is one FMA chain over t (6 x 2:
/// twelve sums, two vectors of B, one broadcast of A).
AVX2FMA ALWAYS_INLINE void accumulate_block(int MR, int NV, int MASKED, size_t tail, size_t depth,
                                            const float *a, size_t a_row, size_t a_depth,
                                            const float *b, size_t ldb, float *c, size_t ldc,
                                            float alpha, float beta) {
    __m256 acc[6][2];
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++) acc[i][v] = _mm256_setzero_ps();
    __m256i mask = lane_mask(MASKED ? tail : 8);
    for (size_t t = 0; t < depth; t++) {
        __m256 bv[2];
        for (int v = 0; v < NV; v++)
            bv[v] = MASKED && v == NV - 1 ? _mm256_maskload_ps(b + t * ldb + 8 * v, mask)
                                          : _mm256_loadu_ps(b + t * ldb + 8 * v);
        for (int i = 0; i < MR; i++) {
            __m256 ai = _mm256_broadcast_ss(a + i * a_row + t * a_depth);
            for (int v = 0; v < NV; v++) acc[i][v] = _mm256_fmadd_ps(ai, bv[v], acc[i][v]);
        }
    }
    __m256 va = _mm256_set1_ps(alpha);
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++) {
            float *cv = c + i * ldc + 8 * v;
            int partial = MASKED && v == NV - 1;
            __m256 out;
            if (beta == 0) {
                out = alpha == 1 ? acc[i][v] : _mm256_mul_ps(va, acc[i][v]);
            } else {
                __m256 old = partial ? _mm256_maskload_ps(cv, mask) : _mm256_loadu_ps(cv);
                out = _mm256_fmadd_ps(va, acc[i][v], old);
            }
            if (partial) _mm256_maskstore_ps(cv, mask, out); else _mm256_storeu_ps(cv, out);
        }
}

#define ACC_BLOCK(MR, NV, MASKED) \
    case (MR * 4 + NV) * 2 + MASKED: \
        accumulate_block(MR, NV, MASKED, tail, depth, ab, a_row, a_depth, bb, ldb, cb, ldc, alpha, beta); break;
#define ACC_BLOCKS(MR) ACC_BLOCK(MR, 1, 0) ACC_BLOCK(MR, 2, 0) ACC_BLOCK(MR, 1, 1) ACC_BLOCK(MR, 2, 1)

/// Columns `0..<k` of C = alpha A B + beta C (b and c pointing at the first of them): six rows
/// of C at a time, 16 columns (two vectors) per block.
AVX2FMA static void accumulate_columns(size_t m, size_t k, size_t depth, const float *a, size_t a_row,
                                       size_t a_depth, const float *b, size_t ldb, float *c, size_t ldc,
                                       float alpha, float beta) {
    for (size_t i0 = 0; i0 < m; i0 += 6) {
        int mr = m - i0 < 6 ? (int)(m - i0) : 6;
        for (size_t p0 = 0; p0 < k; p0 += 16) {
            size_t width = k - p0 < 16 ? k - p0 : 16;
            int nv = (int)((width + 7) / 8), masked = width % 8 != 0;
            size_t tail = width % 8;
            const float *ab = a + i0 * a_row, *bb = b + p0;
            float *cb = c + i0 * ldc + p0;
            switch ((mr * 4 + nv) * 2 + masked) {
                ACC_BLOCKS(1) ACC_BLOCKS(2) ACC_BLOCKS(3) ACC_BLOCKS(4) ACC_BLOCKS(5) ACC_BLOCKS(6)
            }
        }
    }
}

// MARK: - The AVX-512 copy of accumulate: the same operations, 16 columns per vector

/// An MR x (16 NV) block of C = alpha A B + beta C: MR rows of C, NV vectors of 16 columns, the
/// last one holding `tail` columns when MASKED. Each entry is the same FMA chain over t as in
/// the AVX2 copy (4 x 4: sixteen sums, four vectors of B, one broadcast of A). AVX-512's wider
/// vectors halve the loads and instructions per FMA: the CIFAR-10 MLP's weight update (128 x
/// 3072, depth 20) on data in cache 165 -> 153 us.
AVX512 ALWAYS_INLINE void accumulate_block512(int MR, int NV, int MASKED, size_t tail, size_t depth,
                                              const float *a, size_t a_row, size_t a_depth,
                                              const float *b, size_t ldb, float *c, size_t ldc,
                                              float alpha, float beta) {
    __m512 acc[4][4];
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++) acc[i][v] = _mm512_setzero_ps();
    __mmask16 mask = MASKED ? (__mmask16)((1u << tail) - 1) : (__mmask16)0xFFFF;
    for (size_t t = 0; t < depth; t++) {
        __m512 bv[4];
        for (int v = 0; v < NV; v++)
            bv[v] = MASKED && v == NV - 1 ? _mm512_maskz_loadu_ps(mask, b + t * ldb + 16 * v)
                                          : _mm512_loadu_ps(b + t * ldb + 16 * v);
        for (int i = 0; i < MR; i++) {
            __m512 ai = _mm512_set1_ps(a[i * a_row + t * a_depth]);
            for (int v = 0; v < NV; v++) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
        }
    }
    __m512 va = _mm512_set1_ps(alpha);
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++) {
            float *cv = c + i * ldc + 16 * v;
            int partial = MASKED && v == NV - 1;
            __m512 out;
            if (beta == 0) {
                out = alpha == 1 ? acc[i][v] : _mm512_mul_ps(va, acc[i][v]);
            } else {
                __m512 old = partial ? _mm512_maskz_loadu_ps(mask, cv) : _mm512_loadu_ps(cv);
                out = _mm512_fmadd_ps(va, acc[i][v], old);
            }
            if (partial) _mm512_mask_storeu_ps(cv, mask, out); else _mm512_storeu_ps(cv, out);
        }
}

#define ACC512_BLOCK(MR, NV, MASKED) \
    case (MR * 5 + NV) * 2 + MASKED: \
        accumulate_block512(MR, NV, MASKED, tail, depth, ab, a_row, a_depth, bb, ldb, cb, ldc, alpha, beta); break;
#define ACC512_BLOCKS(MR) ACC512_BLOCK(MR, 1, 0) ACC512_BLOCK(MR, 2, 0) ACC512_BLOCK(MR, 3, 0) ACC512_BLOCK(MR, 4, 0) \
    ACC512_BLOCK(MR, 1, 1) ACC512_BLOCK(MR, 2, 1) ACC512_BLOCK(MR, 3, 1) ACC512_BLOCK(MR, 4, 1)

/// `accumulate_columns` with AVX-512: four rows of C at a time, 64 columns (four vectors) per
/// block.
AVX512 static void accumulate_columns512(size_t m, size_t k, size_t depth, const float *a, size_t a_row,
                                         size_t a_depth, const float *b, size_t ldb, float *c, size_t ldc,
                                         float alpha, float beta) {
    for (size_t i0 = 0; i0 < m; i0 += 4) {
        int mr = m - i0 < 4 ? (int)(m - i0) : 4;
        for (size_t p0 = 0; p0 < k; p0 += 64) {
            size_t width = k - p0 < 64 ? k - p0 : 64;
            int nv = (int)((width + 15) / 16), masked = width % 16 != 0;
            size_t tail = width % 16;
            const float *ab = a + i0 * a_row, *bb = b + p0;
            float *cb = c + i0 * ldc + p0;
            switch ((mr * 5 + nv) * 2 + masked) { ACC512_BLOCKS(1) ACC512_BLOCKS(2) ACC512_BLOCKS(3) ACC512_BLOCKS(4) }
        }
    }
}

/// Floats of B copied per panel: 16 KiB, half of a 32 KiB L1 data cache.
enum { PANEL_FLOATS = 4096 };

/// Whether more than four of B's `depth` rows, `ldb` floats apart, put the same column in one
/// set of an L1 cache of 64-byte lines and 64 sets (4 KiB per way, 8 ways): rows a multiple of
/// 4 KiB apart all do (a CIFAR-10 image row is 12 KiB), and a block's loads evict each other.
static int rows_crowd_cache_sets(size_t depth, size_t ldb) {
    size_t common = 4096, bytes = ldb * sizeof(float);     // gcd(bytes, 4096)
    while (common > 1 && bytes % common != 0) common /= 2;
    size_t period = 4096 / common;                         // rows before the set offset repeats
    return (depth + period - 1) / period > 4;
}

/// `accumulate_columns` or its AVX-512 copy.
typedef void (*accumulate_columns_fn)(size_t m, size_t k, size_t depth, const float *a, size_t a_row,
                                      size_t a_depth, const float *b, size_t ldb, float *c, size_t ldc,
                                      float alpha, float beta);

AVX2FMA static void accumulate_vectors(accumulate_columns_fn columns, size_t m, size_t k, size_t depth,
                                       const float *a, size_t a_row, size_t a_depth, const float *b,
                                       size_t ldb, float *c, size_t ldc, float alpha, float beta) {
    size_t panel = depth == 0 ? 0 : (PANEL_FLOATS / depth) & ~(size_t)15;
    if (panel < 16 || !rows_crowd_cache_sets(depth, ldb)) {
        columns(m, k, depth, a, a_row, a_depth, b, ldb, c, ldc, alpha, beta);
        return;
    }
    // Crowded rows: copy B a panel of columns at a time into contiguous rows on the stack, and
    // pass every row of C over the panel. A copy moves no bits, so the result is unchanged.
    float packed[PANEL_FLOATS] __attribute__((aligned(64)));
    for (size_t q0 = 0; q0 < k; q0 += panel) {
        size_t width = k - q0 < panel ? k - q0 : panel;
        for (size_t t = 0; t < depth; t++)
            for (size_t p = 0; p < width; p++) packed[t * width + p] = b[t * ldb + q0 + p];
        columns(m, width, depth, a, a_row, a_depth, packed, width, c + q0, ldc, alpha, beta);
    }
}
#endif

// MARK: - Dispatch

static int level_limit = 0;

int teleport_product_kernel_level(void) {
    int level = 1;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        level = __builtin_cpu_supports("avx512f") ? 3 : 2;
#endif
    return level_limit > 0 && level_limit < level ? level_limit : level;
}

void teleport_product_limit_level(int level) { level_limit = level; }

void teleport_product_nt(size_t m, size_t n, size_t k, const float *a, size_t lda,
                         const float *b, size_t ldb, float *c, size_t ldc) {
    teleport_product_nt_then(m, n, k, a, lda, b, ldb, c, ldc, NULL);
}

void teleport_product_nt_then(size_t m, size_t n, size_t k, const float *a, size_t lda,
                              const float *b, size_t ldb, float *c, size_t ldc, const float *next_a) {
#if defined(__x86_64__)
    int level = teleport_product_kernel_level();
    if (level >= 2) { nt_avx2(m, n, k, a, lda, b, ldb, c, ldc, next_a, level == 3); return; }
#endif
    nt_reference(m, n, k, a, lda, b, ldb, c, ldc);
}

void teleport_product_accumulate(size_t m, size_t k, size_t depth, const float *a, size_t a_row,
                                 size_t a_depth, const float *b, size_t ldb, float *c, size_t ldc,
                                 float alpha, float beta) {
#if defined(__x86_64__)
    int level = teleport_product_kernel_level();
    if (level >= 2) {
        accumulate_vectors(level == 3 ? accumulate_columns512 : accumulate_columns,
                           m, k, depth, a, a_row, a_depth, b, ldb, c, ldc, alpha, beta);
        return;
    }
#endif
    accumulate_reference(m, k, depth, a, a_row, a_depth, b, ldb, c, ldc, alpha, beta);
}

