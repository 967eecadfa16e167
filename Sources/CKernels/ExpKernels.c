#include "ExpKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Only the fused multiply-adds written out below; the compiler must not contract anything else.
#pragma clang fp contract(off)

// glibc's expf (sysdeps/ieee754/flt-32/e_expf.c, from Arm's optimized-routines), N = 32:
// with x in double, k = round(x * 32 / ln 2), r = x * 32 / ln 2 - k, exp(x) = 2^(k/32) * p(r),
// 2^(k/32) = T[k mod 32] scaled by 2^floor(k/32) through the exponent bits.

/// tab[i] = bits of 2^(i/32) minus (i << 47).
static const uint64_t exp_table[32] = {
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
};
static const double inv_ln2_n = 0x1.71547652b82fep+5;            // 32 / ln 2
static const double shift = 0x1.8p+52;                           // rounds to an integer
static const double c0 = 0x1.c6af84b912394p-20, c1 = 0x1.ebfce50fac4f3p-13, c2 = 0x1.62e42ff0c52d6p-6;

/// Whether x is outside the main range: |x| >= 88 (top 12 bits of |x| above 0x42a), inf or NaN.
static inline int special(uint32_t bits) { return ((bits >> 20) & 0x7ff) > 0x42a; }

static inline uint64_t as_u64(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static inline double as_f64(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

static float exp_reference(float x) {
    uint32_t bits;
    memcpy(&bits, &x, 4);
    if (special(bits)) return expf(x);
    double xd = x;
    double kd = fma(inv_ln2_n, xd, shift);
    uint64_t ki = as_u64(kd);
    kd -= shift;
    double r = fma(inv_ln2_n, xd, -kd);
    double s = as_f64(exp_table[ki % 32] + (ki << 47));
    double z = fma(c0, r, c1);
    double r2 = r * r;
    double y = fma(c2, r, 1.0);
    y = fma(z, r2, y);
    return (float)(y * s);
}

#if defined(__x86_64__)
#define AVX2FMA __attribute__((target("avx2,fma")))

/// The same operations on four lanes.
AVX2FMA static inline __m128 exp4(__m128 x) {
    const __m256d n = _mm256_set1_pd(inv_ln2_n), sh = _mm256_set1_pd(shift);
    __m256d xd = _mm256_cvtps_pd(x);
    __m256d kd = _mm256_fmadd_pd(n, xd, sh);
    __m256i ki = _mm256_castpd_si256(kd);
    kd = _mm256_sub_pd(kd, sh);
    __m256d r = _mm256_fmsub_pd(n, xd, kd);
    __m256i index = _mm256_and_si256(ki, _mm256_set1_epi64x(31));
    __m256i t = _mm256_i64gather_epi64((const long long *)exp_table, index, 8);
    __m256d s = _mm256_castsi256_pd(_mm256_add_epi64(t, _mm256_slli_epi64(ki, 47)));
    __m256d z = _mm256_fmadd_pd(_mm256_set1_pd(c0), r, _mm256_set1_pd(c1));
    __m256d r2 = _mm256_mul_pd(r, r);
    __m256d y = _mm256_fmadd_pd(_mm256_set1_pd(c2), r, _mm256_set1_pd(1.0));
    y = _mm256_fmadd_pd(z, r2, y);
    return _mm256_cvtpd_ps(_mm256_mul_pd(y, s));
}

AVX2FMA static void exp_avx2(size_t n, const float *x, float *y) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256i top = _mm256_and_si256(_mm256_srli_epi32(_mm256_castps_si256(v), 20), _mm256_set1_epi32(0x7ff));
        if (!_mm256_testz_si256(_mm256_cmpgt_epi32(top, _mm256_set1_epi32(0x42a)), _mm256_set1_epi32(-1))) {
            for (size_t l = 0; l < 8; l++) y[i + l] = exp_reference(x[i + l]);
            continue;
        }
        __m128 lo = exp4(_mm256_castps256_ps128(v)), hi = exp4(_mm256_extractf128_ps(v, 1));
        _mm256_storeu_ps(y + i, _mm256_set_m128(hi, lo));
    }
    for (; i < n; i++) y[i] = exp_reference(x[i]);
}
#endif

static int forced_reference = 0;

int teleport_exp_kernel_level(void) {
#if defined(__x86_64__)
    if (!forced_reference && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 2;
#endif
    return 1;
}

void teleport_exp_force_reference(int force) { forced_reference = force; }

void teleport_exp(size_t n, const float *x, float *y) {
#if defined(__x86_64__)
    if (teleport_exp_kernel_level() == 2) { exp_avx2(n, x, y); return; }
#endif
    for (size_t i = 0; i < n; i++) y[i] = exp_reference(x[i]);
}

unsigned long long teleport_exp_count_differences_from_libm(unsigned int first, unsigned int last,
                                                            unsigned int stride) {
    enum { CHUNK = 4096 };
    float x[CHUNK], y[CHUNK];
    unsigned long long differences = 0;
    uint64_t b = first;
    while (b <= last) {
        size_t count = 0;
        for (; count < CHUNK && b <= last; count++, b += stride) {
            uint32_t bits = (uint32_t)b;
            memcpy(&x[count], &bits, 4);
        }
        teleport_exp(count, x, y);
        for (size_t i = 0; i < count; i++) {
            float expected = expf(x[i]);
            if (isnan(expected) ? !isnan(y[i]) : memcmp(&expected, &y[i], 4) != 0) differences++;
        }
        if (stride == 0) break;
    }
    return differences;
}
