/*
 * Signature registry: canonical signature string -> dense id (1, 2, ...).
 * See wasmaot_rt.h section 4 for why ids come from a runtime registry rather
 * than a compile-time hash.
 *
 * Open addressing over a power-of-two slot array at least twice the
 * capacity (load factor <= 1/2, so probes stay short and a free slot always
 * exists).  Static storage only: no malloc, usable on bare metal.  The
 * registry stores the caller's pointer (strings must be static) and never
 * removes entries: ids stay valid for the whole process, so funcrefs that
 * outlive an instance still compare correctly.
 */
#include "wasmaot_platform.h"

#define SLOT_BITS_FOR(n) ((n) <= 64 ? 7 : (n) <= 256 ? 9 : (n) <= 1024 ? 11 : (n) <= 4096 ? 13 : \
                          (n) <= 16384 ? 15 : (n) <= 65536 ? 17 : 20)
#define SLOTS (1u << SLOT_BITS_FOR(WASMAOT_MAX_SIGNATURES))
_Static_assert(SLOTS >= 2u * WASMAOT_MAX_SIGNATURES, "WASMAOT_MAX_SIGNATURES too large for the registry");

static const char *by_id[WASMAOT_MAX_SIGNATURES + 1]; /* by_id[0] unused: id 0 = no type */
static uint32_t slot_id[SLOTS];                        /* 0 = empty */
static uint32_t count;

static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

uint32_t wasmaot_rt_intern_signature(const char *sig) {
    if (sig == NULL) return 0;
    uint32_t i = fnv1a(sig) & (SLOTS - 1);
    for (;; i = (i + 1) & (SLOTS - 1)) {
        uint32_t id = slot_id[i];
        if (id == 0) break;
        if (wasmaot_rt_strcmp(by_id[id], sig) == 0) return id;
    }
    if (count >= WASMAOT_MAX_SIGNATURES) return 0;
    uint32_t id = ++count;
    by_id[id] = sig;
    slot_id[i] = id;
    return id;
}

const char *wasmaot_rt_signature_string(uint32_t id) {
    return (id >= 1 && id <= count) ? by_id[id] : NULL;
}
