/* The C provider of `example:poly/text` (polyglot/text.wit, world
 * provider): the same answers as provider.js and py_provider/, through
 * hand-written canonical ABI exports.  Arguments arrive in memory this
 * module allocated (cabi_realloc) and owns from then on: every export
 * frees them before returning.  Results live until the post-return
 * function, which frees them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_abi.h"

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t size) {
    (void)old_size;
    (void)align; /* malloc's 16 bytes cover every alignment of this WIT */
    void *p = realloc(old, size ? size : 1);
    if (!p) abort();
    return p;
}

/* A growing UTF-8 buffer for the rendered line. */
typedef struct { char *ptr; size_t len, cap; } buf;

static void put(buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        b->cap = 2 * (b->len + n + 1);
        b->ptr = cabi_realloc(b->ptr, 0, 1, b->cap);
    }
    memcpy(b->ptr + b->len, s, n);
    b->len += n;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }
static void putu(buf *b, unsigned long long v) { char t[24]; put(b, t, (size_t)snprintf(t, sizeof t, "%llu", v)); }

static poly_string copy(poly_string s) {
    char *p = cabi_realloc(NULL, 0, 1, s.len);
    memcpy(p, s.ptr, s.len);
    return (poly_string){p, s.len};
}

static void free_items(poly_item *items, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free((void *)items[i].name.ptr);
        for (size_t t = 0; t < items[i].tags.len; t++) free((void *)items[i].tags.ptr[t].ptr);
        free(items[i].tags.ptr);
    }
    free(items);
}

/* The err case for `items`, if any, into `r` (0: none). */
static int problem(const poly_item *items, size_t n, poly_render_result *r) {
    unsigned long long total = 0;
    r->is_err = 1;
    if (n == 0) {
        r->val.err.tag = PROBLEM_EMPTY;
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (items[i].name.len == 0 || memchr(items[i].name.ptr, ' ', items[i].name.len)) {
            r->val.err.tag = PROBLEM_BAD_NAME;
            r->val.err.val.bad_name = copy(items[i].name);
            return 1;
        }
        total += items[i].count;
    }
    if (total > 1000000) {
        r->val.err.tag = PROBLEM_TOO_MANY;
        r->val.err.val.too_many = (uint32_t)total;
        return 1;
    }
    r->is_err = 0;
    return 0;
}

static poly_string describe_all(poly_string title, const poly_item *items, size_t n) {
    buf b = {0};
    unsigned long long total = 0;
    put(&b, title.ptr, title.len);
    puts_(&b, ": ");
    for (size_t i = 0; i < n; i++) {
        if (i) puts_(&b, "; ");
        put(&b, items[i].name.ptr, items[i].name.len);
        puts_(&b, "x");
        putu(&b, items[i].count);
        total += items[i].count;
        for (size_t t = 0; t < items[i].tags.len; t++) {
            puts_(&b, t ? "," : "[");
            put(&b, items[i].tags.ptr[t].ptr, items[i].tags.ptr[t].len);
        }
        if (items[i].tags.len) puts_(&b, "]");
    }
    puts_(&b, " (total ");
    putu(&b, total);
    puts_(&b, ", ");
    putu(&b, n);
    puts_(&b, " items)");
    return (poly_string){b.ptr, b.len};
}

static poly_render_result render_ret;

__attribute__((export_name("example:poly/text#render")))
poly_render_result *render(char *title, size_t title_len, poly_item *items, size_t n) {
    if (!problem(items, n, &render_ret))
        render_ret.val.ok = describe_all((poly_string){title, title_len}, items, n);
    free(title);
    free_items(items, n);
    return &render_ret;
}

__attribute__((export_name("cabi_post_example:poly/text#render")))
void render_post(poly_render_result *r) {
    if (!r->is_err) free((void *)r->val.ok.ptr);
    else if (r->val.err.tag == PROBLEM_BAD_NAME) free((void *)r->val.err.val.bad_name.ptr);
}

static poly_strings words_ret;

__attribute__((export_name("example:poly/text#split-words")))
poly_strings *split_words(char *s, size_t len) {
    poly_string *words = cabi_realloc(NULL, 0, 4, (len / 2 + 1) * sizeof *words);
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && s[j] != ' ') j++;
        if (j > i) words[n++] = copy((poly_string){s + i, j - i});
        i = j + 1;
    }
    free(s);
    words_ret = (poly_strings){words, n};
    return &words_ret;
}

__attribute__((export_name("cabi_post_example:poly/text#split-words")))
void split_words_post(poly_strings *w) {
    for (size_t i = 0; i < w->len; i++) free((void *)w->ptr[i].ptr);
    free(w->ptr);
}
