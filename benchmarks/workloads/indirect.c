/* indirect (call-heavy): a register-machine interpreter dispatching every
 * instruction through a table of function pointers, plus "virtual" calls
 * on an array of objects with per-type function-pointer tables. */
#include "bench.h"

#define STEPS_OUTER BENCH_PICK(150, 2000)
#define NOBJ 4096
#define VROUNDS BENCH_PICK(150, 2000)

typedef struct Vm { uint32_t r[8]; int pc; } Vm;
typedef struct Insn { uint8_t op, a, b, c; } Insn;
typedef void (*OpFn)(Vm *, const Insn *);

__attribute__((noinline)) static void op_add(Vm *m, const Insn *i) { m->r[i->a] = m->r[i->b] + m->r[i->c]; m->pc++; }
__attribute__((noinline)) static void op_sub(Vm *m, const Insn *i) { m->r[i->a] = m->r[i->b] - m->r[i->c]; m->pc++; }
__attribute__((noinline)) static void op_xor(Vm *m, const Insn *i) { m->r[i->a] = m->r[i->b] ^ m->r[i->c]; m->pc++; }
__attribute__((noinline)) static void op_mul(Vm *m, const Insn *i) { m->r[i->a] = m->r[i->b] * m->r[i->c] + 1; m->pc++; }
__attribute__((noinline)) static void op_rot(Vm *m, const Insn *i) {
    uint32_t v = m->r[i->b]; unsigned s = m->r[i->c] & 31;
    m->r[i->a] = (v << s) | (v >> ((32 - s) & 31)); m->pc++;
}
__attribute__((noinline)) static void op_li(Vm *m, const Insn *i) { m->r[i->a] = (uint32_t)i->b << 8 | i->c; m->pc++; }
/* decrement r[a]; jump back by c instructions while it is non-zero */
__attribute__((noinline)) static void op_loop(Vm *m, const Insn *i) {
    if (--m->r[i->a]) m->pc -= i->c; else m->pc++;
}
__attribute__((noinline)) static void op_halt(Vm *m, const Insn *i) { (void)i; m->pc = -1; }

static OpFn const optable[8] = { op_add, op_sub, op_xor, op_mul, op_rot, op_li, op_loop, op_halt };
enum { ADD, SUB, XOR, MUL, ROT, LI, LOOP, HALT };

static const Insn program[] = {
    { LI, 7, 0x27, 0x10 },          /* r7 = 10000: loop counter */
    { ADD, 1, 1, 2 }, { XOR, 2, 2, 3 }, { MUL, 3, 3, 1 }, { ROT, 4, 4, 3 },
    { SUB, 5, 5, 4 }, { ADD, 6, 6, 5 }, { XOR, 0, 0, 6 }, { ROT, 1, 1, 0 },
    { LOOP, 7, 0, 8 },
    { HALT, 0, 0, 0 },
};

static uint32_t run_vm(uint32_t seed) {
    Vm m = { { seed, 3, 5, 7, 11, 13, 17, 19 }, 0 };
    while (m.pc >= 0) {
        const Insn *i = &program[m.pc];
        optable[i->op](&m, i);
    }
    return m.r[0] ^ m.r[1] ^ m.r[2] ^ m.r[3] ^ m.r[4] ^ m.r[5] ^ m.r[6];
}

typedef struct Shape Shape;
typedef struct ShapeVt { int64_t (*area)(const Shape *); int64_t (*perimeter)(const Shape *); } ShapeVt;
struct Shape { const ShapeVt *vt; int32_t a, b; };

static int64_t rect_area(const Shape *s) { return (int64_t)s->a * s->b; }
static int64_t rect_perim(const Shape *s) { return 2 * ((int64_t)s->a + s->b); }
static int64_t tri_area(const Shape *s) { return (int64_t)s->a * s->b / 2; }
static int64_t tri_perim(const Shape *s) { return (int64_t)s->a + s->b + (s->a > s->b ? s->a : s->b); }
static int64_t sq_area(const Shape *s) { return (int64_t)s->a * s->a; }
static int64_t sq_perim(const Shape *s) { return 4 * (int64_t)s->a; }
static const ShapeVt vts[3] = { { rect_area, rect_perim }, { tri_area, tri_perim }, { sq_area, sq_perim } };

static Shape shapes[NOBJ];

int main(void) {
    bench_seed(777);
    for (int i = 0; i < NOBJ; i++) {
        shapes[i].vt = &vts[bench_rand() % 3];
        shapes[i].a = (int32_t)(bench_rand() % 1000);
        shapes[i].b = (int32_t)(bench_rand() % 1000);
    }
    bench_start();
    uint64_t h = 0;
    for (int s = 0; s < STEPS_OUTER; s++) h = bench_hash_u64(h, run_vm((uint32_t)s));
    for (int r = 0; r < VROUNDS; r++) {
        int64_t acc = 0;
        for (int i = 0; i < NOBJ; i++) {
            const Shape *sh = &shapes[(i * 7 + r) & (NOBJ - 1)];
            acc += sh->vt->area(sh) - sh->vt->perimeter(sh);
        }
        h = bench_hash_u64(h, (uint64_t)acc);
    }
    bench_stop();
    bench_check_u64("indirect", h, EXPECT(indirect));
    return 0;
}
