/* Clocks, random, poll_oneoff with clocks, sched_yield: print only what is
 * deterministic (errnos, orderings, bounds). */
#include "common.h"
int main(void) {
    __wasi_timestamp_t r, t0, t1, w;
    show("res realtime", __wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &r));
    printf("res realtime sane: %d\n", r > 0 && r <= 1000000000ull);
    show("res monotonic", __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &r));
    show("res process cputime", __wasi_clock_res_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, &r));
    show("time thread cputime", __wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 1, &r));
    show("time realtime", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &w));
    printf("realtime after 2020: %d\n", w > 1577836800ull * 1000000000ull);
    show("time monotonic", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t0));
    /* poll_oneoff: one relative clock of 30 ms */
    __wasi_subscription_t sub[2];
    __wasi_event_t ev[2];
    __wasi_size_t n;
    memset(sub, 0, sizeof sub);
    sub[0].userdata = 7;
    sub[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    sub[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub[0].u.u.clock.timeout = 30000000;
    show("poll 1 clock", __wasi_poll_oneoff(sub, ev, 1, &n));
    __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1);
    printf("slept >= 30ms: %d, n=%u ud=%llu type=%d err=%d\n", t1 - t0 >= 30000000, n,
           (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error);
    /* two clocks: the shorter one fires */
    sub[1] = sub[0];
    sub[1].userdata = 8;
    sub[0].u.u.clock.timeout = 5000000000ull;
    sub[1].u.u.clock.timeout = 10000000;
    show("poll 2 clocks", __wasi_poll_oneoff(sub, ev, 2, &n));
    printf("n=%u ud=%llu\n", n, (unsigned long long)ev[0].userdata);
    /* fd_write on stdout + a long clock: stdout is ready */
    sub[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    sub[1].u.u.fd_write.file_descriptor = 1;
    show("poll clock+stdout", __wasi_poll_oneoff(sub, ev, 2, &n));
    printf("n=%u ud=%llu type=%d\n", n, (unsigned long long)ev[0].userdata, ev[0].type);
    sub[1].u.u.fd_write.file_descriptor = 77;
    show("poll bad fd", __wasi_poll_oneoff(sub, ev, 2, &n));
    show("poll zero subs", __wasi_poll_oneoff(sub, ev, 0, &n));
    show("sched_yield", __wasi_sched_yield());
    uint8_t a[32], b[32];
    show("random_get", __wasi_random_get(a, sizeof a));
    __wasi_random_get(b, sizeof b);
    printf("random differs: %d\n", memcmp(a, b, sizeof a) != 0);
    show("random_get 0", __wasi_random_get(a, 0));
    return 0;
}
