/*
 * Trap codes -> messages, the one trap entry point, and the ABI mode marker.
 */
#include "wasmaot_platform.h"

/* Messages exactly as the official spec testsuite's assert_trap /
 * assert_exhaustion expect them (harnesses compare by prefix).  Indexed by
 * code; the _Static_assert keeps the table and the enum in step, and
 * tests/runtime/test_traps.py checks that every printed message equals
 * TrapCode.message in ir/trapcodes.py. */
static const char *const trap_messages[WASMAOT_TRAP_COUNT] = {
    [WASMAOT_TRAP_NONE] = "no trap",
    [WASMAOT_TRAP_UNREACHABLE] = "unreachable",
    [WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS] = "out of bounds memory access",
    [WASMAOT_TRAP_TABLE_OUT_OF_BOUNDS] = "out of bounds table access",
    [WASMAOT_TRAP_INDIRECT_CALL_TYPE_MISMATCH] = "indirect call type mismatch",
    [WASMAOT_TRAP_UNINITIALIZED_ELEMENT] = "uninitialized element",
    [WASMAOT_TRAP_UNDEFINED_ELEMENT] = "undefined element",
    [WASMAOT_TRAP_INTEGER_DIVIDE_BY_ZERO] = "integer divide by zero",
    [WASMAOT_TRAP_INTEGER_OVERFLOW] = "integer overflow",
    [WASMAOT_TRAP_INVALID_CONVERSION] = "invalid conversion to integer",
    [WASMAOT_TRAP_CALL_STACK_EXHAUSTED] = "call stack exhausted",
    [WASMAOT_TRAP_NULL_FUNCTION_REFERENCE] = "null function reference",
    [WASMAOT_TRAP_NULL_REFERENCE] = "null reference",
    [WASMAOT_TRAP_NULL_STRUCTURE_REFERENCE] = "null structure reference",
    [WASMAOT_TRAP_NULL_ARRAY_REFERENCE] = "null array reference",
    [WASMAOT_TRAP_NULL_I31_REFERENCE] = "null i31 reference",
    [WASMAOT_TRAP_CAST_FAILURE] = "cast failure",
    [WASMAOT_TRAP_ARRAY_OUT_OF_BOUNDS] = "out of bounds array access",
    [WASMAOT_TRAP_UNALIGNED_ATOMIC] = "unaligned atomic",
    [WASMAOT_TRAP_UNCAUGHT_EXCEPTION] = "uncaught exception",
    [WASMAOT_TRAP_HOST] = "host trap",
    [WASMAOT_TRAP_COMPONENT] = "component model trap",
};
_Static_assert(sizeof(trap_messages) / sizeof(trap_messages[0]) == WASMAOT_TRAP_COUNT,
               "one message per trap code");

/* The last wasmaot_trap_component's message (NULL: none yet). */
static const char *component_message;

const char *wasmaot_trap_message(wasmaot_trap_code code) {
    if (code >= WASMAOT_TRAP_COUNT || trap_messages[code] == NULL) return "unknown trap";
    if (code == WASMAOT_TRAP_COMPONENT && component_message) return component_message;
    return trap_messages[code];
}

void wasmaot_trap_component(const char *message) {
    component_message = message;
    wasmaot_trap(WASMAOT_TRAP_COMPONENT);
}

void wasmaot_trap(wasmaot_trap_code code) {
    /* Code 0 means "no trap" to wasmaot_rt_try: delivering it unchanged
     * would make a trap look like a normal return.  Report it as unknown. */
    if (code == WASMAOT_TRAP_NONE) code = 0xFFFFFFFFu;
    wasmaot_platform_trap(code);
}

/* The mode marker generated code must reference (wasmaot_rt.h section 8). */
#if WASMAOT_BOUNDS_GUARD
const uint32_t wasmaot_rt_abi_v1_guard = WASMAOT_RT_ABI_VERSION;
#else
const uint32_t wasmaot_rt_abi_v1_explicit = WASMAOT_RT_ABI_VERSION;
#endif

/* Set by wasmaot_rt_init (POSIX) or by the embedder (bare metal).  0 until
 * then, which disables the explicit check rather than trapping everywhere. */
uintptr_t wasmaot_stack_limit = 0;
int wasmaot_rt_argc = 0;
char **wasmaot_rt_argv = 0;
