/*
 * Helpers for hand-written "compiled modules": C files that implement the
 * descriptor ABI of backends/ABI.md the way the emitter will, so the hosts
 * (spec driver, standalone main) can be tested without the emitter.
 */
#ifndef FAKE_H
#define FAKE_H

#include "wasmaot_rt.h"

#include <stddef.h>
#include <string.h>

#define FAKE_OFF(T, f) ((uint32_t)offsetof(T, f))
#define FAKE_NO_MAX 0xFFFFFFFFu

static inline void fake_func(wasmaot_funcref *f, const void *fn, const char *sig, void *inst) {
    f->func = fn;
    f->type_id = wasmaot_rt_intern_signature(sig);
    f->instance = inst;
}

static inline float fake_f32(uint64_t s) { uint32_t b = (uint32_t)s; float f; memcpy(&f, &b, 4); return f; }
static inline double fake_f64(uint64_t s) { double d; memcpy(&d, &s, 8); return d; }
static inline uint64_t fake_f32_bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
static inline uint64_t fake_f64_bits(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }

#endif
