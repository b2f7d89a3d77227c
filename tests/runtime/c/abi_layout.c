/* Prints the ABI layout the backend hard-codes; test_build.py compares it
 * with the table in wasmaot_rt.h's header comment. */
#include "wasmaot_rt.h"

#include <stdio.h>

#define F(T, f) printf(#T "." #f " %u\n", (unsigned)offsetof(T, f))
#define S(T) printf("sizeof " #T " %u\n", (unsigned)sizeof(T))

int main(void) {
    F(wasmaot_memory, base); F(wasmaot_memory, size_bytes); F(wasmaot_memory, pages);
    F(wasmaot_memory, max_pages); F(wasmaot_memory, capacity_bytes); F(wasmaot_memory, flags);
    S(wasmaot_memory);
    F(wasmaot_table, elements); F(wasmaot_table, size); F(wasmaot_table, max_size);
    F(wasmaot_table, kind); F(wasmaot_table, capacity); F(wasmaot_table, flags);
    S(wasmaot_table);
    F(wasmaot_funcref, func); F(wasmaot_funcref, type_id); F(wasmaot_funcref, instance);
    S(wasmaot_funcref);
    F(wasmaot_segment, data); F(wasmaot_segment, size); F(wasmaot_segment, dropped);
    S(wasmaot_segment);
    S(wasmaot_externref);
    S(wasmaot_trap_code);
    return 0;
}
