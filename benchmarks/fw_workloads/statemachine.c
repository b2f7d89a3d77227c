/* A protocol state machine driven by a byte stream: a switch on the state,
 * then on the byte class, as an embedded command interpreter has it
 * ("SET <reg> <val>;", "GET <reg>;", "ADD <reg> <val>;", noise between). */
#include "fw.h"

#define STREAM 8192
#define PASSES 30

enum { IDLE, CMD, REG, VAL, END };
static uint8_t stream[STREAM];
static uint32_t regs[16];

static uint32_t run(const uint8_t *s, int n) {
    int st = IDLE, cmd = 0, reg = 0;
    uint32_t val = 0, out = 0, errors = 0;
    for (int i = 0; i < n; i++) {
        uint8_t c = s[i];
        switch (st) {
        case IDLE:
            if (c == 'S' || c == 'G' || c == 'A') { cmd = c; st = CMD; }
            break;
        case CMD:
            if (c == ' ') { st = REG; reg = 0; } else if (c < 'A' || c > 'Z') { st = IDLE; errors++; }
            break;
        case REG:
            if (c >= '0' && c <= '9') reg = (reg * 10 + (c - '0')) & 15;
            else if (c == ' ') { st = VAL; val = 0; }
            else if (c == ';' && cmd == 'G') { out = out * 33u + regs[reg]; st = IDLE; }
            else { st = IDLE; errors++; }
            break;
        case VAL:
            if (c >= '0' && c <= '9') val = val * 10 + (uint32_t)(c - '0');
            else if (c == ';') st = END;
            else { st = IDLE; errors++; }
            if (st != END) break;
            /* fall through */
        case END:
            if (cmd == 'S') regs[reg] = val; else if (cmd == 'A') regs[reg] += val;
            out = out * 33u + regs[reg];
            st = IDLE;
            break;
        }
    }
    return out ^ errors;
}

static int put(int i, const char *t) {
    while (*t && i < STREAM) stream[i++] = (uint8_t)*t++;
    return i;
}

int fw_main(void) {
    int i = 0;
    while (i < STREAM - 24) {
        uint32_t r = fw_rand();
        static const char *const cmds[] = {"SET ", "GET ", "ADD ", "XQ"};
        i = put(i, cmds[r & 3]);
        char num[12];
        int k = 0;
        uint32_t v = (r >> 8) % 100000;
        do { num[k++] = (char)('0' + v % 10); v /= 10; } while (v);
        stream[i++] = (uint8_t)('0' + ((r >> 4) & 15) % 10);
        if ((r & 3) != 1) {
            stream[i++] = ' ';
            while (k) stream[i++] = (uint8_t)num[--k];
        }
        stream[i++] = (r >> 30) ? ';' : '#';
    }
    uint32_t h = 0;
    for (int p = 0; p < PASSES; p++) h = h * 7u + run(stream, i);
    return FW_EXPECT("statemachine", h, FW_EXPECT_statemachine);
}
