/* A packet parser: frames of [0x7E, len, type, seq, payload..., crc16]
 * with byte stuffing (0x7D escapes), as on a serial link; the parser
 * unstuffs, checks the CRC-16/CCITT, and dispatches on the type
 * (big-endian fields read byte by byte). */
#include "fw.h"

#define LINK 16384
#define PASSES 12

static uint8_t wire[LINK];
static uint8_t frame[64];

static uint16_t crc16(const uint8_t *p, int n) {
    uint16_t c = 0xFFFF;
    for (int i = 0; i < n; i++) {
        c ^= (uint16_t)(p[i] << 8);
        for (int k = 0; k < 8; k++) c = (uint16_t)((c & 0x8000) ? (c << 1) ^ 0x1021 : c << 1);
    }
    return c;
}

static int emit(int at, uint8_t b) {
    if (b == 0x7E || b == 0x7D) { wire[at++] = 0x7D; b ^= 0x20; }
    wire[at++] = b;
    return at;
}

static int build(void) {
    int at = 0;
    uint8_t seq = 0;
    while (at < LINK - 2 * 64) {
        uint32_t r = fw_rand();
        int len = 4 + (int)(r % 24);
        frame[0] = (uint8_t)len; frame[1] = (uint8_t)((r >> 8) % 4); frame[2] = seq++;
        for (int i = 3; i < len; i++) frame[i] = (uint8_t)fw_rand();
        uint16_t c = crc16(frame, len);
        if ((r >> 28) == 0) c ^= 1;                   /* a corrupt frame now and then */
        frame[len] = (uint8_t)(c >> 8); frame[len + 1] = (uint8_t)c;
        wire[at++] = 0x7E;
        for (int i = 0; i < len + 2; i++) at = emit(at, frame[i]);
    }
    return at;
}

struct stats { uint32_t ok, bad, sum, last; };

static void dispatch(struct stats *s, const uint8_t *f, int len) {
    switch (f[1]) {
    case 0: s->sum += (uint32_t)f[3] << 8 | f[4]; break;                         /* u16 */
    case 1: s->sum ^= (uint32_t)f[3] << 24 | (uint32_t)f[4] << 16 | f[5] << 8 | f[6]; break;
    case 2: for (int i = 3; i < len; i++) s->sum += f[i]; break;
    default: s->last = f[2]; break;
    }
}

static void parse(struct stats *s, const uint8_t *p, int n) {
    int len = -1, esc = 0;
    uint8_t f[64];
    for (int i = 0; i < n; i++) {
        uint8_t b = p[i];
        if (b == 0x7E) { len = 0; esc = 0; continue; }
        if (len < 0) continue;
        if (b == 0x7D) { esc = 1; continue; }
        if (esc) { b ^= 0x20; esc = 0; }
        f[len++] = b;
        if (len >= 2 && len == f[0] + 2) {
            uint16_t c = (uint16_t)(f[len - 2] << 8 | f[len - 1]);
            if (crc16(f, f[0]) == c) { s->ok++; dispatch(s, f, f[0]); } else s->bad++;
            len = -1;
        } else if (len >= 64) len = -1;
    }
}

int fw_main(void) {
    int n = build();
    struct stats s = {0, 0, 0, 0};
    for (int p = 0; p < PASSES; p++) parse(&s, wire, n);
    if (s.ok == 0 || s.bad == 0) return 2;
    return FW_EXPECT("packet", s.ok * 131u + s.bad * 7u + s.sum + s.last, FW_EXPECT_packet);
}
