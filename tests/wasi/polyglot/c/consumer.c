/* A C command component that imports `example:poly/text`
 * (polyglot/text.wit, world consumer) and prints what the provider it is
 * composed with (JavaScript, Python) answers.  The first argument picks
 * the items: none (the default set), `empty`, `bad`, `many`, `bulk`;
 * the rest are split into words by the provider.  Exit status 0 when
 * render succeeds, else 2 (exit(err) through the adapter: 1 under both
 * runners).  Strings are UTF-8 with non-ASCII characters on purpose. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_abi.h"

/* Lowered results are allocated here; size 0 must still give a pointer
 * free() accepts. */
__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t size) {
    (void)old_size;
    (void)align; /* malloc's 16 bytes cover every alignment of this WIT */
    void *p = realloc(old, size ? size : 1);
    if (!p) abort();
    return p;
}

static poly_string str(const char *s) { return (poly_string){s, strlen(s)}; }

static poly_string RED_SWEET[] = {{"red", 3}, {"s\xc3\xbc\xc3\x9f", 5}};   /* süß */
static poly_string ONE_TAG[] = {{"\xe2\x82\xac" "uro", 6}};                  /* €uro */

static size_t default_items(poly_item *items) {
    items[0] = (poly_item){str("apple"), 3, {RED_SWEET, 2}};
    items[1] = (poly_item){str("gr\xc3\xbc\xc3\x9f" "e"), 1, {NULL, 0}};    /* grüße */
    items[2] = (poly_item){str("\xe6\x97\xa5\xe6\x9c\xac"), 12, {ONE_TAG, 1}}; /* 日本 */
    return 3;
}

/* The items for `mode`, into `items` (room for 500); their number. */
static size_t make_items(const char *mode, poly_item *items, char names[][8]) {
    if (!strcmp(mode, "empty")) return 0;
    size_t n = default_items(items);
    if (!strcmp(mode, "bad")) items[1].name = str("two words");
    if (!strcmp(mode, "many")) items[2].count = 4000000000u;
    if (!strcmp(mode, "bulk")) {
        for (n = 0; n < 500; n++) {
            snprintf(names[n], 8, "n%zu", n);
            items[n] = (poly_item){str(names[n]), (uint32_t)(n % 3), {n % 2 ? RED_SWEET : NULL, n % 2 ? 2 : 0}};
        }
    }
    return n;
}

static void print_render(const poly_render_result *r) {
    if (!r->is_err) {
        printf("render ok: %.*s\n", (int)r->val.ok.len, r->val.ok.ptr);
        free((void *)r->val.ok.ptr);
        return;
    }
    const poly_problem *p = &r->val.err;
    switch (p->tag) {
    case PROBLEM_EMPTY: printf("render err: empty\n"); break;
    case PROBLEM_BAD_NAME:
        printf("render err: bad-name(%.*s)\n", (int)p->val.bad_name.len, p->val.bad_name.ptr);
        free((void *)p->val.bad_name.ptr);
        break;
    case PROBLEM_TOO_MANY: printf("render err: too-many(%u)\n", (unsigned)p->val.too_many); break;
    default: printf("render err: tag %u?\n", p->tag);
    }
}

static void print_words(const char *s) {
    poly_strings words;
    poly_text_split_words(s, strlen(s), &words);
    printf("%zu words:", words.len);
    for (size_t i = 0; i < words.len; i++) {
        printf(" [%.*s]", (int)words.ptr[i].len, words.ptr[i].ptr);
        free((void *)words.ptr[i].ptr);
    }
    printf("\n");
    free(words.ptr);
}

int main(int argc, char **argv) {
    static poly_item items[500];
    static char names[500][8];
    const char *mode = argc > 1 ? argv[1] : "";
    size_t n = make_items(mode, items, names);
    poly_render_result r;
    poly_text_render("list \xe2\x9c\x93", 8, items, n, &r);                       /* list ✓ */
    print_render(&r);
    char joined[4096] = "";
    for (int i = 2; i < argc && strlen(joined) + strlen(argv[i]) + 2 < sizeof joined; i++) {
        strcat(joined, argv[i]);
        strcat(joined, "  ");
    }
    print_words(joined);
    fprintf(stderr, "consumer done: %s\n", r.is_err ? "err" : "ok");
    return r.is_err ? 2 : 0;
}
