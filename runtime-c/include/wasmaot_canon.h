/*
 * wasmaot_canon.h -- the run-time pieces of the component model's canonical
 * ABI: per-instance handle tables with resource own/borrow bookkeeping, and
 * string transcoding between two guests' linear memories.
 *
 * The reference is CanonicalABI.md (component-model design/mvp), synchronous
 * subset; its Python model in this repository is
 * frontend/component/canonabi.py, and tests/runtime/test_canon_*.py compare
 * this code with that model.  Everything here is freestanding C11: no malloc
 * (storage is the caller's: handle slots, lender buffers, and the guest's own
 * realloc for strings), no libc on bare metal (hosted builds use memmove),
 * no OS, no trap machinery of its own, so the same objects serve hosted
 * executables and firmware.
 *
 * ------------------------------------------------------------------------
 * 1. Configuration macros (0/1 or numbers; every one has a default)
 * ------------------------------------------------------------------------
 *   WASMAOT_CANON_TABLE_MAX_LENGTH   highest handle index a table may hand
 *       out.  Default (1 << 28) - 1, the spec's Table.MAX_LENGTH (it keeps
 *       the top 4 bits of an index free for guests).  A smaller value is a
 *       resource limit: an add beyond it traps TABLE_FULL where the spec
 *       would still succeed.  Must be in 1 .. (1 << 28) - 1 (#error).
 *
 * Capacity trade-off.  A table's slots are an array the embedder provides
 * (wasmaot_canon_instance_init).  With a grow callback the table behaves as
 * the spec's unbounded array (up to WASMAOT_CANON_TABLE_MAX_LENGTH); without
 * one (grow == NULL) the array's capacity is a fixed maximum and an add that
 * needs more traps TABLE_FULL.  The fixed form is what a microcontroller
 * wants: memory is bounded at build time and no allocator is needed, at the
 * price of a trap a spec-conforming engine would not raise.  Freed slots are
 * always reused first (the free list lives inside the freed slots), so the
 * capacity bounds the number of LIVE handles, not the number ever created.
 *
 * ------------------------------------------------------------------------
 * 2. Status codes and traps
 * ------------------------------------------------------------------------
 * Every function that can trap returns a wasmaot_canon_status: 0 (OK) or
 * the reason of the trap.  Nothing here unwinds: the caller (generated
 * adapter code, or a host) turns a nonzero status into a real trap with
 *     wasmaot_trap(wasmaot_canon_trap_code(status));
 * so the functions are usable from ctypes, from firmware without longjmp and
 * from hosts that report traps as values.  The status space is the trap
 * code space extended: values below WASMAOT_CANON_E_BASE are
 * wasmaot_trap_code values (wasmaot_rt.h section 2) and pass through
 * unchanged -- that is how a callback (a guest realloc or destructor that
 * trapped) reports its trap through us; values from WASMAOT_CANON_E_BASE on
 * are component-model reasons that have no trap code of their own yet.
 * wasmaot_canon_trap_code() maps each of them onto the existing code that
 * stands for it today: MEMORY_OUT_OF_BOUNDS for an out-of-range pointer,
 * HOST ("host trap") for all others.  When dedicated trap codes are added
 * to wasmaot_rt.h / ir/trapcodes.py / core/trap.c, only that mapping
 * changes; the comments on the reasons below name the proposed codes.
 *
 * Poisoning.  A trap poisons the component instances involved: their `trap`
 * field records the first status (never overwritten), `may_enter` is
 * cleared for good, and wasmaot_canon_enter() refuses them from then on
 * (POISONED).  The resource, lift/lower and call functions poison the
 * instance they act on (the bare table functions poison nothing); the
 * string transcoder poisons the instances its memory views name.
 *
 * ------------------------------------------------------------------------
 * 3. Handles and resources (CanonicalABI.md "Table State", "Resource
 *    State", lift_own/lift_borrow/lower_own/lower_borrow, canon resource.*)
 * ------------------------------------------------------------------------
 * One wasmaot_canon_instance per component instance; its `handles` table
 * holds own and borrow handles.  Index 0 is never handed out.  A resource
 * type is a wasmaot_canon_rtype object compared by ADDRESS (the spec's
 * Python object identity): two instances of one component have two rtypes.
 * Each call between components that passes borrows uses a
 * wasmaot_canon_call, the sync subset of the spec's Task (callee side:
 * borrows lowered into the callee, which it must drop before returning)
 * and Subtask (caller side: the handles it lent, whose lend counts go back
 * down when the call finishes).  Order of checks, as the spec's trap_ifs:
 *   resource.new   may_leave; table full
 *   resource.rep   unknown index; wrong type
 *   resource.drop  may_leave; unknown index; wrong type; lends != 0;
 *                  then own: destructor (entering its defining instance),
 *                  borrow: the borrow's call loses one borrow
 *   lift own       unknown index; wrong type; lends != 0; not own
 *   lift borrow    unknown index; wrong type; lender buffer full
 *   call finish    borrows remain
 * (The spec removes the slot before its checks in resource.drop and lift
 * own; we check first.  The difference is unobservable: a trap poisons the
 * instance, whose table is never used again.)
 * Nothing here locks: the synchronous component model runs one instance's
 * code on one thread at a time, and so must the callers of these functions.
 *
 * ------------------------------------------------------------------------
 * 4. Strings (CanonicalABI.md load_string_from_range, store_string_*)
 * ------------------------------------------------------------------------
 * wasmaot_canon_transcode() is load_string_from_range on the source memory
 * followed by store_string_into_range on the destination: the source is
 * fully validated (length limit, alignment, bounds, well-formed UTF-8 /
 * UTF-16 -- an unpaired surrogate traps) BEFORE the destination's realloc
 * is called for the first time, and the destination side then makes exactly
 * the spec's realloc calls (same arguments, same order: optimistic size,
 * worst case on the first wide character, shrink to fit) with the spec's
 * alignment and bounds traps after each.  The bytes written are the spec's
 * bytes.  Pointers and lengths are those of 32-bit memories (the tag bit of
 * latin1+utf16 is bit 31).
 */
#ifndef WASMAOT_CANON_H
#define WASMAOT_CANON_H

#include <stddef.h>
#include <stdint.h>

#include "wasmaot_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- config */

#ifndef WASMAOT_CANON_TABLE_MAX_LENGTH
#define WASMAOT_CANON_TABLE_MAX_LENGTH ((1u << 28) - 1u)
#endif
#if WASMAOT_CANON_TABLE_MAX_LENGTH < 1 || WASMAOT_CANON_TABLE_MAX_LENGTH > (1u << 28) - 1u
#error "wasmaot_canon.h: WASMAOT_CANON_TABLE_MAX_LENGTH must be in 1 .. (1 << 28) - 1"
#endif

/* Spec constants (not configurable). */
#define WASMAOT_CANON_MAX_STRING_BYTE_LENGTH ((1u << 28) - 1u)
#define WASMAOT_CANON_UTF16_TAG (1u << 31)   /* latin1+utf16: "these are UTF-16 units" */

/* String encodings (canonopt string-encoding). */
#define WASMAOT_CANON_UTF8 0u
#define WASMAOT_CANON_UTF16 1u
#define WASMAOT_CANON_LATIN1_UTF16 2u

/* ---------------------------------------------------------------- status */

typedef uint32_t wasmaot_canon_status;   /* uint32_t, not an enum: see wasmaot_rt.h section 2 */

#define WASMAOT_CANON_OK 0u
#define WASMAOT_CANON_E_BASE 0x100u      /* below: wasmaot_trap_code values */
#ifndef __cplusplus
_Static_assert(WASMAOT_TRAP_COUNT <= WASMAOT_CANON_E_BASE,
               "wasmaot_canon.h: trap codes reached WASMAOT_CANON_E_BASE; move the base");
#endif

/* Reasons.  Proposed trap-code names in brackets (not yet in wasmaot_rt.h). */
#define WASMAOT_CANON_E_OUT_OF_BOUNDS   0x100u /* pointer + length beyond memory [MEMORY_OUT_OF_BOUNDS] */
#define WASMAOT_CANON_E_UNALIGNED       0x101u /* pointer not aligned to its type [CANON_UNALIGNED] */
#define WASMAOT_CANON_E_STRING_TOO_LONG 0x102u /* byte length > MAX_STRING_BYTE_LENGTH [CANON_STRING_TOO_LONG] */
#define WASMAOT_CANON_E_INVALID_UTF8    0x103u /* source bytes are not UTF-8 [CANON_INVALID_STRING] */
#define WASMAOT_CANON_E_INVALID_UTF16   0x104u /* unpaired surrogate [CANON_INVALID_STRING] */
#define WASMAOT_CANON_E_NO_REALLOC      0x105u /* a string needs memory but the options have no realloc */
#define WASMAOT_CANON_E_UNKNOWN_HANDLE  0x106u /* index 0, past the end, or a freed slot [CANON_UNKNOWN_HANDLE] */
#define WASMAOT_CANON_E_WRONG_TYPE      0x107u /* handle of another resource type [CANON_HANDLE_TYPE] */
#define WASMAOT_CANON_E_BORROWED        0x108u /* own handle still lent out (drop, lift own) [CANON_HANDLE_BORROWED] */
#define WASMAOT_CANON_E_NOT_OWN         0x109u /* lift own of a borrow handle [CANON_HANDLE_NOT_OWN] */
#define WASMAOT_CANON_E_BORROWS_REMAIN  0x10Au /* call returns with undropped borrows [CANON_BORROWS_REMAIN] */
#define WASMAOT_CANON_E_TABLE_FULL      0x10Bu /* table at its maximum, grow refused [CANON_TABLE_FULL] */
#define WASMAOT_CANON_E_MAY_NOT_LEAVE   0x10Cu /* built-in or call while may_leave is clear [CANON_MAY_NOT_LEAVE] */
#define WASMAOT_CANON_E_MAY_NOT_ENTER   0x10Du /* reentering an instance [CANON_MAY_NOT_ENTER] */
#define WASMAOT_CANON_E_POISONED        0x10Eu /* entering an instance a trap poisoned [CANON_MAY_NOT_ENTER] */
#define WASMAOT_CANON_E_LENDERS_FULL    0x10Fu /* a call's lender buffer is full (resource limit) */
#define WASMAOT_CANON_E_COUNT           0x110u /* one past the last reason; not a reason */

/* The wasmaot_trap_code to raise for `status` (status != OK): itself below
 * WASMAOT_CANON_E_BASE, otherwise the stand-in described in section 2. */
wasmaot_trap_code wasmaot_canon_trap_code(wasmaot_canon_status status);

/* A one-line message for a reason (static storage; wasmtime's wording where
 * it has one).  NULL for status < WASMAOT_CANON_E_BASE: that is a trap code,
 * whose message is wasmaot_trap_message(status) (core/trap.c; not called
 * from here so that this layer links without the core). */
const char *wasmaot_canon_message(wasmaot_canon_status status);

/* ------------------------------------------------------------- instances */

struct wasmaot_canon_instance;
struct wasmaot_canon_call;

/* A resource type: identity is the object's address.  `impl` is the
 * defining component instance (NULL for a host-defined type); `dtor`, if
 * not NULL, is the destructor, called by resource.drop of an own handle
 * with (rt, rep) while `impl` is entered; it returns OK or the trap it
 * raised.  `ctx` is the embedder's (e.g. the impl's core instance). */
typedef struct wasmaot_canon_rtype wasmaot_canon_rtype;
typedef wasmaot_canon_status (*wasmaot_canon_dtor_fn)(const wasmaot_canon_rtype *rt, uint32_t rep);
struct wasmaot_canon_rtype {
    struct wasmaot_canon_instance *impl;
    wasmaot_canon_dtor_fn dtor;
    void *ctx;
};

/* One table slot.  Live: rt != NULL.  Free: rt == NULL and `rep` is the
 * index of the next free slot (0 ends the free list; slot 0 is never free
 * and never live).  Borrow handles point at the call that lowered them
 * (`scope`, the spec's borrow_scope); own handles have scope == NULL. */
typedef struct wasmaot_canon_handle {
    const wasmaot_canon_rtype *rt;
    struct wasmaot_canon_call *scope;
    uint32_t rep;
    uint32_t num_lends;   /* borrows lent from this handle by running calls */
    uint32_t own;         /* 1: own, 0: borrow */
    uint32_t reserved0;
} wasmaot_canon_handle;

/* Growth callback: return an array of at least `want` slots whose first
 * `old_capacity` slots are a copy of `old` (like realloc; it may be `old`
 * itself if it can grow in place), and store its capacity in
 * *new_capacity; or return NULL to refuse (the add traps TABLE_FULL). */
typedef wasmaot_canon_handle *(*wasmaot_canon_grow_fn)(void *ctx, wasmaot_canon_handle *old,
                                                       uint32_t old_capacity, uint32_t want,
                                                       uint32_t *new_capacity);

/* Invariants: 1 <= length <= capacity; slots[0] is never live;
 * every index in the free list is < length and free. */
typedef struct wasmaot_canon_table {
    wasmaot_canon_handle *slots;   /* the embedder's array (or the grow callback's) */
    uint32_t capacity;             /* slots in the array */
    uint32_t length;               /* slots in use or freed, slot 0 included */
    uint32_t free_head;            /* most recently freed slot; 0: none */
    uint32_t reserved0;
    wasmaot_canon_grow_fn grow;    /* NULL: fixed capacity */
    void *grow_ctx;
} wasmaot_canon_table;

typedef struct wasmaot_canon_instance {
    wasmaot_canon_table handles;
    uint32_t may_leave;   /* 0 while realloc / post-return run: resource.new/drop
                             trap, and adapters must trap MAY_NOT_LEAVE on a
                             call out (canon lower) when it is 0.  The
                             transcoder clears it around realloc; the adapter
                             clears it around post-return. */
    uint32_t may_enter;   /* 0 while entered (no reentrance) and once poisoned */
    wasmaot_canon_status trap;  /* OK, or the status that poisoned the instance */
} wasmaot_canon_instance;

/* Initialize `inst` with a table on slots[0 .. capacity) (capacity >= 1;
 * the embedder keeps the array alive as long as the instance), an optional
 * grow callback, may_leave = may_enter = 1, not poisoned.  Never traps. */
void wasmaot_canon_instance_init(wasmaot_canon_instance *inst, wasmaot_canon_handle *slots,
                                 uint32_t capacity, wasmaot_canon_grow_fn grow, void *grow_ctx);

/* Poison `inst` (NULL: nothing) with `status` unless already poisoned or
 * status is OK (then nothing happens); returns `status`, so
 * `return wasmaot_canon_poison(inst, s);` passes any status through. */
wasmaot_canon_status wasmaot_canon_poison(wasmaot_canon_instance *inst, wasmaot_canon_status status);

/* Enter `inst` for a call into it: POISONED if a trap poisoned it,
 * MAY_NOT_ENTER if it is already entered (sync reentrance); otherwise
 * clears may_enter.  (The spec's entering set -- an instance and its
 * ancestors minus the caller's -- is static: the compiler emits one
 * enter per instance in it.)  Does not poison. */
wasmaot_canon_status wasmaot_canon_enter(wasmaot_canon_instance *inst);
/* Leave after a call that returned normally: sets may_enter again (a
 * poisoned instance stays closed). */
void wasmaot_canon_leave(wasmaot_canon_instance *inst);

/* ------------------------------------------------------------ the table */

/* Spec Table.add: reuse the most recently freed slot, else append (growing
 * through the callback when the array is full).  *out_index >= 1.
 * Traps: TABLE_FULL.  `e->rt` must not be NULL. */
wasmaot_canon_status wasmaot_canon_table_add(wasmaot_canon_table *t, const wasmaot_canon_handle *e,
                                             uint32_t *out_index);
/* Spec Table.get: *out points into the slots (valid until the next add,
 * which may move the array).  Traps: UNKNOWN_HANDLE. */
wasmaot_canon_status wasmaot_canon_table_get(wasmaot_canon_table *t, uint32_t i, wasmaot_canon_handle **out);
/* Spec Table.remove: copy the element to *out (may be NULL) and free the
 * slot.  Traps: UNKNOWN_HANDLE. */
wasmaot_canon_status wasmaot_canon_table_remove(wasmaot_canon_table *t, uint32_t i, wasmaot_canon_handle *out);

/* ----------------------------------------------------- resources, calls */

/* The borrow scope of one synchronous call from a caller instance into a
 * callee instance.  Lives on the adapter's native stack from
 * wasmaot_canon_call_init to wasmaot_canon_call_finish.  `lenders` is the
 * caller's buffer of lent handle indices (their slots cannot be freed while
 * lent: drop and lift own trap BORROWED, so indices stay valid); a
 * signature with k borrow parameters needs k entries (borrows inside lists
 * need as many as the list has). */
typedef struct wasmaot_canon_call {
    uint32_t num_borrows;                  /* callee: live borrows lowered in this call */
    uint32_t num_lenders;                  /* caller: entries used in `lenders` */
    uint32_t lenders_capacity;
    uint32_t reserved0;
    uint32_t *lenders;
    wasmaot_canon_instance *lender_inst;   /* the caller, set by the first lift borrow */
} wasmaot_canon_call;

void wasmaot_canon_call_init(wasmaot_canon_call *call, uint32_t *lenders, uint32_t capacity);

/* End of the call (the callee returned): BORROWS_REMAIN (poisoning
 * `callee`) if the callee has not dropped every borrow it received;
 * otherwise give the lent handles back (lend counts go down). */
wasmaot_canon_status wasmaot_canon_call_finish(wasmaot_canon_call *call, wasmaot_canon_instance *callee);

/* canon resource.new: a new own handle to `rep` in inst's table. */
wasmaot_canon_status wasmaot_canon_resource_new(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                                uint32_t rep, uint32_t *out_index);
/* canon resource.rep: the representation behind handle i. */
wasmaot_canon_status wasmaot_canon_resource_rep(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                                uint32_t i, uint32_t *out_rep);
/* canon resource.drop: free handle i.  Own: call rt->dtor (if any) with the
 * rep, entering rt->impl first when it is another instance (a poisoned or
 * already entered impl traps); a trap of the destructor poisons both
 * instances and is returned.  Borrow: its call has one borrow fewer. */
wasmaot_canon_status wasmaot_canon_resource_drop(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                                 uint32_t i);
/* lift_own: take handle i out of inst's table (ownership moves to the
 * other side); *out_rep is its rep. */
wasmaot_canon_status wasmaot_canon_lift_own(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                            uint32_t i, uint32_t *out_rep);
/* lift_borrow: *out_rep of handle i, which stays in inst's table, lent to
 * `call` (NULL: a call from the host with no scope; nothing is lent). */
wasmaot_canon_status wasmaot_canon_lift_borrow(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                               uint32_t i, wasmaot_canon_call *call, uint32_t *out_rep);
/* lower_own: a new own handle to `rep` in inst's table. */
wasmaot_canon_status wasmaot_canon_lower_own(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                             uint32_t rep, uint32_t *out_index);
/* lower_borrow: a new borrow handle scoped to `call` (may be NULL: no
 * scope, nothing counted) -- except when inst is rt->impl, where the
 * "handle" is `rep` itself (the spec's shortcut). */
wasmaot_canon_status wasmaot_canon_lower_borrow(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                                uint32_t rep, wasmaot_canon_call *call, uint32_t *out_index);

/* --------------------------------------------------------------- strings */

/* A view of one guest's linear memory plus its canonical options.
 * `base`/`size` describe the memory NOW; the realloc callback must update
 * them when the memory grows or moves (both are reloaded after every
 * call).  `realloc` is the guest's realloc (NULL: none): it returns OK and
 * the new pointer in *new_ptr, or the trap it raised.  `inst` (may be NULL)
 * is the guest's instance: may_leave is clear while its realloc runs, and a
 * trap poisons it.  `ctx` is the embedder's. */
typedef struct wasmaot_canon_mem wasmaot_canon_mem;
typedef wasmaot_canon_status (*wasmaot_canon_realloc_fn)(wasmaot_canon_mem *mem, uint32_t old_ptr,
                                                         uint32_t old_size, uint32_t align,
                                                         uint32_t new_size, uint32_t *new_ptr);
struct wasmaot_canon_mem {
    uint8_t *base;
    uint64_t size;                    /* bytes */
    wasmaot_canon_realloc_fn realloc;
    wasmaot_canon_instance *inst;
    void *ctx;
};

/* What a valid source string holds (filled by wasmaot_canon_string_check). */
typedef struct wasmaot_canon_string_info {
    uint32_t encoding;      /* simple source encoding: UTF8, UTF16, or LATIN1_UTF16 meaning Latin-1 */
    uint32_t code_units;    /* source code units (tag removed) */
    uint32_t code_points;
    uint32_t utf8_bytes;    /* length of the string in UTF-8 */
    uint32_t utf16_units;   /* length of the string in UTF-16 code units */
    uint32_t max_code_point;
} wasmaot_canon_string_info;

/* load_string_from_range's checks on (ptr, tagged_code_units) in `src`
 * with string encoding `enc`: STRING_TOO_LONG, UNALIGNED, OUT_OF_BOUNDS,
 * INVALID_UTF8, INVALID_UTF16, in that order.  Reads, never writes, never
 * poisons; `info` may be NULL. */
wasmaot_canon_status wasmaot_canon_string_check(const wasmaot_canon_mem *src, uint32_t enc, uint32_t ptr,
                                                uint32_t tagged_code_units, wasmaot_canon_string_info *info);

/* Copy the string (src_ptr, src_tagged) of `src` (encoding src_enc) into
 * `dst` (encoding dst_enc), allocating with dst->realloc exactly as
 * store_string_into_range; *out_ptr / *out_tagged are the stored string
 * (out_tagged carries the UTF-16 tag for latin1+utf16).  Traps: those of
 * wasmaot_canon_string_check, then NO_REALLOC, a realloc's own trap,
 * UNALIGNED and OUT_OF_BOUNDS of each (re)allocation.  On a trap, the
 * instances of both views are poisoned and the destination may hold a
 * partial copy.  `src` and `dst` may be the same view (same memory); the
 * source bytes must then survive dst's realloc calls (a realloc never
 * frees or overwrites memory it did not hand out). */
wasmaot_canon_status wasmaot_canon_transcode(wasmaot_canon_mem *src, uint32_t src_enc, uint32_t src_ptr,
                                             uint32_t src_tagged, wasmaot_canon_mem *dst, uint32_t dst_enc,
                                             uint32_t *out_ptr, uint32_t *out_tagged);

#ifdef __cplusplus
}
#endif

#endif /* WASMAOT_CANON_H */
