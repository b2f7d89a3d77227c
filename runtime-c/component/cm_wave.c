/*
 * cm_wave.c -- WAVE (the WebAssembly Value Encoding) call text -> host
 * values typed by a component export (wasmaot_cm_value), as `wasmtime run
 * --invoke 'f(1, "x")'` reads it.  Hosted: values are malloc'd and never
 * freed (the process ends after the call).
 *
 * The grammar and the error texts follow frontend/component/wave.py (the
 * reference, identical to wasmtime 49 in what it accepts): keywords, `%`
 * labels, `//` comments, chars and strings with \' \" \\ \t \n \r \u{X}
 * escapes, trailing commas, records with omitted `none` fields (`{:}` when
 * empty), flags `{a, b}`, the flat shorthand `x` for `some(x)` / `ok(x)`
 * (when x is not itself an option or result), omitted trailing option
 * arguments, multiline """ strings.
 */
#include "cm_wave.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 100

enum { T_END, T_PUNCT, T_NUM, T_LABEL, T_CHAR, T_STRING };

typedef struct tok {
    int kind;
    size_t pos, len;        /* the token's text: src[pos .. pos+len) */
    char *str;              /* T_STRING: decoded UTF-8 (malloc'd); T_CHAR: unused */
    uint32_t str_len, ch;
} tok;

typedef struct parser {
    const wasmaot_cm_component *comp;
    const char *src;
    size_t n, pos;          /* lexer position */
    tok t;                  /* current token */
    int depth;
    cm_wave_error *err;
} parser;

static const char *const KEYWORDS[] = {"true", "false", "some", "none", "ok", "err", "inf", "nan"};

static int fail(parser *p, size_t pos, const char *fmt, const char *a) {
    if (!p->err->msg[0]) {
        snprintf(p->err->msg, sizeof p->err->msg, fmt, a);
        p->err->column = (uint32_t)pos + 1;
    }
    return -1;
}

static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* ------------------------------------------------------------------ lexer */

static void put_utf8(char **buf, uint32_t *len, uint32_t *cap, uint32_t c) {
    if (*len + 4 >= *cap) {
        *cap = *cap * 2 + 16;
        *buf = realloc(*buf, *cap);
        if (!*buf) { fputs("wasmaot: out of memory\n", stderr); exit(1); }
    }
    char *d = *buf + *len;
    if (c < 0x80) { d[0] = (char)c; *len += 1; }
    else if (c < 0x800) { d[0] = (char)(0xc0 | c >> 6); d[1] = (char)(0x80 | (c & 63)); *len += 2; }
    else if (c < 0x10000) {
        d[0] = (char)(0xe0 | c >> 12); d[1] = (char)(0x80 | (c >> 6 & 63)); d[2] = (char)(0x80 | (c & 63));
        *len += 3;
    } else {
        d[0] = (char)(0xf0 | c >> 18); d[1] = (char)(0x80 | (c >> 12 & 63));
        d[2] = (char)(0x80 | (c >> 6 & 63)); d[3] = (char)(0x80 | (c & 63));
        *len += 4;
    }
}

/* One character of a quoted literal at p->pos (escape or UTF-8). */
static int lex_char(parser *p, char quote, uint32_t *out) {
    const unsigned char *s = (const unsigned char *)p->src;
    size_t i = p->pos;
    if (s[i] == '\n')
        return fail(p, i, "unescaped newline in %s", quote == '\'' ? "char" : "string");
    if (s[i] != '\\') {
        uint32_t c = s[i], len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        if (c >= 0x80) c &= 0x3f >> (len - 1);
        for (uint32_t k = 1; k < len && i + k < p->n; k++) c = c << 6 | (s[i + k] & 0x3f);
        p->pos = i + len;
        *out = c;
        return 0;
    }
    char e = i + 1 < p->n ? (char)s[i + 1] : 0;
    const char *from = "'\"\\tnr", *to = "'\"\\\t\n\r";
    const char *hit = e ? strchr(from, e) : NULL;
    if (hit) { *out = (unsigned char)to[hit - from]; p->pos = i + 2; return 0; }
    if (e != 'u' || i + 2 >= p->n || s[i + 2] != '{') return fail(p, i, "invalid character escape%s", "");
    uint32_t c = 0, digits = 0;
    size_t j = i + 3;
    for (; j < p->n && digits <= 6; j++, digits++) {
        char h = (char)s[j];
        int v = is_digit(h) ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
        if (v < 0) break;
        c = c * 16 + (uint32_t)v;
    }
    if (digits == 0 || digits > 6 || j >= p->n || s[j] != '}') return fail(p, i, "invalid character escape%s", "");
    if (c >= 0x110000 || (c >= 0xd800 && c <= 0xdfff))
        return fail(p, i, "invalid character escape: not a Unicode scalar value%s", "");
    p->pos = j + 1;
    *out = c;
    return 0;
}

static int lex_quoted(parser *p) {
    char quote = p->src[p->pos];
    size_t start = p->pos;
    uint32_t cap = 0, count = 0, c = 0;
    p->t.str = NULL;
    p->t.str_len = 0;
    p->pos++;
    for (;;) {
        if (p->pos >= p->n) return fail(p, start, "unterminated %s", quote == '\'' ? "char" : "string");
        if (p->src[p->pos] == quote) break;
        if (lex_char(p, quote, &c)) return -1;
        put_utf8(&p->t.str, &p->t.str_len, &cap, c);
        count++;
    }
    p->pos++;
    p->t.kind = quote == '\'' ? T_CHAR : T_STRING;
    p->t.ch = c;
    if (quote == '\'' && count != 1)
        return fail(p, start, "a char literal must hold exactly one character%s", "");
    if (quote == '"' && p->t.str == NULL) p->t.str = "";
    return 0;
}

/* A """ string (wave.py _multiline): a line break after the opening
 * delimiter, the closing one alone on its line after the indentation that
 * every line loses; lines are joined with '\n' (a "\r\n" ends a line too). */
static int lex_multiline(parser *p) {
    const char *s = p->src;
    size_t start = p->pos, i = p->pos + 3;
    if (i + 1 < p->n && s[i] == '\r' && s[i + 1] == '\n') i += 2;
    else if (i < p->n && s[i] == '\n') i += 1;
    else return fail(p, start, "a multiline string must start with a line break%s", "");
    const char *close = strstr(s + i, "\"\"\"");
    if (!close) return fail(p, start, "unterminated multiline string%s", "");
    size_t end = (size_t)(close - s), nl = end, indent;
    while (nl > i && s[nl - 1] != '\n') nl--;           /* start of the closing line */
    for (size_t k = nl; k < end; k++)
        if (s[k] != ' ') return fail(p, end, "the closing \"\"\" must be on its own line%s", "");
    indent = end - nl;
    uint32_t cap = 0, c = 0;
    p->t.str = NULL;
    p->t.str_len = 0;
    for (size_t line = i; nl > i && line < nl;) {        /* the lines before the closing one */
        size_t eol = line;
        while (s[eol] != '\n') eol++;
        size_t last = eol > line && s[eol - 1] == '\r' ? eol - 1 : eol;
        if (last - line < indent || strncmp(s + line, s + nl, indent) != 0) {
            char msg[96];
            snprintf(msg, sizeof msg, "line indented less than the closing delimiter (%zu spaces)%%s", indent);
            return fail(p, line, msg, "");
        }
        if (line > i) put_utf8(&p->t.str, &p->t.str_len, &cap, '\n');
        for (p->pos = line + indent; p->pos < last;) {
            if (lex_char(p, '"', &c)) return -1;
            put_utf8(&p->t.str, &p->t.str_len, &cap, c);
        }
        line = eol + 1;
    }
    if (!p->t.str) p->t.str = "";
    p->t.kind = T_STRING;
    p->pos = end + 3;
    return 0;
}

static size_t lex_word(const char *s, size_t i, size_t n) {
    /* [a-z][a-z0-9]* or [A-Z][A-Z0-9]*, then more words after '-' */
    for (;;) {
        int low = is_lower(s[i]);
        if (i >= n || !(low || is_upper(s[i]))) return 0;
        i++;
        while (i < n && (is_digit(s[i]) || (low ? is_lower(s[i]) : is_upper(s[i])))) i++;
        if (i + 1 < n && s[i] == '-' && (is_lower(s[i + 1]) || is_upper(s[i + 1]) || is_digit(s[i + 1]))) {
            i++;
            if (is_digit(s[i])) {          /* a word may also be digits: a-1 */
                while (i < n && (is_digit(s[i]) || is_lower(s[i]) || is_upper(s[i]))) i++;
                if (i < n && s[i] == '-') continue;
                return i;
            }
            continue;
        }
        return i;
    }
}

static size_t lex_number(const char *s, size_t i, size_t n) {
    size_t j = i;
    if (j < n && s[j] == '-') j++;
    if (j + 3 <= n && strncmp(s + j, "inf", 3) == 0 && j > i) return j + 3;
    if (j >= n || !is_digit(s[j])) return 0;
    if (s[j] == '0') j++;
    else while (j < n && is_digit(s[j])) j++;
    if (j + 1 < n && s[j] == '.' && is_digit(s[j + 1])) { j++; while (j < n && is_digit(s[j])) j++; }
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (s[k] == '+' || s[k] == '-')) k++;
        if (k < n && is_digit(s[k])) { while (k < n && is_digit(s[k])) k++; j = k; }
    }
    return j;
}

static int next(parser *p) {
    const char *s = p->src;
    for (;;) {                                  /* blanks and // comments */
        while (p->pos < p->n && strchr(" \t\n\r", s[p->pos])) p->pos++;
        if (p->pos + 1 < p->n && s[p->pos] == '/' && s[p->pos + 1] == '/')
            while (p->pos < p->n && s[p->pos] != '\n') p->pos++;
        else break;
    }
    p->t.pos = p->pos;
    if (p->pos >= p->n) { p->t.kind = T_END; p->t.len = 0; return 0; }
    char c = s[p->pos];
    if (c == '\'' || c == '"') {
        int r = c == '"' && p->pos + 2 < p->n && s[p->pos + 1] == '"' && s[p->pos + 2] == '"'
                    ? lex_multiline(p) : lex_quoted(p);
        p->t.len = p->pos - p->t.pos;
        return r;
    }
    size_t end;
    if (strchr("{}()[]:,", c)) { p->t.kind = T_PUNCT; end = p->pos + 1; }
    else if ((end = lex_number(s, p->pos, p->n))) p->t.kind = T_NUM;
    else if ((end = lex_word(s, p->pos + (c == '%'), p->n))) p->t.kind = T_LABEL;
    else {
        char bad[8] = {c, 0};
        return fail(p, p->pos, "invalid token '%s'", bad);
    }
    p->t.len = end - p->pos;
    p->pos = end;
    return 0;
}

/* ------------------------------------------------------------ typed parser */

static int is_punct(const parser *p, char c) { return p->t.kind == T_PUNCT && p->src[p->t.pos] == c; }

static const char *describe(parser *p) {
    static char buf[64];
    if (p->t.kind == T_END) return "end of input";
    size_t n = p->t.len < 40 ? p->t.len : 40;
    snprintf(buf, sizeof buf, "'%.*s'", (int)n, p->src + p->t.pos);
    return buf;
}

static int expect(parser *p, char c) {
    if (!is_punct(p, c)) {
        char msg[80];
        snprintf(msg, sizeof msg, "expected '%c', found %%s", c);
        return fail(p, p->t.pos, msg, describe(p));
    }
    return next(p);
}

static int tok_is(const parser *p, const char *word) {
    size_t n = strlen(word);
    return p->t.kind == T_LABEL && p->t.len == n && memcmp(p->src + p->t.pos, word, n) == 0;
}

static int is_keyword(const parser *p) {
    for (size_t i = 0; i < sizeof KEYWORDS / sizeof KEYWORDS[0]; i++)
        if (tok_is(p, KEYWORDS[i])) return 1;
    return 0;
}

/* The label `k` of node t equals the current label token (without its %). */
static int label_is(const parser *p, const wasmaot_cm_type *t, uint32_t k) {
    const uint32_t *pool = p->comp->pool;
    uint32_t off = pool[t->labels + 2 * k], len = pool[t->labels + 2 * k + 1];
    size_t skip = p->src[p->t.pos] == '%';
    return p->t.len - skip == len && memcmp(p->src + p->t.pos + skip, p->comp->strings + off, len) == 0;
}

static int find_label(const parser *p, const wasmaot_cm_type *t) {
    for (uint32_t k = 0; k < t->n; k++)
        if (label_is(p, t, k)) return (int)k;
    return -1;
}

static wasmaot_cm_value *alloc_values(uint32_t n) {
    wasmaot_cm_value *v = calloc(n ? n : 1, sizeof *v);
    if (!v) { fputs("wasmaot: out of memory\n", stderr); exit(1); }
    return v;
}

static int value(parser *p, uint32_t type, wasmaot_cm_value *out);

static const wasmaot_cm_type *node(const parser *p, uint32_t i) { return &p->comp->types[i]; }
static uint32_t kid(const parser *p, const wasmaot_cm_type *t, uint32_t k) { return p->comp->pool[t->children + k]; }

static int integer(parser *p, const wasmaot_cm_type *t, wasmaot_cm_value *out) {
    static const char *const names[] = {"", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64"};
    static const uint8_t width[] = {0, 8, 8, 16, 16, 32, 32, 64, 64};
    const char *name = names[t->kind];
    int is_signed = t->kind % 2 == 1;
    const char *s = p->src + p->t.pos;
    size_t n = p->t.len;
    int ok = p->t.kind == T_NUM && n > 0;
    for (size_t i = (s[0] == '-'); ok && i < n; i++) ok = is_digit(s[i]);
    if (!ok) {
        char msg[64];
        snprintf(msg, sizeof msg, "expected an integer (%s), found %%s", name);
        return fail(p, p->t.pos, msg, describe(p));
    }
    char text[32];
    if (n >= sizeof text) return fail(p, p->t.pos, "integer out of range for %s", name);
    memcpy(text, s, n);
    text[n] = 0;
    if (!is_signed && text[0] == '-')
        return fail(p, p->t.pos, "integer out of range for %s (no sign allowed)", name);
    errno = 0;
    uint32_t w = width[t->kind];
    if (is_signed) {
        long long v = strtoll(text, NULL, 10);
        long long lo = w == 64 ? INT64_MIN : -(1ll << (w - 1)), hi = w == 64 ? INT64_MAX : (1ll << (w - 1)) - 1;
        if (errno || v < lo || v > hi) return fail(p, p->t.pos, "integer out of range for %s", name);
        out->u.bits = (uint64_t)v;
    } else {
        unsigned long long v = strtoull(text + (text[0] == '-'), NULL, 10);
        if (errno || (w < 64 && v >> w)) return fail(p, p->t.pos, "integer out of range for %s", name);
        out->u.bits = v;
    }
    return next(p);
}

static int number(parser *p, const wasmaot_cm_type *t, wasmaot_cm_value *out) {
    int f32 = t->kind == WASMAOT_CM_F32;
    if (tok_is(p, "inf")) out->u.f64 = INFINITY;
    else if (tok_is(p, "nan")) out->u.f64 = NAN;
    else if (p->t.kind == T_NUM) {
        char text[512];
        if (p->t.len >= sizeof text) return fail(p, p->t.pos, "number too long%s", "");
        memcpy(text, p->src + p->t.pos, p->t.len);
        text[p->t.len] = 0;
        /* f32 straight from the decimal (strtof): one rounding, as Rust's parse::<f32>. */
        out->u.f64 = f32 ? (double)strtof(text, NULL) : strtod(text, NULL);
    } else {
        char msg[64];
        snprintf(msg, sizeof msg, "expected a number (%s), found %%s", f32 ? "f32" : "f64");
        return fail(p, p->t.pos, msg, describe(p));
    }
    return next(p);
}

static int primitive(parser *p, const wasmaot_cm_type *t, wasmaot_cm_value *out) {
    switch (t->kind) {
    case WASMAOT_CM_BOOL:
        if (!tok_is(p, "true") && !tok_is(p, "false"))
            return fail(p, p->t.pos, "expected a bool, found %s", describe(p));
        out->u.bits = tok_is(p, "true");
        return next(p);
    case WASMAOT_CM_F32: case WASMAOT_CM_F64:
        return number(p, t, out);
    case WASMAOT_CM_CHAR:
        if (p->t.kind != T_CHAR) return fail(p, p->t.pos, "expected a char, found %s", describe(p));
        out->u.bits = p->t.ch;
        return next(p);
    case WASMAOT_CM_STRING:
        if (p->t.kind != T_STRING) return fail(p, p->t.pos, "expected a string, found %s", describe(p));
        out->u.str = p->t.str;
        out->n = p->t.str_len;
        return next(p);
    default:
        return integer(p, t, out);
    }
}

/* Comma-separated values of types `types[k]` (or `elem` for lists) up to `close`. */
static int sequence(parser *p, const wasmaot_cm_type *t, char close, wasmaot_cm_value *out) {
    size_t start = p->t.pos;
    uint32_t cap = 4, n = 0;
    int list = t->kind == WASMAOT_CM_LIST;
    wasmaot_cm_value *items = alloc_values(list ? cap : t->n);
    if (expect(p, close == ']' ? '[' : '(')) return -1;
    while (!is_punct(p, close)) {
        if (!list && n >= t->n) {
            char msg[64];
            snprintf(msg, sizeof msg, "more than %u tuple elements%%s", t->n);
            return fail(p, p->t.pos, msg, "");
        }
        if (list && n == cap) {
            cap *= 2;
            items = realloc(items, cap * sizeof *items);
            if (!items) { fputs("wasmaot: out of memory\n", stderr); exit(1); }
        }
        if (value(p, kid(p, t, list ? 0 : n), &items[n])) return -1;
        n++;
        if (!is_punct(p, close) && expect(p, ',')) return -1;
    }
    if (!list && n != t->n) {
        char msg[64];
        snprintf(msg, sizeof msg, "expected %u tuple elements, found %u%%s", t->n, n);
        return fail(p, start, msg, "");
    }
    out->u.items = items;
    out->n = n;
    return next(p);
}

static int optional_comma(parser *p) {
    if (is_punct(p, ',')) return next(p);
    if (p->t.kind == T_END) return fail(p, p->t.pos, "expected ',' or '}', found end of input%s", "");
    return 0;
}

static int record(parser *p, const wasmaot_cm_type *t, wasmaot_cm_value *out) {
    size_t start = p->t.pos;
    wasmaot_cm_value *items = alloc_values(t->n);
    uint8_t *got = calloc(t->n ? t->n : 1, 1);
    if (expect(p, '{')) return -1;
    if (is_punct(p, ':')) {
        if (next(p) || expect(p, '}')) return -1;
    } else {
        while (!is_punct(p, '}')) {
            if (p->t.kind != T_LABEL) return fail(p, p->t.pos, "expected a label, found %s", describe(p));
            int k = find_label(p, t);
            if (k < 0) return fail(p, p->t.pos, "unknown record field %s", describe(p));
            if (got[k]) return fail(p, p->t.pos, "duplicate record field %s", describe(p));
            got[k] = 1;
            if (next(p) || expect(p, ':') || value(p, kid(p, t, (uint32_t)k), &items[k]) || optional_comma(p))
                return -1;
        }
        if (next(p)) return -1;
    }
    for (uint32_t k = 0; k < t->n; k++) {
        if (got[k]) continue;
        const wasmaot_cm_type *ft = node(p, kid(p, t, k));
        if (ft->kind != WASMAOT_CM_OPTION) {
            const uint32_t *pool = p->comp->pool;
            char name[128];
            snprintf(name, sizeof name, "'%.*s'", (int)pool[t->labels + 2 * k + 1],
                     p->comp->strings + pool[t->labels + 2 * k]);
            return fail(p, start, "missing record field %s", name);
        }
        items[k].type = kid(p, t, k);
        items[k].n = 0;                 /* none */
    }
    free(got);
    out->u.items = items;
    out->n = t->n;
    return 0;
}

static int flags(parser *p, const wasmaot_cm_type *t, wasmaot_cm_value *out) {
    if (expect(p, '{')) return -1;
    out->u.bits = 0;
    while (!is_punct(p, '}')) {
        if (p->t.kind != T_LABEL) return fail(p, p->t.pos, "expected a label, found %s", describe(p));
        int k = p->src[p->t.pos] == '%' ? -1 : find_label(p, t);
        if (k < 0) return fail(p, p->t.pos, "unknown flag %s", describe(p));
        if ((out->u.bits >> k) & 1) return fail(p, p->t.pos, "duplicate flag %s", describe(p));
        out->u.bits |= 1ull << k;
        if (next(p) || optional_comma(p)) return -1;
    }
    return next(p);
}

static int optional_like(const parser *p, uint32_t type) {
    if (type == WASMAOT_CM_NONE) return 1;
    uint32_t k = node(p, type)->kind;
    return k == WASMAOT_CM_OPTION || k == WASMAOT_CM_RESULT;
}

static int variant(parser *p, const wasmaot_cm_type *t, wasmaot_cm_value *out) {
    int kw = is_keyword(p), k;
    if (t->kind == WASMAOT_CM_VARIANT || t->kind == WASMAOT_CM_ENUM) {
        if (p->t.kind != T_LABEL || kw)
            return fail(p, p->t.pos, t->kind == WASMAOT_CM_ENUM ? "expected an enum case, found %s"
                                                                  : "expected a variant case, found %s", describe(p));
        k = find_label(p, t);
    } else {
        k = kw ? find_label(p, t) : -1;
        if (k < 0) {                   /* the flat shorthand: x for some(x) / ok(x) */
            uint32_t inner = kid(p, t, t->kind == WASMAOT_CM_OPTION ? 1 : 0);
            if (optional_like(p, inner))
                return fail(p, p->t.pos, t->kind == WASMAOT_CM_OPTION ? "expected one of none, some, found %s"
                                                                        : "expected one of ok, err, found %s", describe(p));
            out->n = t->kind == WASMAOT_CM_OPTION ? 1 : 0;
            out->u.items = alloc_values(1);
            return value(p, inner, out->u.items);
        }
    }
    if (k < 0)
        return fail(p, p->t.pos, t->kind == WASMAOT_CM_ENUM ? "unknown enum case %s" : "unknown variant case %s", describe(p));
    out->n = (uint32_t)k;
    out->u.items = NULL;
    size_t at = p->t.pos;
    if (next(p)) return -1;
    uint32_t payload = t->kind == WASMAOT_CM_ENUM ? WASMAOT_CM_NONE : kid(p, t, (uint32_t)k);
    if (payload == WASMAOT_CM_NONE) {
        if (is_punct(p, '(')) return fail(p, p->t.pos, "case has no payload%s", "");
        return 0;
    }
    if (!is_punct(p, '(')) return fail(p, at, "case needs a payload: label(...)%s", "");
    out->u.items = alloc_values(1);
    if (next(p) || value(p, payload, out->u.items)) return -1;
    return expect(p, ')');
}

static int value(parser *p, uint32_t type, wasmaot_cm_value *out) {
    const wasmaot_cm_type *t = node(p, type);
    out->type = type;
    if (++p->depth > MAX_DEPTH) return fail(p, p->t.pos, "value nested too deeply%s", "");
    int r;
    switch (t->kind) {
    case WASMAOT_CM_LIST: r = sequence(p, t, ']', out); break;
    case WASMAOT_CM_TUPLE: r = sequence(p, t, ')', out); break;
    case WASMAOT_CM_RECORD: r = record(p, t, out); break;
    case WASMAOT_CM_FLAGS: r = flags(p, t, out); break;
    case WASMAOT_CM_VARIANT: case WASMAOT_CM_ENUM: case WASMAOT_CM_OPTION: case WASMAOT_CM_RESULT:
        r = variant(p, t, out);
        break;
    case WASMAOT_CM_OWN: case WASMAOT_CM_BORROW:
        r = fail(p, p->t.pos, "resource handles cannot be written in WAVE%s", "");
        break;
    default: r = primitive(p, t, out); break;
    }
    p->depth--;
    return r;
}

/* ------------------------------------------------------------------- calls */

static size_t name_end(const char *s) {
    size_t i = 0;
    while (s[i] && (is_lower(s[i]) || is_upper(s[i]) || is_digit(s[i]) || strchr("-:/.@+", s[i]))) i++;
    return i;
}

int cm_wave_parse_call(const wasmaot_cm_component *comp, const char *text,
                       const wasmaot_cm_func **func, wasmaot_cm_value **args, cm_wave_error *err) {
    parser p = {comp, text, strlen(text), 0, {0}, 0, err};
    err->msg[0] = 0;
    err->column = 0;
    size_t n = name_end(text);
    if (n == 0) return fail(&p, 0, "expected a function call: name(args...)%s", "");
    *func = NULL;
    for (uint32_t i = 0; i < comp->n_funcs; i++) {
        const wasmaot_cm_func *f = &comp->funcs[i];
        if (f->name_len == n && memcmp(comp->strings + f->name, text, n) == 0) *func = f;
    }
    if (!*func) {
        char name[200];
        snprintf(name, sizeof name, "'%.*s'", (int)(n < 150 ? n : 150), text);
        return fail(&p, 0, "no exported function named %s", name);
    }
    const wasmaot_cm_func *f = *func;
    *args = alloc_values(f->n_params);
    p.pos = n;
    if (next(&p) || expect(&p, '(')) return -1;
    uint32_t k = 0;
    while (!is_punct(&p, ')')) {
        if (k >= f->n_params) {
            char msg[80];
            snprintf(msg, sizeof msg, "more arguments than the %u parameters%%s", f->n_params);
            return fail(&p, p.t.pos, msg, "");
        }
        if (value(&p, comp->pool[f->params + k], &(*args)[k])) return -1;
        k++;
        if (!is_punct(&p, ')') && expect(&p, ',')) return -1;
    }
    size_t close = p.t.pos;
    if (next(&p)) return -1;
    if (p.t.kind != T_END) return fail(&p, p.t.pos, "unexpected %s after the value", describe(&p));
    for (; k < f->n_params; k++) {          /* omitted trailing options are none */
        uint32_t type = comp->pool[f->params + k];
        if (comp->types[type].kind != WASMAOT_CM_OPTION) {
            char msg[80];
            snprintf(msg, sizeof msg, "missing arguments: the function takes %u%%s", f->n_params);
            return fail(&p, close, msg, "");
        }
        (*args)[k].type = type;
        (*args)[k].n = 0;
    }
    return 0;
}
