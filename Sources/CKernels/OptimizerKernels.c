#include "OptimizerKernels.h"

#include <math.h>

// Each update is written once, as a plain loop, and compiled into a baseline and an AVX2
// function. Contracting a * b + c into a fused multiply-add would change the last bits, so it
// is off; AVX2 alone has no FMA either.
#pragma clang fp contract(off)

#define ALWAYS_INLINE static inline __attribute__((always_inline))

// The square root of a never-negative accumulator; fabsf tells the compiler it is not
// negative, so no errno path keeps the loop scalar (the Swift loops do the same).
ALWAYS_INLINE float root(float x) { return __builtin_sqrtf(fabsf(x)); }

ALWAYS_INLINE void momentum(size_t n, float *restrict p, const float *restrict g,
                            float *restrict b, float lr, float mu, int first_step) {
    if (first_step) {
        for (size_t i = 0; i < n; i++) { b[i] = g[i]; p[i] -= lr * g[i]; }
    } else {
        for (size_t i = 0; i < n; i++) { b[i] = mu * b[i] + g[i]; p[i] -= lr * b[i]; }
    }
}

ALWAYS_INLINE void adagrad(size_t n, float *restrict p, const float *restrict g,
                           float *restrict s, float lr, float eps) {
    for (size_t i = 0; i < n; i++) {
        s[i] += g[i] * g[i];
        p[i] -= lr * (g[i] / (root(s[i]) + eps));
    }
}

ALWAYS_INLINE void rmsprop(size_t n, float *restrict p, const float *restrict g,
                           float *restrict v, float lr, float alpha, float eps) {
    float keep = 1 - alpha;
    for (size_t i = 0; i < n; i++) {
        v[i] = alpha * v[i] + keep * g[i] * g[i];
        p[i] -= lr * (g[i] / (root(v[i]) + eps));
    }
}

ALWAYS_INLINE void adam(size_t n, float *restrict p, const float *restrict g,
                        float *restrict m, float *restrict v, float step_size,
                        float correction2, float b1, float b2, float eps) {
    float keep1 = 1 - b1, keep2 = 1 - b2;
    for (size_t i = 0; i < n; i++) {
        m[i] = b1 * m[i] + keep1 * g[i];
        v[i] = b2 * v[i] + keep2 * g[i] * g[i];
        p[i] -= step_size * (m[i] / (root(v[i]) / correction2 + eps));
    }
}

// The two compiled copies of every update.
#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2")))
#define COPIES(name, params, args)                               \
    static void name##_baseline params { name args; }            \
    AVX2 static void name##_avx2 params { name args; }
#else
#define COPIES(name, params, args)                               \
    static void name##_baseline params { name args; }            \
    static void name##_avx2 params { name args; }
#endif

COPIES(momentum, (size_t n, float *p, const float *g, float *b, float lr, float mu, int f),
       (n, p, g, b, lr, mu, f))
COPIES(adagrad, (size_t n, float *p, const float *g, float *s, float lr, float eps),
       (n, p, g, s, lr, eps))
COPIES(rmsprop, (size_t n, float *p, const float *g, float *v, float lr, float a, float eps),
       (n, p, g, v, lr, a, eps))
COPIES(adam, (size_t n, float *p, const float *g, float *m, float *v, float ss, float c2,
              float b1, float b2, float eps),
       (n, p, g, m, v, ss, c2, b1, b2, eps))

static int forced_baseline = 0;

int teleport_optimizer_kernel_level(void) {
#if defined(__x86_64__)
    if (!forced_baseline && __builtin_cpu_supports("avx2")) return 2;
#endif
    return 1;
}

void teleport_optimizer_force_baseline(int force) { forced_baseline = force; }

#define DISPATCH(name, args) \
    if (teleport_optimizer_kernel_level() == 2) name##_avx2 args; else name##_baseline args;

void teleport_optimizer_momentum(size_t n, float *p, const float *g, float *b,
                                 float lr, float mu, int first_step) {
    DISPATCH(momentum, (n, p, g, b, lr, mu, first_step))
}

void teleport_optimizer_adagrad(size_t n, float *p, const float *g, float *s,
                                float lr, float eps) {
    DISPATCH(adagrad, (n, p, g, s, lr, eps))
}

void teleport_optimizer_rmsprop(size_t n, float *p, const float *g, float *v,
                                float lr, float alpha, float eps) {
    DISPATCH(rmsprop, (n, p, g, v, lr, alpha, eps))
}

void teleport_optimizer_adam(size_t n, float *p, const float *g, float *m, float *v,
                             float step_size, float correction2, float b1, float b2, float eps) {
    DISPATCH(adam, (n, p, g, m, v, step_size, correction2, b1, b2, eps))
}
