#include "StreamKernels.h"

// Each loop is written once and compiled into a baseline and an AVX2 function (the compiler
// vectorises them: tempering is lane-wise, the refill's dependences are 1 word ahead (not yet
// rewritten) or 227 words behind, and the sum of squares is an integer sum). The float
// operations are exactly rounded; contraction into fused multiply-adds is off.
#pragma clang fp contract(off)

#define ALWAYS_INLINE static inline __attribute__((always_inline))

ALWAYS_INLINE uint32_t temper(uint32_t y) {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9D2C5680u;
    y ^= (y << 15) & 0xEFC60000u;
    y ^= y >> 18;
    return y;
}

ALWAYS_INLINE uint32_t mix(uint32_t current, uint32_t next, uint32_t far) {
    uint32_t y = (current & 0x80000000u) | (next & 0x7FFFFFFFu);
    return far ^ (y >> 1) ^ ((y & 1u) ? 0x9908B0DFu : 0u);
}

ALWAYS_INLINE void twist(uint32_t *restrict mt) {
    for (int i = 0; i < 227; i++) mt[i] = mix(mt[i], mt[i + 1], mt[i + 397]);
    for (int i = 227; i < 623; i++) mt[i] = mix(mt[i], mt[i + 1], mt[i - 227]);
    mt[623] = mix(mt[623], mt[0], mt[396]);
}

ALWAYS_INLINE uint64_t uniform_squares(size_t n, const uint32_t *restrict words, float *restrict values) {
    uint64_t sum = 0;
    if (values) {
        for (size_t i = 0; i < n; i++) {
            uint32_t m = temper(words[i]) & 0xFFFFFFu;
            values[i] = (float)m * 0x1.0p-24f;
            sum += (uint64_t)m * m;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            uint32_t m = temper(words[i]) & 0xFFFFFFu;
            sum += (uint64_t)m * m;
        }
    }
    return sum;
}

ALWAYS_INLINE void uniform_perturb(size_t n, const uint32_t *restrict words, const float *restrict base,
                                   float norm, float scale, float *restrict out) {
    for (size_t i = 0; i < n; i++) {
        float value = (float)(temper(words[i]) & 0xFFFFFFu) * 0x1.0p-24f;
        out[i] = base[i] + value / norm * scale;
    }
}

#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2")))
#else
#define AVX2
#endif

static void twist_baseline(uint32_t *mt) { twist(mt); }
AVX2 static void twist_avx2(uint32_t *mt) { twist(mt); }
static uint64_t squares_baseline(size_t n, const uint32_t *w, float *v) { return uniform_squares(n, w, v); }
AVX2 static uint64_t squares_avx2(size_t n, const uint32_t *w, float *v) { return uniform_squares(n, w, v); }
static void perturb_baseline(size_t n, const uint32_t *w, const float *b, float norm, float s, float *o) {
    uniform_perturb(n, w, b, norm, s, o);
}
AVX2 static void perturb_avx2(size_t n, const uint32_t *w, const float *b, float norm, float s, float *o) {
    uniform_perturb(n, w, b, norm, s, o);
}

static int forced_baseline = 0;

int teleport_stream_kernel_level(void) {
#if defined(__x86_64__)
    if (!forced_baseline && __builtin_cpu_supports("avx2")) return 2;
#endif
    return 1;
}

void teleport_stream_force_baseline(int force) { forced_baseline = force; }

void teleport_mt_twist(uint32_t *state) {
    if (teleport_stream_kernel_level() == 2) twist_avx2(state); else twist_baseline(state);
}

uint64_t teleport_mt_uniform_squares(size_t n, const uint32_t *words, float *values) {
    return teleport_stream_kernel_level() == 2 ? squares_avx2(n, words, values) : squares_baseline(n, words, values);
}

void teleport_mt_uniform_perturb(size_t n, const uint32_t *words, const float *base,
                                 float norm, float scale, float *out) {
    if (teleport_stream_kernel_level() == 2) perturb_avx2(n, words, base, norm, scale, out);
    else perturb_baseline(n, words, base, norm, scale, out);
}
