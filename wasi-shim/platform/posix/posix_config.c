/*
 * POSIX host configuration: wasmtime-style option parsing
 * (wasmaot_wasi_config_parse) and the process-wide default ctx used by the
 * standalone executable (wasmaot_wasi_default_ctx).
 */
#define _GNU_SOURCE 1
#include "../../core/wasi_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static void err_msg(char *err, size_t errlen, const char *a, const char *b) {
    if (err && errlen) snprintf(err, errlen, "%s%s", a, b ? b : "");
}

static int add_env(wasmaot_wasi_config *cfg, const char *entry) {
    const char **env = malloc(sizeof(char *) * (cfg->envc + 1u));
    if (!env) return -1;
    if (cfg->envc) memcpy(env, cfg->env, sizeof(char *) * cfg->envc);
    env[cfg->envc++] = entry;
    cfg->env = env; /* the previous array is leaked on purpose: it may be the caller's */
    return 0;
}

static int add_preopen(wasmaot_wasi_config *cfg, const char *spec, int read_only) {
    /* HOST[::GUEST] -- wasmtime's separator is "::" (a single ':' is legal in
     * host paths). */
    const char *sep = strstr(spec, "::");
    char *host = sep ? strndup(spec, (size_t)(sep - spec)) : strdup(spec);
    char *guest = strdup(sep ? sep + 2 : spec);
    wasmaot_wasi_preopen *p = malloc(sizeof *p * (cfg->n_preopens + 1u));
    if (!host || !guest || !p || !*host || !*guest) {
        free(host);
        free(guest);
        free(p);
        return -1;
    }
    if (cfg->n_preopens) memcpy(p, cfg->preopens, sizeof *p * cfg->n_preopens);
    p[cfg->n_preopens].host_path = host;
    p[cfg->n_preopens].guest_path = guest;
    p[cfg->n_preopens].read_only = read_only;
    cfg->n_preopens++;
    cfg->preopens = p;
    return 0;
}

/* wasmtime's -S network keys, as KEY or KEY=y|yes|true|n|no|false: the
 * WASMAOT_WASI_NET_* bit they set or clear in cfg->network (tcp and udp
 * also record that they were given).  1 if `kv` is one of them (done), 0
 * if not, -1 if its value is not a boolean. */
static int network_key(wasmaot_wasi_config *cfg, const char *kv) {
    static const struct { const char *key; uint32_t bit, given; } keys[] = {
        {"inherit-network", WASMAOT_WASI_NET_INHERIT, 0},
        {"allow-ip-name-lookup", WASMAOT_WASI_NET_NAME_LOOKUP, 0},
        {"tcp", WASMAOT_WASI_NET_TCP, WASMAOT_WASI_NET_TCP_SET},
        {"udp", WASMAOT_WASI_NET_UDP, WASMAOT_WASI_NET_UDP_SET}};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        size_t len = strlen(keys[k].key);
        if (strncmp(kv, keys[k].key, len) || (kv[len] && kv[len] != '=')) continue;
        const char *v = kv[len] ? kv + len + 1 : "y";
        int yes = !strcmp(v, "y") || !strcmp(v, "yes") || !strcmp(v, "true");
        if (!yes && strcmp(v, "n") && strcmp(v, "no") && strcmp(v, "false")) return -1;
        cfg->network = (yes ? cfg->network | keys[k].bit : cfg->network & ~keys[k].bit) | keys[k].given;
        return 1;
    }
    return 0;
}

/* `-S KEY[=V][,KEY[=V]...]` of network keys only (wasmtime's list
 * syntax): 1 done, 0 if the first key is not one, -1 bad (a bad value, or
 * another key in the list). */
static int network_keys(wasmaot_wasi_config *cfg, const char *spec) {
    char buf[256];
    int any = 0;
    if (strlen(spec) >= sizeof buf) return 0;
    strcpy(buf, spec);
    for (char *save, *k = strtok_r(buf, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        int r = network_key(cfg, k);
        if (r <= 0) return any || r < 0 ? -1 : 0;
        any = 1;
    }
    return any;
}

/* Option `name` at opts[*i]: "--name value" or "--name=value". */
static const char *opt_value(const char *name, int n, const char *const *opts, int *i, int *matched) {
    size_t len = strlen(name);
    const char *o = opts[*i];
    *matched = 0;
    if (strncmp(o, name, len) != 0) return NULL;
    if (o[len] == '=') { *matched = 1; return o + len + 1; }
    if (o[len] != '\0') return NULL;
    *matched = 1;
    if (*i + 1 >= n) return NULL;
    return opts[++*i];
}

int wasmaot_wasi_config_parse(wasmaot_wasi_config *cfg, int n, const char *const *opts, int *consumed, char *err,
                              size_t errlen) {
    int i = 0;
    for (; i < n; i++) {
        const char *o = opts[i];
        int m;
        const char *v;
        if (!strcmp(o, "--inherit-env") ||
            (!strcmp(o, "-S") && i + 1 < n && !strcmp(opts[i + 1], "inherit-env") && ++i) ||
            !strcmp(o, "-Sinherit-env")) {
            for (char **e = environ; e && *e; e++) {
                /* the runtime's own grant variable is not the program's */
                if (!strncmp(*e, WASMAOT_WASI_OPTIONS_ENV "=", sizeof WASMAOT_WASI_OPTIONS_ENV)) continue;
                if (add_env(cfg, *e)) goto oom;
            }
            continue;
        }
        if (!strcmp(o, "-S") && i + 1 < n) {
            int r = network_keys(cfg, opts[i + 1]);
            if (r < 0) { err_msg(err, errlen, "bad -S value: ", opts[i + 1]); goto fail; }
            if (r > 0) { i++; continue; }
        }
        if ((v = opt_value("--dir-ro", n, opts, &i, &m)), m) {
            if (!v) { err_msg(err, errlen, "--dir-ro needs HOST[::GUEST]", NULL); goto fail; }
            if (add_preopen(cfg, v, 1)) { err_msg(err, errlen, "bad --dir-ro value: ", v); goto fail; }
            continue;
        }
        if ((v = opt_value("--dir", n, opts, &i, &m)), m) {
            if (!v) { err_msg(err, errlen, "--dir needs HOST[::GUEST]", NULL); goto fail; }
            if (add_preopen(cfg, v, 0)) { err_msg(err, errlen, "bad --dir value: ", v); goto fail; }
            continue;
        }
        if ((v = opt_value("--env", n, opts, &i, &m)), m) {
            if (!v || !*v || *v == '=') { err_msg(err, errlen, "--env needs NAME[=VALUE]", NULL); goto fail; }
            if (strchr(v, '=')) {
                if (add_env(cfg, v)) goto oom;
            } else {
                const char *hv = getenv(v); /* wasmtime: `--env NAME` inherits NAME if set */
                if (hv) {
                    size_t k = strlen(v) + 1 + strlen(hv) + 1;
                    char *e = malloc(k);
                    if (!e) goto oom;
                    snprintf(e, k, "%s=%s", v, hv);
                    if (add_env(cfg, e)) goto oom;
                }
            }
            continue;
        }
        if (o[0] == '-' && o[1] == '-' && o[2] != '\0') {
            err_msg(err, errlen, "unknown WASI option ", o);
            goto fail;
        }
        break; /* first non-option */
    }
    if (consumed) *consumed = i;
    return 0;
oom:
    err_msg(err, errlen, "out of memory", NULL);
fail:
    if (consumed) *consumed = i;
    return -1;
}

/* ------------------------------------------------------------ default ctx */

static wasmaot_wasi_ctx default_ctx;
static wasmaot_wasi_config default_cfg;
static const wasmaot_wasi_config *default_override;

void wasmaot_wasi_set_default_config(const wasmaot_wasi_config *cfg) {
    default_override = cfg;
}

static WASMAOT_NORETURN void die(const char *msg) {
    char line[400];
    snprintf(line, sizeof line, "wasmaot: %s", msg);
    wasmaot_wasi_plat_error_line(line);
    exit(1);
}

wasmaot_wasi_ctx *wasmaot_wasi_default_ctx(void) {
    if (default_ctx.initialized) return &default_ctx;
    const wasmaot_wasi_config *cfg = default_override;
    if (!cfg) {
        wasmaot_wasi_config_init(&default_cfg);
        default_cfg.argc = wasmaot_rt_argc > 0 ? (uint32_t)wasmaot_rt_argc : 0u;
        default_cfg.argv = (const char *const *)wasmaot_rt_argv;
        if (wasmaot_wasi_baked_options) {
            int n = 0, used = 0;
            while (wasmaot_wasi_baked_options[n]) n++;
            char err[300];
            if (wasmaot_wasi_config_parse(&default_cfg, n, wasmaot_wasi_baked_options, &used, err, sizeof err))
                die(err);
            if (used != n) die("unexpected baked WASI option (not an option)");
        }
        /* Run-time grants: WASMAOT_WASI_OPTIONS="--dir ./data::/data --env K=V"
         * (the baked options' syntax, whitespace-separated; a path containing
         * spaces must be baked in instead).  An environment variable, not
         * arguments, so it can never collide with the program's own command
         * line.  Added after the baked grants. */
        const char *rt = getenv(WASMAOT_WASI_OPTIONS_ENV);
        if (rt && *rt) {
            static char buf[4096];
            static const char *toks[128];
            int n = 0, used = 0;
            if (strlen(rt) >= sizeof buf) die(WASMAOT_WASI_OPTIONS_ENV " is too long");
            strcpy(buf, rt);
            for (char *p = strtok(buf, " \t\n"); p; p = strtok(NULL, " \t\n")) {
                if (n == (int)(sizeof toks / sizeof toks[0])) die(WASMAOT_WASI_OPTIONS_ENV " has too many options");
                toks[n++] = p;
            }
            char err[300];
            if (wasmaot_wasi_config_parse(&default_cfg, n, toks, &used, err, sizeof err)) die(err);
            if (used != n) die("unexpected word in " WASMAOT_WASI_OPTIONS_ENV " (not an option)");
        }
        cfg = &default_cfg;
    }
    if (wasmaot_wasi_init(&default_ctx, cfg) != 0) die(wasmaot_wasi_error(&default_ctx));
    return &default_ctx;
}
