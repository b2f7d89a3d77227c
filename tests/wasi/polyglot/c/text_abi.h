/* The canonical ABI of `example:poly/text` (polyglot/text.wit), written by
 * hand for wasm32 (no wit-bindgen here): the core types laid out as the
 * component model lays out the WIT types, the imports as wit-component
 * names them, and the cabi_realloc through which lowered results arrive.
 * The _Static_asserts pin each layout to CanonicalABI.md's rules. */
#ifndef TEXT_ABI_H
#define TEXT_ABI_H

#include <stddef.h>
#include <stdint.h>

typedef struct { const char *ptr; size_t len; } poly_string;            /* string */
typedef struct { poly_string *ptr; size_t len; } poly_strings;          /* list<string> */
typedef struct { poly_string name; uint32_t count; poly_strings tags; } poly_item;

enum { PROBLEM_EMPTY, PROBLEM_BAD_NAME, PROBLEM_TOO_MANY };
typedef struct {
    uint8_t tag;
    union { poly_string bad_name; uint32_t too_many; } val;
} poly_problem;

typedef struct {                                                        /* result<string, problem> */
    uint8_t is_err;
    union { poly_string ok; poly_problem err; } val;
} poly_render_result;

_Static_assert(sizeof(poly_item) == 20 && offsetof(poly_item, count) == 8 && offsetof(poly_item, tags) == 12,
               "record item: string@0, u32@8, list@12, size 20");
_Static_assert(sizeof(poly_problem) == 12 && offsetof(poly_problem, val) == 4, "variant problem: tag@0, payload@4");
_Static_assert(sizeof(poly_render_result) == 16 && offsetof(poly_render_result, val) == 4,
               "result<string, problem>: tag@0, payload@4, size 16");

/* Both results flatten to more than one core value, so the caller passes
 * a return area as the last argument. */
__attribute__((import_module("example:poly/text"), import_name("render")))
extern void poly_text_render(const char *title, size_t title_len, const poly_item *items, size_t n_items,
                             poly_render_result *ret);
__attribute__((import_module("example:poly/text"), import_name("split-words")))
extern void poly_text_split_words(const char *s, size_t len, poly_strings *ret);

#endif
