/* CRC-32 (IEEE 802.3, reflected) of a 16 KiB buffer, table-driven, many
 * passes; the first pass is checked against the bitwise definition too. */
#include "fw.h"

#define LEN 16384
#define PASSES 40

static uint8_t buf[LEN];
static uint32_t table[256];

static uint32_t crc_bitwise(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

static uint32_t crc_table(uint32_t c, const uint8_t *p, size_t n) {
    c = ~c;
    for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return ~c;
}

int fw_main(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
        table[i] = c;
    }
    for (int i = 0; i < LEN; i++) buf[i] = (uint8_t)fw_rand();
    if (crc_table(0, buf, LEN) != crc_bitwise(buf, LEN)) return 2;
    uint32_t acc = 0;
    for (int p = 0; p < PASSES; p++) {
        buf[p] ^= (uint8_t)acc;
        acc = crc_table(acc, buf, LEN);
    }
    return FW_EXPECT("crc32", acc, FW_EXPECT_crc32);
}
