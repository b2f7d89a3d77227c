/*
 * strings.c -- string transcoding between guest memories, exactly as
 * CanonicalABI.md's load_string_from_range + store_string_into_range
 * (wasmaot_canon.h section 4).  Freestanding: no library routine at all on
 * bare metal (see move_bytes).
 *
 * Structure: a validating scan of the source (check_*) computes everything
 * the store algorithms need up front (lengths in UTF-8 and UTF-16, the
 * largest code point), so that a bad source traps before the destination's
 * realloc is ever called, as in the spec (which decodes first).  The store
 * algorithms then re-read the source (it is valid now: decoding needs no
 * checks) and write the destination.  A realloc may grow or move either
 * memory (they may be one), so both bases are re-read from the views after
 * every realloc; loops between two reallocs keep them in locals.
 */
#include "wasmaot_canon.h"

#define OK WASMAOT_CANON_OK

/* memmove.  Hosted builds use the C library's (vectorized); freestanding
 * builds a plain loop, because clang lowers __builtin_memmove to
 * __aeabi_memmove on ARM EABI, which a -nostdlib image does not have
 * (core/string.c makes the same choice; this layer does not link the core).
 * -ffreestanding keeps clang from turning the loop back into a call. */
static void move_bytes(uint8_t *d, const uint8_t *s, uint32_t n) {
#if defined(__STDC_HOSTED__) && __STDC_HOSTED__
    if (n != 0)
        __builtin_memmove(d, s, n);
#else
    if ((uintptr_t)d < (uintptr_t)s)
        for (uint32_t i = 0; i < n; i++) d[i] = s[i];
    else if (d != s)
        for (uint32_t i = n; i-- > 0;) d[i] = s[i];
#endif
}

/* ------------------------------------------------------- source reading */

/* A cursor over a validated source string.  Offsets, not pointers: the
 * memory may move while a store runs. */
typedef struct src_cursor {
    const wasmaot_canon_mem *mem;
    uint32_t enc;    /* simple encoding: UTF8, UTF16, or LATIN1_UTF16 for Latin-1 */
    uint32_t pos;    /* byte offset in memory of the next code point */
    uint32_t end;    /* byte offset just past the string */
} src_cursor;

static uint32_t u16_at(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }

/* The code point of the well-formed UTF-8 sequence at p; *len its bytes. */
static uint32_t utf8_decode(const uint8_t *p, uint32_t *len) {
    if (p[0] < 0x80) {
        *len = 1;
        return p[0];
    }
    uint32_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
    uint32_t cp = p[0] & (0x7Fu >> n);
    for (uint32_t k = 1; k < n; k++)
        cp = cp << 6 | (p[k] & 0x3Fu);
    *len = n;
    return cp;
}

/* The code point of the well-formed UTF-16 at p; *len its bytes. */
static uint32_t utf16_decode(const uint8_t *p, uint32_t *len) {
    uint32_t u = u16_at(p);
    if (u < 0xD800 || u > 0xDBFF) {
        *len = 2;
        return u;
    }
    *len = 4;
    return 0x10000 + ((u - 0xD800) << 10) + (u16_at(p + 2) - 0xDC00);
}

/* The code point at p in simple encoding enc (well formed); *len its bytes. */
static uint32_t decode(const uint8_t *p, uint32_t enc, uint32_t *len) {
    if (enc == WASMAOT_CANON_UTF16)
        return utf16_decode(p, len);
    if (enc == WASMAOT_CANON_UTF8 && p[0] >= 0x80)
        return utf8_decode(p, len);
    *len = 1;
    return p[0];
}

/* ------------------------------------------------------------ validation */

static void count_cp(wasmaot_canon_string_info *info, uint32_t cp) {
    info->code_points++;
    info->utf8_bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    info->utf16_units += cp < 0x10000 ? 1 : 2;
    if (cp > info->max_code_point)
        info->max_code_point = cp;
}

/* Length of the well-formed UTF-8 sequence at p[0..n) (Unicode table 3-7,
 * which is what a strict decoder such as the spec's Python accepts), or 0. */
static uint32_t utf8_seq_len(const uint8_t *p, uint32_t n) {
    uint8_t b = p[0];
    if (b < 0x80)
        return 1;
    uint32_t len = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    uint8_t lo = 0x80, hi = 0xBF;   /* allowed range of the second byte */
    if (b == 0xE0) lo = 0xA0;       /* overlong */
    if (b == 0xED) hi = 0x9F;       /* surrogates */
    if (b == 0xF0) lo = 0x90;       /* overlong */
    if (b == 0xF4) hi = 0x8F;       /* beyond U+10FFFF */
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (uint32_t k = 2; k < len; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* A run of ASCII bytes from p[i]: counted in one go (most text is ASCII).
 * Blocks of 16 are tested and scanned without early exits, which compilers
 * vectorize; the tail and the block holding the run's end go byte by byte. */
static uint32_t ascii_run(const uint8_t *p, uint32_t i, uint32_t n, wasmaot_canon_string_info *info) {
    uint32_t j = i, max = 0;
    for (; n - j >= 16; j += 16) {
        uint8_t any = 0, m = 0;
        for (uint32_t k = 0; k < 16; k++) {
            any |= p[j + k];
            m = p[j + k] > m ? p[j + k] : m;
        }
        if (any & 0x80)
            break;
        max = m > max ? m : max;
    }
    for (; j < n && p[j] < 0x80; j++)
        max = p[j] > max ? p[j] : max;
    info->code_points += j - i;
    info->utf8_bytes += j - i;
    info->utf16_units += j - i;
    if (max > info->max_code_point)
        info->max_code_point = max;
    return j;
}

static wasmaot_canon_status check_utf8(const uint8_t *p, uint32_t n, wasmaot_canon_string_info *info) {
    for (uint32_t i = 0; i < n;) {
        if (p[i] < 0x80) {
            i = ascii_run(p, i, n, info);
            continue;
        }
        uint32_t len = utf8_seq_len(p + i, n - i);
        if (len == 0)
            return WASMAOT_CANON_E_INVALID_UTF8;
        count_cp(info, utf8_decode(p + i, &len));
        i += len;
    }
    return OK;
}

static wasmaot_canon_status check_utf16(const uint8_t *p, uint32_t units, wasmaot_canon_string_info *info) {
    for (uint32_t i = 0; i < units; i++) {
        uint32_t u = u16_at(p + 2 * i);
        if (u >= 0xDC00 && u <= 0xDFFF)
            return WASMAOT_CANON_E_INVALID_UTF16;   /* trailing surrogate first */
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t v = i + 1 < units ? u16_at(p + 2 * i + 2) : 0;
            if (v < 0xDC00 || v > 0xDFFF)
                return WASMAOT_CANON_E_INVALID_UTF16;
            u = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
            i++;
        }
        count_cp(info, u);
    }
    return OK;
}

wasmaot_canon_status wasmaot_canon_string_check(const wasmaot_canon_mem *src, uint32_t enc, uint32_t ptr,
                                                uint32_t tagged, wasmaot_canon_string_info *out) {
    wasmaot_canon_string_info info = {0};
    uint64_t nbytes = tagged;
    uint32_t align = 2;
    info.encoding = enc;
    info.code_units = tagged;
    if (enc == WASMAOT_CANON_UTF8) {
        align = 1;
    } else if (enc == WASMAOT_CANON_UTF16 || (tagged & WASMAOT_CANON_UTF16_TAG)) {
        info.encoding = WASMAOT_CANON_UTF16;
        info.code_units = tagged & ~(enc == WASMAOT_CANON_UTF16 ? 0u : WASMAOT_CANON_UTF16_TAG);
        nbytes = 2 * (uint64_t)info.code_units;
    }
    if (nbytes > WASMAOT_CANON_MAX_STRING_BYTE_LENGTH)
        return WASMAOT_CANON_E_STRING_TOO_LONG;
    if (ptr % align != 0)
        return WASMAOT_CANON_E_UNALIGNED;
    if (ptr + nbytes > src->size)
        return WASMAOT_CANON_E_OUT_OF_BOUNDS;
    const uint8_t *p = src->base + ptr;
    wasmaot_canon_status s = OK;
    if (info.encoding == WASMAOT_CANON_UTF8)
        s = check_utf8(p, info.code_units, &info);
    else if (info.encoding == WASMAOT_CANON_UTF16)
        s = check_utf16(p, info.code_units, &info);
    else
        for (uint32_t i = 0; i < info.code_units; i++)
            count_cp(&info, p[i]);
    if (s == OK && out != NULL)
        *out = info;
    return s;
}

/* ------------------------------------------------------ destination side */

/* One store in progress: the destination view and the string's facts. */
typedef struct store {
    wasmaot_canon_mem *dst;
    src_cursor src;
    const wasmaot_canon_string_info *info;
    uint32_t ptr;   /* current allocation */
} store;

/* cx.reallocate plus the trap_ifs that follow it in the spec: alignment
 * (skipped when the spec skips it: align 1) and bounds of new_size. */
static wasmaot_canon_status reallocate(store *st, uint32_t old_size, uint32_t align, uint32_t new_size) {
    wasmaot_canon_mem *m = st->dst;
    if (m->realloc == NULL)
        return WASMAOT_CANON_E_NO_REALLOC;
    wasmaot_canon_instance *inst = m->inst;
    uint32_t saved = inst != NULL ? inst->may_leave : 0;
    if (inst != NULL)
        inst->may_leave = 0;
    uint32_t ptr = 0;
    wasmaot_canon_status s = m->realloc(m, st->ptr, old_size, align, new_size, &ptr);
    if (inst != NULL)
        inst->may_leave = saved;
    if (s != OK)
        return s;
    st->ptr = ptr;
    if (ptr % align != 0)
        return WASMAOT_CANON_E_UNALIGNED;
    if ((uint64_t)ptr + new_size > m->size)
        return WASMAOT_CANON_E_OUT_OF_BOUNDS;
    return OK;
}

static wasmaot_canon_status allocate(store *st, uint32_t align, uint32_t size) {
    st->ptr = 0;
    return reallocate(st, 0, align, size);
}

static uint8_t *dst_at(store *st, uint32_t off) { return st->dst->base + st->ptr + off; }

/* Encode cp at q; returns the bytes written. */
static uint32_t put_utf8(uint8_t *q, uint32_t cp) {
    if (cp < 0x80) {
        q[0] = (uint8_t)cp;
        return 1;
    }
    uint32_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const uint8_t lead[5] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (uint32_t k = n - 1; k > 0; k--, cp >>= 6)
        q[k] = (uint8_t)(0x80 | (cp & 0x3F));
    q[0] = (uint8_t)(lead[n] | cp);
    return n;
}

static uint32_t put_utf16(uint8_t *q, uint32_t cp) {
    if (cp < 0x10000) {
        q[0] = (uint8_t)cp;
        q[1] = (uint8_t)(cp >> 8);
        return 2;
    }
    cp -= 0x10000;
    put_utf16(q, 0xD800 + (cp >> 10));
    put_utf16(q + 2, 0xDC00 + (cp & 0x3FF));
    return 4;
}

/* Write the remaining source code points at byte offset off of the
 * allocation, in dst_enc (UTF8, UTF16, or LATIN1_UTF16 meaning Latin-1:
 * every code point is < 256 then).  No realloc runs inside, so both bases
 * are stable here and live in locals (the destination is a fresh allocation:
 * it never overlaps the source). */
static void write_rest(store *st, uint32_t off, uint32_t dst_enc) {
    const uint8_t *s = st->src.mem->base;
    uint8_t *q = st->dst->base + st->ptr;
    uint32_t pos = st->src.pos, end = st->src.end, enc = st->src.enc;
    while (pos < end) {
        if (dst_enc == WASMAOT_CANON_UTF16 && enc != WASMAOT_CANON_UTF16 && s[pos] < 0x80) {
            q[off] = s[pos++];   /* ASCII (from UTF-8 or Latin-1): the common case, no decode */
            q[off + 1] = 0;
            off += 2;
            continue;
        }
        uint32_t len, cp = decode(s + pos, enc, &len);
        pos += len;
        if (dst_enc == WASMAOT_CANON_UTF8)
            off += put_utf8(q + off, cp);
        else if (dst_enc == WASMAOT_CANON_UTF16)
            off += put_utf16(q + off, cp);
        else
            q[off++] = (uint8_t)cp;
    }
    st->src.pos = pos;
}

/* store_string_copy: same size in the destination as code units * unit. */
static wasmaot_canon_status store_copy(store *st, uint32_t unit, uint32_t align, uint32_t dst_enc) {
    uint32_t nbytes = unit * st->info->code_units;
    wasmaot_canon_status s = allocate(st, align, nbytes);
    if (s != OK)
        return s;
    if (st->src.enc == dst_enc)   /* same bytes: one move (views may be one memory) */
        move_bytes(dst_at(st, 0), st->src.mem->base + st->src.pos, nbytes);
    else
        write_rest(st, 0, dst_enc);
    return OK;
}

/* store_string_to_utf8 (from UTF-16 or Latin-1): optimistic ASCII, one
 * byte per source code unit; at the first other code point grow to the
 * worst case, write the rest, shrink to fit. */
static wasmaot_canon_status store_to_utf8(store *st, uint32_t worst, uint32_t *out_len) {
    uint32_t units = st->info->code_units, len = st->info->utf8_bytes;
    wasmaot_canon_status s = allocate(st, 1, units);
    *out_len = units;
    if (s != OK)
        return s;
    uint32_t step = st->src.enc == WASMAOT_CANON_UTF16 ? 2 : 1;
    const uint8_t *p = st->src.mem->base + st->src.pos;
    uint8_t *d = dst_at(st, 0);
    uint32_t i = 0;   /* code points so far = code units = bytes written */
    while (i < units && (step == 1 ? p[i] : u16_at(p + 2 * i)) < 0x80) {
        d[i] = p[step * i];
        i++;
    }
    if (i == units)
        return OK;
    st->src.pos += step * i;
    if ((s = reallocate(st, units, 1, worst)) != OK)
        return s;
    write_rest(st, i, WASMAOT_CANON_UTF8);
    *out_len = len;
    return worst > len ? reallocate(st, worst, 1, len) : OK;
}

/* store_utf8_to_utf16: worst case 2 bytes per UTF-8 byte, then shrink. */
static wasmaot_canon_status store_utf8_to_utf16(store *st, uint32_t *out_units) {
    uint32_t worst = 2 * st->info->code_units, len = 2 * st->info->utf16_units;
    wasmaot_canon_status s = allocate(st, 2, worst);
    if (s != OK)
        return s;
    write_rest(st, 0, WASMAOT_CANON_UTF16);
    if (len < worst)
        s = reallocate(st, worst, 2, len);
    *out_units = st->info->utf16_units;
    return s;
}

/* The Latin-1 prefix of the source: copies code points < 256 to d until
 * the first wider one; returns how many, and the source bytes they took in
 * *taken.  Valid UTF-8 encodes U+0080..U+00FF with lead byte C2 or C3. */
static uint32_t latin1_prefix(const uint8_t *p, uint32_t nbytes, uint32_t enc, uint8_t *d, uint32_t *taken) {
    uint32_t k = 0, n = 0;
    if (enc == WASMAOT_CANON_UTF16) {
        for (; k < nbytes && u16_at(p + k) < 0x100; k += 2)
            d[n++] = p[k];
    } else {
        while (k < nbytes && p[k] <= 0xC3) {
            if (p[k] < 0x80) {
                d[n++] = p[k++];
            } else {
                d[n++] = (uint8_t)((p[k] & 0x1F) << 6 | (p[k + 1] & 0x3F));
                k += 2;
            }
        }
    }
    *taken = k;
    return n;
}

/* store_string_to_latin1_or_utf16 (from UTF-8 or plain UTF-16): optimistic
 * Latin-1; at the first wider character grow to the worst case, inflate the
 * Latin-1 bytes in place back to front, continue in UTF-16. */
static wasmaot_canon_status store_to_latin1_or_utf16(store *st, uint32_t *out_tagged) {
    uint32_t units = st->info->code_units;
    wasmaot_canon_status s = allocate(st, 2, units);
    *out_tagged = units;
    if (s != OK)
        return s;
    uint32_t taken, nbytes = st->src.end - st->src.pos;
    uint32_t n = latin1_prefix(st->src.mem->base + st->src.pos, nbytes, st->src.enc, dst_at(st, 0), &taken);
    *out_tagged = n;
    if (taken == nbytes)
        return n < units ? reallocate(st, units, 2, n) : OK;
    st->src.pos += taken;
    uint32_t worst = 2 * units, len = 2 * st->info->utf16_units;
    if ((s = reallocate(st, units, 2, worst)) != OK)
        return s;
    uint8_t *d = dst_at(st, 0);
    for (uint32_t j = n; j-- > 0;) {
        d[2 * j] = d[j];
        d[2 * j + 1] = 0;
    }
    write_rest(st, 2 * n, WASMAOT_CANON_UTF16);
    *out_tagged = st->info->utf16_units | WASMAOT_CANON_UTF16_TAG;
    return worst > len ? reallocate(st, worst, 2, len) : OK;
}

/* store_probably_utf16_to_latin1_or_utf16 (from tagged UTF-16): copy as
 * UTF-16, deflate to Latin-1 in place if every code point fits. */
static wasmaot_canon_status store_probably_utf16(store *st, uint32_t *out_tagged) {
    uint32_t units = st->info->code_units;
    wasmaot_canon_status s = store_copy(st, 2, 2, WASMAOT_CANON_UTF16);
    if (s != OK)
        return s;
    if (st->info->max_code_point >= 0x100) {
        *out_tagged = units | WASMAOT_CANON_UTF16_TAG;
        return OK;
    }
    uint8_t *d = dst_at(st, 0);
    for (uint32_t i = 0; i < units; i++)
        d[i] = d[2 * i];
    *out_tagged = units;
    return reallocate(st, 2 * units, 1, units);
}

/* store_string_into_range's case analysis. */
static wasmaot_canon_status store_string(store *st, uint32_t src_enc, uint32_t dst_enc, uint32_t *out_tagged) {
    uint32_t simple = st->info->encoding, units = st->info->code_units;
    *out_tagged = units;
    if (dst_enc == WASMAOT_CANON_UTF8) {
        if (simple == WASMAOT_CANON_UTF8)
            return store_copy(st, 1, 1, WASMAOT_CANON_UTF8);
        return store_to_utf8(st, units * (simple == WASMAOT_CANON_UTF16 ? 3 : 2), out_tagged);
    }
    if (dst_enc == WASMAOT_CANON_UTF16) {
        if (simple == WASMAOT_CANON_UTF8)
            return store_utf8_to_utf16(st, out_tagged);
        return store_copy(st, 2, 2, WASMAOT_CANON_UTF16);
    }
    if (src_enc != WASMAOT_CANON_LATIN1_UTF16)
        return store_to_latin1_or_utf16(st, out_tagged);
    if (simple == WASMAOT_CANON_LATIN1_UTF16)
        return store_copy(st, 1, 2, WASMAOT_CANON_LATIN1_UTF16);
    return store_probably_utf16(st, out_tagged);
}

static wasmaot_canon_status poison_both(wasmaot_canon_mem *a, wasmaot_canon_mem *b, wasmaot_canon_status s) {
    if (s != OK) {
        wasmaot_canon_poison(a->inst, s);
        wasmaot_canon_poison(b->inst, s);
    }
    return s;
}

wasmaot_canon_status wasmaot_canon_transcode(wasmaot_canon_mem *src, uint32_t src_enc, uint32_t src_ptr,
                                             uint32_t src_tagged, wasmaot_canon_mem *dst, uint32_t dst_enc,
                                             uint32_t *out_ptr, uint32_t *out_tagged) {
    wasmaot_canon_string_info info;
    wasmaot_canon_status s = wasmaot_canon_string_check(src, src_enc, src_ptr, src_tagged, &info);
    if (s != OK)
        return poison_both(src, dst, s);
    uint32_t nbytes = info.code_units << (info.encoding == WASMAOT_CANON_UTF16);
    store st = {dst, {src, info.encoding, src_ptr, src_ptr + nbytes}, &info, 0};
    s = store_string(&st, src_enc, dst_enc, out_tagged);
    *out_ptr = st.ptr;
    return poison_both(src, dst, s);
}
