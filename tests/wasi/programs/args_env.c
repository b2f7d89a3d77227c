/* argv (without argv[0], which differs between runners) and the
 * environment, sorted. */
#include "common.h"
extern char **environ;
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=[%s]\n", i, argv[i]);
    int n = 0;
    while (environ[n]) n++;
    qsort(environ, n, sizeof environ[0], cmp);
    printf("envc=%d\n", n);
    for (int i = 0; i < n; i++) printf("env[%s]\n", environ[i]);
    const char *v = getenv("GREETING");
    printf("GREETING=%s\n", v ? v : "(unset)");
    __wasi_size_t c, s;
    show("args_sizes_get", __wasi_args_sizes_get(&c, &s));
    show("environ_sizes_get", __wasi_environ_sizes_get(&c, &s));
    return 0;
}
