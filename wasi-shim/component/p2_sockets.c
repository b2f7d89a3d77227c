/*
 * p2_sockets.c -- wasi:sockets (network, instance-network, tcp,
 * tcp-create-socket, udp, udp-create-socket, ip-name-lookup) as component
 * host functions, on POSIX sockets.  Hosted builds only (layer `host`).
 *
 * Grants (cfg->network, WASMAOT_WASI_NET_*), as `wasmtime run`'s -S keys:
 * nothing by default (create-tcp-socket / create-udp-socket are
 * access-denied); -S inherit-network allows TCP, UDP and every address;
 * -S tcp=y|n / udp=y|n say it for one kind whatever inherit-network says
 * (so `-S inherit-network,udp=n` is TCP only, and `-S tcp` alone creates
 * sockets that can use no address); names resolve only with -S
 * allow-ip-name-lookup (permanent-resolver-failure otherwise, wasmtime's
 * code).  The address checks happen where wasmtime's do: start-bind and
 * start-listen fail at once, a refused connect is reported by
 * finish-connect.
 *
 * Resources live in the shim's table (their reps are unique among every
 * WASI resource) with the private kinds below; `state` points to a
 * malloc'd `sock`.  Streams of a connected TCP socket are ordinary stdio
 * streams (core/p2_cli_io.c) over a dup of the socket's descriptor, so
 * wasi:io read/write/subscribe/poll work on them unchanged; such a stream
 * is marked (flags == SOCKET_STREAM) so that its drop closes the dup.
 *
 * Blocking: every descriptor is non-blocking.  finish-connect waits for a
 * connect in progress (the shim has no I/O threads, and the core poll
 * waits for readability only); accept, receive and resolve-next-address
 * never block (would-block), and a listening socket's or an incoming
 * datagram stream's pollable is a stream pollable over a hidden stream on
 * the socket's descriptor, ready when the descriptor is readable.
 */
#define _GNU_SOURCE 1
#include "../core/wasi_internal.h"
#include "p2_sockets.h"
#include "p2_values.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CTX (wasmaot_wasi_default_ctx())
#define OK WASMAOT_CM_OK
#define HOST(name) P2_SOCKET_HOST(name)

/* Resource kinds of sockets, beyond wasmaot_wasi.h's WASMAOT_WASI_RES_*
 * (private to this file: nothing else looks them up). */
enum { RES_NETWORK = 0x40, RES_TCP, RES_UDP, RES_INCOMING, RES_OUTGOING, RES_RESOLVE };
/* `flags` of a stdio stream that owns its host descriptor (a socket's). */
#define SOCKET_STREAM 0x50C4u

/* wasi:sockets/network error-code, by case index. */
enum {
    E_UNKNOWN, E_ACCESS_DENIED, E_NOT_SUPPORTED, E_INVALID_ARGUMENT, E_OUT_OF_MEMORY, E_TIMEOUT,
    E_CONCURRENCY_CONFLICT, E_NOT_IN_PROGRESS, E_WOULD_BLOCK, E_INVALID_STATE, E_NEW_SOCKET_LIMIT,
    E_ADDRESS_NOT_BINDABLE, E_ADDRESS_IN_USE, E_REMOTE_UNREACHABLE, E_CONNECTION_REFUSED,
    E_CONNECTION_RESET, E_CONNECTION_ABORTED, E_DATAGRAM_TOO_LARGE, E_NAME_UNRESOLVABLE,
    E_TEMPORARY_RESOLVER_FAILURE, E_PERMANENT_RESOLVER_FAILURE
};
#define E_NONE (-1)

/* TCP states (wasmtime's TcpState); UDP uses DEFAULT and CONNECTED. */
enum { ST_DEFAULT, ST_CONNECTING, ST_CONNECTED, ST_LISTENING, ST_CLOSED };
/* The operation between start-X and finish-X. */
enum { OP_NONE, OP_BIND, OP_CONNECT, OP_LISTEN };

typedef struct sock {
    int fd;
    int family;          /* ip-address-family: 0 ipv4, 1 ipv6 */
    int state, op;
    int bound;
    int error;           /* ST_CLOSED: the error every call reports; connecting: a deferred one */
    uint32_t in, out;    /* TCP: the streams finish-connect/accept handed out (0: none) */
    uint32_t backlog;
    uint32_t poll_stream;/* hidden input stream over fd, for readiness pollables */
    uint32_t permit;     /* outgoing datagrams: check-send's last permit */
    uint32_t n_addrs, next;       /* resolve stream */
    struct sockaddr_storage *addrs;
} sock;

#define MAX_DATAGRAMS 16
#define MAX_DATAGRAM 65535

/* result<T, error-code>: the ok payload to fill, or NULL (err, or no T). */
static val *net_result(cx_t *cx, val *r, int code) {
    if (code != E_NONE) {
        set_case(cx, set_case(cx, r, 1), (uint32_t)code);
        return NULL;
    }
    return set_case(cx, r, 0);
}

static int unit_result(cx_t *cx, val *r, int code) {
    net_result(cx, r, code);
    return OK;
}

static int u64_result(cx_t *cx, val *r, int code, uint64_t v) {
    val *ok = net_result(cx, r, code);
    if (ok) ok->u.bits = v;
    return OK;
}

/* ------------------------------------------------------------- addresses */

/* ip-socket-address (variant ipv4{port, address}, ipv6{port, flow-info,
 * address, scope-id}) -> sockaddr. */
static socklen_t sockaddr_of(const val *v, struct sockaddr_storage *ss) {
    memset(ss, 0, sizeof *ss);
    const val *f = v->u.items->u.items;
    if (v->n == 0) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)f[0].u.bits);
        uint8_t *b = (uint8_t *)&in->sin_addr;
        for (int i = 0; i < 4; i++) b[i] = (uint8_t)f[1].u.items[i].u.bits;
        return sizeof *in;
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)f[0].u.bits);
    in6->sin6_flowinfo = htonl((uint32_t)f[1].u.bits);
    for (int i = 0; i < 8; i++) {
        uint16_t seg = (uint16_t)f[2].u.items[i].u.bits;
        in6->sin6_addr.s6_addr[2 * i] = (uint8_t)(seg >> 8);
        in6->sin6_addr.s6_addr[2 * i + 1] = (uint8_t)seg;
    }
    in6->sin6_scope_id = (uint32_t)f[3].u.bits;
    return sizeof *in6;
}

/* ip-address (variant ipv4(tuple of 4 u8), ipv6(tuple of 8 u16)) from a
 * sockaddr's address. */
static void set_ip(cx_t *cx, val *v, const struct sockaddr_storage *ss) {
    if (ss->ss_family == AF_INET) {
        const uint8_t *b = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
        val *t = set_fields(cx, set_case(cx, v, 0));
        for (int i = 0; i < 4; i++) t[i].u.bits = b[i];
        return;
    }
    const uint8_t *b = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
    val *t = set_fields(cx, set_case(cx, v, 1));
    for (int i = 0; i < 8; i++) t[i].u.bits = (uint64_t)(b[2 * i] << 8 | b[2 * i + 1]);
}

static void set_sockaddr(cx_t *cx, val *v, const struct sockaddr_storage *ss) {
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        val *f = set_fields(cx, set_case(cx, v, 0));
        f[0].u.bits = ntohs(in->sin_port);
        const uint8_t *b = (const uint8_t *)&in->sin_addr;
        val *t = set_fields(cx, &f[1]);
        for (int i = 0; i < 4; i++) t[i].u.bits = b[i];
        return;
    }
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
    val *f = set_fields(cx, set_case(cx, v, 1));
    f[0].u.bits = ntohs(in6->sin6_port);
    f[1].u.bits = ntohl(in6->sin6_flowinfo);
    val *t = set_fields(cx, &f[2]);
    for (int i = 0; i < 8; i++)
        t[i].u.bits = (uint64_t)(in6->sin6_addr.s6_addr[2 * i] << 8 | in6->sin6_addr.s6_addr[2 * i + 1]);
    f[3].u.bits = in6->sin6_scope_id;
}

static int is_v4_mapped(const struct in6_addr *a) {
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return !memcmp(a->s6_addr, prefix, 12);
}

/* ::a.b.c.d (deprecated IPv4-compatible), not :: or ::1. */
static int is_v4_compatible(const struct in6_addr *a) {
    static const uint8_t zero[12];
    if (memcmp(a->s6_addr, zero, 12)) return 0;
    uint32_t low = (uint32_t)a->s6_addr[12] << 24 | (uint32_t)a->s6_addr[13] << 16 |
                   (uint32_t)a->s6_addr[14] << 8 | a->s6_addr[15];
    return low > 1;
}

/* The IPv4 address of `ss` (a mapped IPv6 one too), host order; 0 with
 * *is4 = 0 for other IPv6 addresses. */
static uint32_t ipv4_of(const struct sockaddr_storage *ss, int *is4) {
    if (ss->ss_family == AF_INET) {
        *is4 = 1;
        return ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr);
    }
    const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
    *is4 = is_v4_mapped(a);
    if (!*is4) return 0;
    return (uint32_t)a->s6_addr[12] << 24 | (uint32_t)a->s6_addr[13] << 16 | (uint32_t)a->s6_addr[14] << 8 |
           a->s6_addr[15];
}

/* wasmtime's is_valid_unicast_address and is_valid_address_family. */
static int valid_local(const sock *s, const struct sockaddr_storage *ss) {
    int is4;
    uint32_t v4 = ipv4_of(ss, &is4);
    if (is4 && ((v4 >> 28) == 0xE || v4 == 0xFFFFFFFFu)) return 0;
    if (!is4 && ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr[0] == 0xFF) return 0;
    if (s->family == 0) return ss->ss_family == AF_INET;
    if (ss->ss_family != AF_INET6) return 0;
    const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
    return !is_v4_mapped(a) && !is_v4_compatible(a);
}

/* ... and is_valid_remote_address: not unspecified, port != 0. */
static int valid_remote(const sock *s, const struct sockaddr_storage *ss) {
    if (!valid_local(s, ss)) return 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        return in->sin_addr.s_addr != 0 && in->sin_port != 0;
    }
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
    return !IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr) && in6->sin6_port != 0;
}

/* ---------------------------------------------------------------- grants */

static uint32_t grants(void) {
    const wasmaot_wasi_config *cfg = CTX->cfg;
    return cfg ? cfg->network : 0;
}

/* May the guest use a socket address (bind, listen, connect, send)?  One
 * switch for every address and use, as wasmtime's -S inherit-network. */
static int address_allowed(void) { return (grants() & WASMAOT_WASI_NET_INHERIT) != 0; }

/* May it create a socket of this kind?  `-S tcp`/`-S udp` when given,
 * else whatever -S inherit-network says (wasmtime's CLI rule). */
static int kind_allowed(int udp) {
    uint32_t g = grants();
    uint32_t bit = udp ? WASMAOT_WASI_NET_UDP : WASMAOT_WASI_NET_TCP;
    uint32_t given = udp ? WASMAOT_WASI_NET_UDP_SET : WASMAOT_WASI_NET_TCP_SET;
    return (g & given) ? (g & bit) != 0 : (g & WASMAOT_WASI_NET_INHERIT) != 0;
}

/* ---------------------------------------------------------------- errors */

/* errno -> error-code, wasmtime's mapping (crates/wasi/src/sockets). */
static int code_of(int e) {
    switch (e) {
    case EPERM: case EACCES: return E_ACCESS_DENIED;
    case EADDRINUSE: return E_ADDRESS_IN_USE;
    case EADDRNOTAVAIL: return E_ADDRESS_NOT_BINDABLE;
    case ETIMEDOUT: return E_TIMEOUT;
    case ECONNREFUSED: return E_CONNECTION_REFUSED;
    case ECONNRESET: return E_CONNECTION_RESET;
    case ECONNABORTED: return E_CONNECTION_ABORTED;
    case EINVAL: return E_INVALID_ARGUMENT;
    case EHOSTUNREACH: case EHOSTDOWN: case ENETDOWN: case ENETUNREACH: return E_REMOTE_UNREACHABLE;
    case EISCONN: case ENOTCONN: case EDESTADDRREQ: return E_INVALID_STATE;
    case EMSGSIZE: return E_DATAGRAM_TOO_LARGE;
    case ENOMEM: case ENOBUFS: return E_OUT_OF_MEMORY;
    case EOPNOTSUPP: case ENOPROTOOPT: case EPFNOSUPPORT: case EPROTONOSUPPORT: case EPROTOTYPE:
    case ESOCKTNOSUPPORT: case EAFNOSUPPORT: return E_NOT_SUPPORTED;
    case EMFILE: case ENFILE: return E_NEW_SOCKET_LIMIT;
    case EAGAIN: return E_WOULD_BLOCK;
    default: return E_UNKNOWN;
    }
}

/* ------------------------------------------------------------- resources */

static sock *get(uint32_t rep, uint8_t kind) {
    wasmaot_wasi_resource *r = wasmaot_wasi_res_get(CTX, rep, kind);
    return r ? (sock *)r->state : NULL;
}

/* A new socket-kind resource with fresh state; 0 when the table or memory
 * is exhausted. */
static uint32_t new_res(uint8_t kind, int fd, sock **out) {
    sock *s = calloc(1, sizeof *s);
    uint32_t rep = s ? wasmaot_wasi_res_alloc(CTX, kind) : 0;
    if (!rep) {
        free(s);
        return 0;
    }
    s->fd = fd;
    s->backlog = 128;   /* wasmtime's DEFAULT_BACKLOG */
    CTX->res[rep].host = fd;
    CTX->res[rep].state = s;
    *out = s;
    return rep;
}

/* A stdio stream over a dup of fd that closes it when dropped; 0 if none. */
static uint32_t socket_stream(int fd, uint8_t kind) {
    int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    uint32_t rep = d >= 0 ? wasmaot_wasi_res_alloc(CTX, kind) : 0;
    if (!rep) {
        if (d >= 0) close(d);
        return 0;
    }
    CTX->res[rep].sub = WASMAOT_WASI_STREAM_STDIO;
    CTX->res[rep].host = d;
    CTX->res[rep].flags = SOCKET_STREAM;
    return rep;
}

void wasmaot_p2_sockets_drop(uint32_t rep) {
    if (rep == 0 || rep >= WASMAOT_WASI_MAX_RESOURCES) return;
    wasmaot_wasi_resource *r = &CTX->res[rep];
    int stream = r->kind == WASMAOT_WASI_RES_INPUT_STREAM || r->kind == WASMAOT_WASI_RES_OUTPUT_STREAM;
    if (stream && r->flags == SOCKET_STREAM && r->host >= 0) {
        close((int)r->host);
        r->host = -1;
        return;
    }
    if (r->kind < RES_NETWORK || r->kind > RES_RESOLVE) return;
    sock *s = r->state;
    if (s) {
        if (s->fd >= 0) close(s->fd);
        if (s->poll_stream) wasmaot_p2_drop(CTX, s->poll_stream);
        free(s->addrs);
        free(s);
    }
    r->state = NULL;
}

/* A pollable ready when s->fd is readable (a stream pollable over a hidden
 * stdio stream the socket owns); 0 if the table is full. */
static uint32_t readable_pollable(sock *s) {
    if (!s->poll_stream) {
        s->poll_stream = wasmaot_wasi_res_alloc(CTX, WASMAOT_WASI_RES_INPUT_STREAM);
        if (!s->poll_stream) return 0;
        CTX->res[s->poll_stream].sub = WASMAOT_WASI_STREAM_STDIO;
        CTX->res[s->poll_stream].host = s->fd;
    }
    return wasmaot_p2_input_subscribe(CTX, s->poll_stream);
}

static uint32_t ready_pollable(void) {
    return wasmaot_p2_monotonic_subscribe_duration(CTX, 0);
}

/* ------------------------------------------------------- network, create */

HOST(h_instance_network) {
    (void)cx, (void)a;
    sock *s;
    r->u.bits = new_res(RES_NETWORK, -1, &s);
    return OK;
}

static int create(cx_t *cx, const val *a, val *r, uint8_t kind) {
    int udp = kind == RES_UDP;
    if (!kind_allowed(udp)) return unit_result(cx, r, E_ACCESS_DENIED);
    int family = (int)a[0].n;
    int fd = socket(family ? AF_INET6 : AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return unit_result(cx, r, code_of(errno));
    int one = 1;
    if (family) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);   /* as wasmtime */
    sock *s;
    uint32_t rep = new_res(kind, fd, &s);
    if (!rep) {
        close(fd);
        return unit_result(cx, r, E_NEW_SOCKET_LIMIT);
    }
    s->family = family;
    val *ok = net_result(cx, r, E_NONE);
    ok->u.bits = rep;
    return OK;
}

HOST(h_create_tcp_socket) { return create(cx, a, r, RES_TCP); }
HOST(h_create_udp_socket) { return create(cx, a, r, RES_UDP); }

/* ------------------------------------------------------------------- tcp */

static int do_bind(sock *s, const val *addr, int tcp) {
    struct sockaddr_storage ss;
    socklen_t len = sockaddr_of(addr, &ss);
    if (!valid_local(s, &ss)) return E_INVALID_ARGUMENT;
    if (!address_allowed()) return E_ACCESS_DENIED;
    int one = 1;
    /* wasmtime sets SO_REUSEADDR on TCP sockets (POSIX): a restarted
     * server can bind its port while old connections linger. */
    if (tcp) setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s->fd, (struct sockaddr *)&ss, len) != 0) {
        int e = errno;
        return e == EADDRINUSE ? E_ADDRESS_IN_USE : e == EADDRNOTAVAIL ? E_ADDRESS_NOT_BINDABLE : code_of(e);
    }
    s->bound = 1;
    return E_NONE;
}

HOST(h_tcp_start_bind) {
    sock *s = get(h(&a[0]), RES_TCP);
    if (!s || !get(h(&a[1]), RES_NETWORK)) return unit_result(cx, r, E_INVALID_STATE);
    if (s->op != OP_NONE) return unit_result(cx, r, E_CONCURRENCY_CONFLICT);
    if (s->bound || s->state != ST_DEFAULT) return unit_result(cx, r, E_INVALID_STATE);
    int code = do_bind(s, &a[2], 1);
    if (code == E_NONE) s->op = OP_BIND;
    return unit_result(cx, r, code);
}

static int finish(cx_t *cx, val *r, sock *s, int op) {
    if (!s || s->op != op) return unit_result(cx, r, E_NOT_IN_PROGRESS);
    s->op = OP_NONE;
    return unit_result(cx, r, E_NONE);
}

HOST(h_tcp_finish_bind) { return finish(cx, r, get(h(&a[0]), RES_TCP), OP_BIND); }

/* The connect's outcome is deferred to finish-connect, as wasmtime checks
 * the grant and connects in a future that start-connect only creates. */
HOST(h_tcp_start_connect) {
    sock *s = get(h(&a[0]), RES_TCP);
    if (!s || !get(h(&a[1]), RES_NETWORK)) return unit_result(cx, r, E_INVALID_STATE);
    if (s->op != OP_NONE) return unit_result(cx, r, E_CONCURRENCY_CONFLICT);
    if (s->state != ST_DEFAULT) return unit_result(cx, r, E_INVALID_STATE);
    struct sockaddr_storage ss;
    socklen_t len = sockaddr_of(&a[2], &ss);
    if (!valid_remote(s, &ss)) return unit_result(cx, r, E_INVALID_ARGUMENT);
    s->state = ST_CONNECTING;
    s->op = OP_CONNECT;
    s->error = E_NONE;
    if (!address_allowed()) s->error = E_ACCESS_DENIED;
    else if (connect(s->fd, (struct sockaddr *)&ss, len) != 0 && errno != EINPROGRESS) s->error = code_of(errno);
    return unit_result(cx, r, E_NONE);
}

/* Wait for a connect in progress; its error-code or E_NONE. */
static int connect_outcome(sock *s) {
    if (s->error != E_NONE) return s->error;
    struct pollfd p = {s->fd, POLLOUT, 0};
    while (poll(&p, 1, -1) < 0 && errno == EINTR) {}
    int err = 0;
    socklen_t n = sizeof err;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &n) != 0) err = errno;
    return err ? code_of(err) : E_NONE;
}

/* tuple<input-stream, output-stream> of a connected socket into f[0..1]. */
static int take_streams(sock *s, val *f) {
    uint32_t in = socket_stream(s->fd, WASMAOT_WASI_RES_INPUT_STREAM);
    uint32_t out = in ? socket_stream(s->fd, WASMAOT_WASI_RES_OUTPUT_STREAM) : 0;
    if (!out) {
        if (in) wasmaot_p2_sockets_drop(in), wasmaot_p2_drop(CTX, in);
        return E_NEW_SOCKET_LIMIT;
    }
    s->in = in;
    s->out = out;
    f[0].u.bits = in;
    f[1].u.bits = out;
    return E_NONE;
}

HOST(h_tcp_finish_connect) {
    sock *s = get(h(&a[0]), RES_TCP);
    if (!s || s->op != OP_CONNECT) return unit_result(cx, r, E_NOT_IN_PROGRESS);
    s->op = OP_NONE;
    int code = connect_outcome(s);
    if (code != E_NONE) {
        s->state = ST_CLOSED;
        s->error = code;
        return unit_result(cx, r, code);
    }
    s->state = ST_CONNECTED;
    s->bound = 1;
    val *ok = set_case(cx, r, 0);
    val *f = set_fields(cx, ok);
    code = take_streams(s, f);
    if (code != E_NONE) unit_result(cx, r, code);
    return OK;
}

HOST(h_tcp_start_listen) {
    sock *s = get(h(&a[0]), RES_TCP);
    if (!s) return unit_result(cx, r, E_INVALID_STATE);
    if (s->op != OP_NONE) return unit_result(cx, r, E_CONCURRENCY_CONFLICT);
    if (!s->bound || s->state != ST_DEFAULT) return unit_result(cx, r, E_INVALID_STATE);
    if (!address_allowed()) return unit_result(cx, r, E_ACCESS_DENIED);
    if (listen(s->fd, (int)s->backlog) != 0) return unit_result(cx, r, code_of(errno));
    s->state = ST_LISTENING;
    s->op = OP_LISTEN;
    return unit_result(cx, r, E_NONE);
}

HOST(h_tcp_finish_listen) { return finish(cx, r, get(h(&a[0]), RES_TCP), OP_LISTEN); }

/* result<tuple<tcp-socket, input-stream, output-stream>, error-code> */
HOST(h_tcp_accept) {
    sock *s = get(h(&a[0]), RES_TCP);
    if (!s || s->state != ST_LISTENING) return unit_result(cx, r, E_INVALID_STATE);
    int fd;
    while ((fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0 && errno == EINTR) {}
    if (fd < 0) return unit_result(cx, r, errno == EAGAIN || errno == EWOULDBLOCK ? E_WOULD_BLOCK : code_of(errno));
    sock *c;
    uint32_t rep = new_res(RES_TCP, fd, &c);
    if (!rep) {
        close(fd);
        return unit_result(cx, r, E_NEW_SOCKET_LIMIT);
    }
    c->family = s->family;
    c->state = ST_CONNECTED;
    c->bound = 1;
    val *f = set_fields(cx, set_case(cx, r, 0));
    f[0].u.bits = rep;
    int code = take_streams(c, &f[1]);
    if (code != E_NONE) {
        wasmaot_p2_sockets_drop(rep);
        wasmaot_p2_drop(CTX, rep);
        unit_result(cx, r, code);
    }
    return OK;
}

/* An error-code for socket options and addresses in s's state
 * (wasmtime's as_fd), or E_NONE. */
static int fd_state(const sock *s) {
    if (!s) return E_INVALID_STATE;
    if (s->state == ST_CONNECTING) return E_INVALID_STATE;
    if (s->state == ST_CLOSED) return s->error;
    return E_NONE;
}

static int address_result(cx_t *cx, val *r, const sock *s, int peer) {
    struct sockaddr_storage ss;
    socklen_t n = sizeof ss;
    memset(&ss, 0, sizeof ss);
    int rc = peer ? getpeername(s->fd, (struct sockaddr *)&ss, &n) : getsockname(s->fd, (struct sockaddr *)&ss, &n);
    if (rc != 0) return unit_result(cx, r, code_of(errno));
    set_sockaddr(cx, set_case(cx, r, 0), &ss);
    return OK;
}

HOST(h_tcp_local_address) {
    sock *s = get(h(&a[0]), RES_TCP);
    /* bound: by start-bind, or implicitly by connect or listen (wasmtime's is_bound) */
    if (!s || (s->state == ST_DEFAULT && !s->bound)) return unit_result(cx, r, E_INVALID_STATE);
    int code = fd_state(s);
    return code != E_NONE ? unit_result(cx, r, code) : address_result(cx, r, s, 0);
}

HOST(h_tcp_remote_address) {
    sock *s = get(h(&a[0]), RES_TCP);
    if (s && s->state == ST_CLOSED) return unit_result(cx, r, s->error);
    if (!s || s->state != ST_CONNECTED) return unit_result(cx, r, E_INVALID_STATE);
    return address_result(cx, r, s, 1);
}

HOST(h_tcp_is_listening) {
    (void)cx;
    sock *s = get(h(&a[0]), RES_TCP);
    r->u.bits = s && s->state == ST_LISTENING;
    return OK;
}

static int family_of(cx_t *cx, val *r, sock *s) {
    set_case(cx, r, s ? (uint32_t)s->family : 0);
    return OK;
}

HOST(h_tcp_address_family) { return family_of(cx, r, get(h(&a[0]), RES_TCP)); }

HOST(h_tcp_set_listen_backlog_size) {
    sock *s = get(h(&a[0]), RES_TCP);
    uint64_t v = a[1].u.bits;
    if (!s) return unit_result(cx, r, E_INVALID_STATE);
    if (v == 0) return unit_result(cx, r, E_INVALID_ARGUMENT);
    uint32_t n = v > 0x7FFFFFFFu ? 0x7FFFFFFFu : (uint32_t)v;
    if (s->state == ST_CLOSED) return unit_result(cx, r, s->error);
    if (s->state == ST_LISTENING && listen(s->fd, (int)n) != 0) return unit_result(cx, r, E_NOT_SUPPORTED);
    if (s->state != ST_DEFAULT && s->state != ST_LISTENING) return unit_result(cx, r, E_INVALID_STATE);
    s->backlog = n;
    return unit_result(cx, r, E_NONE);
}

/* Socket options: (level, name) read or written as an int. */
static int get_opt(const sock *s, int level, int name, int *v) {
    int code = fd_state(s);
    if (code != E_NONE) return code;
    socklen_t n = sizeof *v;
    return getsockopt(s->fd, level, name, v, &n) == 0 ? E_NONE : code_of(errno);
}

static int set_opt(const sock *s, int level, int name, int v) {
    int code = fd_state(s);
    if (code != E_NONE) return code;
    return setsockopt(s->fd, level, name, &v, sizeof v) == 0 ? E_NONE : code_of(errno);
}

static int int_opt_result(cx_t *cx, val *r, const sock *s, int level, int name, uint64_t scale) {
    int v = 0;
    int code = get_opt(s, level, name, &v);
    return u64_result(cx, r, code, (uint64_t)(v < 0 ? 0 : v) * scale);
}

#define NS 1000000000ull

/* keep-alive times are whole seconds on Linux: clamped to 1 ..= 32767 s
 * and rounded up, as wasmtime (rustix) sets them. */
static int keep_alive_secs(uint64_t ns) {
    ns = ns < NS ? NS : ns > 32767 * NS ? 32767 * NS : ns;
    return (int)((ns + NS - 1) / NS);
}

static sock *tcp_of(const val *a) { return get(h(&a[0]), RES_TCP); }

HOST(h_tcp_keep_alive_enabled) {
    int v = 0, code = get_opt(tcp_of(a), SOL_SOCKET, SO_KEEPALIVE, &v);
    return u64_result(cx, r, code, v != 0);
}

HOST(h_tcp_set_keep_alive_enabled) {
    return unit_result(cx, r, set_opt(tcp_of(a), SOL_SOCKET, SO_KEEPALIVE, a[1].u.bits != 0));
}

HOST(h_tcp_keep_alive_idle_time) { return int_opt_result(cx, r, tcp_of(a), IPPROTO_TCP, TCP_KEEPIDLE, NS); }
HOST(h_tcp_keep_alive_interval) { return int_opt_result(cx, r, tcp_of(a), IPPROTO_TCP, TCP_KEEPINTVL, NS); }
HOST(h_tcp_keep_alive_count) { return int_opt_result(cx, r, tcp_of(a), IPPROTO_TCP, TCP_KEEPCNT, 1); }

static int set_positive(cx_t *cx, val *r, const sock *s, int level, int name, uint64_t v, int value) {
    if (v == 0) return unit_result(cx, r, E_INVALID_ARGUMENT);
    return unit_result(cx, r, set_opt(s, level, name, value));
}

HOST(h_tcp_set_keep_alive_idle_time) {
    return set_positive(cx, r, tcp_of(a), IPPROTO_TCP, TCP_KEEPIDLE, a[1].u.bits, keep_alive_secs(a[1].u.bits));
}

HOST(h_tcp_set_keep_alive_interval) {
    return set_positive(cx, r, tcp_of(a), IPPROTO_TCP, TCP_KEEPINTVL, a[1].u.bits, keep_alive_secs(a[1].u.bits));
}

HOST(h_tcp_set_keep_alive_count) {
    uint64_t v = a[1].u.bits;
    return set_positive(cx, r, tcp_of(a), IPPROTO_TCP, TCP_KEEPCNT, v, v > 127 ? 127 : (int)v);
}

static int hop_limit(cx_t *cx, val *r, const sock *s) {
    if (!s) return unit_result(cx, r, E_INVALID_STATE);
    return int_opt_result(cx, r, s, s->family ? IPPROTO_IPV6 : IPPROTO_IP, s->family ? IPV6_UNICAST_HOPS : IP_TTL, 1);
}

static int set_hop_limit(cx_t *cx, val *r, const sock *s, uint64_t v) {
    if (!s) return unit_result(cx, r, E_INVALID_STATE);
    return set_positive(cx, r, s, s->family ? IPPROTO_IPV6 : IPPROTO_IP, s->family ? IPV6_UNICAST_HOPS : IP_TTL,
                        v, (int)v);
}

/* SO_RCVBUF / SO_SNDBUF: Linux doubles what is set and reports the double;
 * halved back, as wasmtime does.  A size the kernel cannot give (ENOBUFS)
 * is a hint it clamps, not an error. */
static int buffer(cx_t *cx, val *r, const sock *s, int name) {
    int v = 0, code = get_opt(s, SOL_SOCKET, name, &v);
    return u64_result(cx, r, code, (uint64_t)(v < 0 ? 0 : v / 2));
}

static int set_buffer(cx_t *cx, val *r, const sock *s, int name, uint64_t v) {
    if (v == 0) return unit_result(cx, r, E_INVALID_ARGUMENT);
    int code = set_opt(s, SOL_SOCKET, name, v > 0x7FFFFFFFu ? 0x7FFFFFFF : (int)v);
    return unit_result(cx, r, code == E_OUT_OF_MEMORY ? E_NONE : code);
}

HOST(h_tcp_hop_limit) { return hop_limit(cx, r, tcp_of(a)); }
HOST(h_tcp_set_hop_limit) { return set_hop_limit(cx, r, tcp_of(a), a[1].u.bits); }
HOST(h_tcp_receive_buffer_size) { return buffer(cx, r, tcp_of(a), SO_RCVBUF); }
HOST(h_tcp_set_receive_buffer_size) { return set_buffer(cx, r, tcp_of(a), SO_RCVBUF, a[1].u.bits); }
HOST(h_tcp_send_buffer_size) { return buffer(cx, r, tcp_of(a), SO_SNDBUF); }
HOST(h_tcp_set_send_buffer_size) { return set_buffer(cx, r, tcp_of(a), SO_SNDBUF, a[1].u.bits); }

HOST(h_tcp_subscribe) {
    (void)cx;
    sock *s = tcp_of(a);
    r->u.bits = s && s->state == ST_LISTENING ? readable_pollable(s) : ready_pollable();
    return OK;
}

/* The socket's stream `rep` (if the guest still holds it) is closed: its
 * next read or write reports stream-error::closed, as wasmtime's. */
static void close_stream(uint32_t rep, uint8_t kind) {
    wasmaot_wasi_resource *st = wasmaot_wasi_res_get(CTX, rep, kind);
    if (st && st->flags == SOCKET_STREAM) st->closed = 1;
}

/* shutdown(receive | send | both): the OS socket's, and the streams'. */
HOST(h_tcp_shutdown) {
    sock *s = tcp_of(a);
    static const int how[] = {SHUT_RD, SHUT_WR, SHUT_RDWR};
    uint32_t type = a[1].n < 3 ? a[1].n : 2;
    if (!s || s->state != ST_CONNECTED) return unit_result(cx, r, E_INVALID_STATE);
    if (shutdown(s->fd, how[type]) != 0 && errno != ENOTCONN) return unit_result(cx, r, code_of(errno));
    if (type != 1) close_stream(s->in, WASMAOT_WASI_RES_INPUT_STREAM);
    if (type != 0) close_stream(s->out, WASMAOT_WASI_RES_OUTPUT_STREAM);
    return unit_result(cx, r, E_NONE);
}

/* ------------------------------------------------------------------- udp */

static sock *udp_of(const val *a) { return get(h(&a[0]), RES_UDP); }

HOST(h_udp_start_bind) {
    sock *s = udp_of(a);
    if (!s || !get(h(&a[1]), RES_NETWORK)) return unit_result(cx, r, E_INVALID_STATE);
    if (s->op != OP_NONE) return unit_result(cx, r, E_CONCURRENCY_CONFLICT);
    if (s->bound) return unit_result(cx, r, E_INVALID_STATE);
    int code = do_bind(s, &a[2], 0);
    if (code == E_NONE) s->op = OP_BIND;
    return unit_result(cx, r, code);
}

HOST(h_udp_finish_bind) { return finish(cx, r, udp_of(a), OP_BIND); }

/* A datagram stream: its own dup of the socket's descriptor. */
static uint32_t datagram_stream(const sock *s, uint8_t kind) {
    int d = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
    sock *ds;
    uint32_t rep = d >= 0 ? new_res(kind, d, &ds) : 0;
    if (!rep) {
        if (d >= 0) close(d);
        return 0;
    }
    ds->family = s->family;
    ds->state = s->state;
    return rep;
}

/* %stream(option<ip-socket-address>): connect to the remote address, or
 * disconnect; result<tuple<incoming-datagram-stream, outgoing-...>>. */
HOST(h_udp_stream) {
    sock *s = udp_of(a);
    if (!s || !s->bound) return unit_result(cx, r, E_INVALID_STATE);
    if (a[1].n == 1) {
        struct sockaddr_storage ss;
        socklen_t len = sockaddr_of(a[1].u.items, &ss);
        if (!valid_remote(s, &ss)) return unit_result(cx, r, E_INVALID_ARGUMENT);
        if (connect(s->fd, (struct sockaddr *)&ss, len) != 0) return unit_result(cx, r, code_of(errno));
        s->state = ST_CONNECTED;
    } else if (s->state == ST_CONNECTED) {
        struct sockaddr unspec = {.sa_family = AF_UNSPEC};
        connect(s->fd, &unspec, sizeof unspec);
        s->state = ST_DEFAULT;
    }
    uint32_t in = datagram_stream(s, RES_INCOMING), out = in ? datagram_stream(s, RES_OUTGOING) : 0;
    if (!out) {
        if (in) wasmaot_p2_sockets_drop(in), wasmaot_p2_drop(CTX, in);
        return unit_result(cx, r, E_NEW_SOCKET_LIMIT);
    }
    val *f = set_fields(cx, set_case(cx, r, 0));
    f[0].u.bits = in;
    f[1].u.bits = out;
    return OK;
}

HOST(h_udp_local_address) {
    sock *s = udp_of(a);
    if (!s || !s->bound) return unit_result(cx, r, E_INVALID_STATE);
    return address_result(cx, r, s, 0);
}

HOST(h_udp_remote_address) {
    sock *s = udp_of(a);
    if (!s || s->state != ST_CONNECTED) return unit_result(cx, r, E_INVALID_STATE);
    return address_result(cx, r, s, 1);
}

HOST(h_udp_address_family) { return family_of(cx, r, udp_of(a)); }
HOST(h_udp_unicast_hop_limit) { return hop_limit(cx, r, udp_of(a)); }
HOST(h_udp_set_unicast_hop_limit) { return set_hop_limit(cx, r, udp_of(a), a[1].u.bits); }
HOST(h_udp_receive_buffer_size) { return buffer(cx, r, udp_of(a), SO_RCVBUF); }
HOST(h_udp_set_receive_buffer_size) { return set_buffer(cx, r, udp_of(a), SO_RCVBUF, a[1].u.bits); }
HOST(h_udp_send_buffer_size) { return buffer(cx, r, udp_of(a), SO_SNDBUF); }
HOST(h_udp_set_send_buffer_size) { return set_buffer(cx, r, udp_of(a), SO_SNDBUF, a[1].u.bits); }
HOST(h_udp_subscribe) { (void)cx, (void)a; r->u.bits = ready_pollable(); return OK; }

/* receive(max-results) -> result<list<incoming-datagram{data, remote-address}>>:
 * what is queued now, at most 16 datagrams (wasmtime's MAX_DATAGRAMS). */
HOST(h_incoming_receive) {
    sock *s = get(h(&a[0]), RES_INCOMING);
    if (!s) return unit_result(cx, r, E_INVALID_STATE);
    uint64_t max = a[1].u.bits < MAX_DATAGRAMS ? a[1].u.bits : MAX_DATAGRAMS;
    uint8_t *bufs[MAX_DATAGRAMS];
    uint32_t lens[MAX_DATAGRAMS];
    struct sockaddr_storage from[MAX_DATAGRAMS];
    uint32_t n = 0;
    int code = E_NONE;
    while (n < max) {
        socklen_t fl = sizeof from[n];
        bufs[n] = cx->alloc(cx->env, MAX_DATAGRAM);
        ssize_t got = recvfrom(s->fd, bufs[n], MAX_DATAGRAM, 0, (struct sockaddr *)&from[n], &fl);
        if (got < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK && n == 0) code = code_of(errno);
            break;
        }
        lens[n++] = (uint32_t)got;
    }
    val *ok = net_result(cx, r, code);
    if (!ok) return OK;
    val *items = set_list(cx, ok, n);
    for (uint32_t i = 0; i < n; i++) {
        val *f = set_fields(cx, &items[i]);
        int rc = wasmaot_cm_host_bytes(cx, &f[0], bufs[i], lens[i]);
        if (rc != OK) return rc;
        set_sockaddr(cx, &f[1], &from[i]);
    }
    return OK;
}

HOST(h_incoming_subscribe) {
    (void)cx;
    sock *s = get(h(&a[0]), RES_INCOMING);
    r->u.bits = s ? readable_pollable(s) : ready_pollable();
    return OK;
}

HOST(h_outgoing_check_send) {
    sock *s = get(h(&a[0]), RES_OUTGOING);
    if (!s) return unit_result(cx, r, E_INVALID_STATE);
    struct pollfd p = {s->fd, POLLOUT, 0};
    s->permit = poll(&p, 1, 0) > 0 ? MAX_DATAGRAMS : 0;
    return u64_result(cx, r, E_NONE, s->permit);
}

/* A list<u8> nested in an argument: lifted as a list of u8 values (only
 * top-level byte lists arrive as views, cm_import.c); its bytes. */
static const uint8_t *nested_bytes(cx_t *cx, const val *v) {
    uint8_t *b = cx->alloc(cx->env, v->n ? v->n : 1);
    for (uint32_t i = 0; i < v->n; i++) b[i] = (uint8_t)v->u.items[i].u.bits;
    return b;
}

/* One outgoing-datagram{data, remote-address: option<ip-socket-address>}. */
static int send_one(cx_t *cx, const sock *s, const val *d) {
    const val *f = d->u.items;
    const uint8_t *data = nested_bytes(cx, &f[0]);
    ssize_t rc;
    if (f[1].n == 1) {
        struct sockaddr_storage ss;
        socklen_t len = sockaddr_of(f[1].u.items, &ss);
        if (!valid_remote(s, &ss)) return E_INVALID_ARGUMENT;
        if (!address_allowed()) return E_ACCESS_DENIED;
        rc = s->state == ST_CONNECTED ? send(s->fd, data, f[0].n, 0)
                                      : sendto(s->fd, data, f[0].n, 0, (struct sockaddr *)&ss, len);
    } else {
        if (s->state != ST_CONNECTED) return E_INVALID_ARGUMENT;
        rc = send(s->fd, data, f[0].n, 0);
    }
    return rc < 0 ? code_of(errno) : E_NONE;
}

HOST(h_outgoing_send) {
    sock *s = get(h(&a[0]), RES_OUTGOING);
    if (!s) return unit_result(cx, r, E_INVALID_STATE);
    uint32_t n = a[1].n, sent = 0;
    if (n > s->permit) n = s->permit;   /* wasmtime traps beyond the permit */
    s->permit = 0;
    int code = E_NONE;
    for (; sent < n; sent++) {
        code = send_one(cx, s, &a[1].u.items[sent]);
        if (code != E_NONE) break;
    }
    if (code == E_WOULD_BLOCK || sent > 0) code = E_NONE;
    return u64_result(cx, r, code, sent);
}

HOST(h_outgoing_subscribe) { (void)cx, (void)a; r->u.bits = ready_pollable(); return OK; }

/* -------------------------------------------------------- ip-name-lookup */

/* An IP literal (a.b.c.d, an IPv6 address, [IPv6]) into *ss: 1, else 0. */
static int ip_literal(const char *name, struct sockaddr_storage *ss) {
    char buf[64];
    size_t n = strlen(name);
    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, name, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
        ss->ss_family = AF_INET;
        return 1;
    }
    if (n >= 2 && n < sizeof buf + 2 && name[0] == '[' && name[n - 1] == ']') {
        memcpy(buf, name + 1, n - 2);
        buf[n - 2] = 0;
        name = buf;
    }
    if (inet_pton(AF_INET6, name, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
        ss->ss_family = AF_INET6;
        return 1;
    }
    return 0;
}

/* A host name the URL standard accepts (wasmtime parses it as a URL
 * host): not empty, none of its forbidden code points. */
static int valid_domain(const char *name) {
    if (!*name) return 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p <= ' ' || strchr("#%/:<>?@[\\]^|", *p) || *p == 0x7F) return 0;
    return 1;
}

/* IPv4-mapped IPv6 results become IPv4 (wasmtime's to_canonical). */
static void canonical(struct sockaddr_storage *ss) {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (ss->ss_family != AF_INET6 || !is_v4_mapped(&in6->sin6_addr)) return;
    struct sockaddr_in in = {.sin_family = AF_INET};
    memcpy(&in.sin_addr, in6->sin6_addr.s6_addr + 12, 4);
    memset(ss, 0, sizeof *ss);
    memcpy(ss, &in, sizeof in);
}

/* Resolve now (getaddrinfo, one stream-socket result per address, as
 * Rust's lookup_host); the addresses into s.  `name` is lowercased first
 * (ASCII), as a URL host is. */
static int resolve(sock *s, char *name) {
    struct sockaddr_storage lit;
    if (ip_literal(name, &lit) || !valid_domain(name)) {
        if (lit.ss_family == 0) return E_INVALID_ARGUMENT;
        s->addrs = malloc(sizeof lit);
        if (!s->addrs) return E_OUT_OF_MEMORY;
        s->addrs[0] = lit;
        s->n_addrs = 1;
        return E_NONE;
    }
    for (char *p = name; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(name, NULL, &hints, &res) != 0) return E_NAME_UNRESOLVABLE;
    uint32_t n = 0;
    for (struct addrinfo *p = res; p; p = p->ai_next) n++;
    s->addrs = calloc(n ? n : 1, sizeof *s->addrs);
    if (!s->addrs) {
        freeaddrinfo(res);
        return E_OUT_OF_MEMORY;
    }
    for (struct addrinfo *p = res; p; p = p->ai_next) {
        if (p->ai_family != AF_INET && p->ai_family != AF_INET6) continue;
        memcpy(&s->addrs[s->n_addrs], p->ai_addr, p->ai_addrlen);
        canonical(&s->addrs[s->n_addrs++]);
    }
    freeaddrinfo(res);
    return E_NONE;
}

HOST(h_resolve_addresses) {
    if (!get(h(&a[0]), RES_NETWORK)) return unit_result(cx, r, E_INVALID_STATE);
    if (!(grants() & WASMAOT_WASI_NET_NAME_LOOKUP)) return unit_result(cx, r, E_PERMANENT_RESOLVER_FAILURE);
    char *name = cx->alloc(cx->env, a[1].n + 1);
    memcpy(name, a[1].u.str, a[1].n);
    name[a[1].n] = 0;
    sock *s;
    uint32_t rep = new_res(RES_RESOLVE, -1, &s);
    if (!rep) return unit_result(cx, r, E_OUT_OF_MEMORY);
    int code = resolve(s, name);
    if (code != E_NONE) {
        wasmaot_p2_sockets_drop(rep);
        wasmaot_p2_drop(CTX, rep);
        return unit_result(cx, r, code);
    }
    set_case(cx, r, 0)->u.bits = rep;
    return OK;
}

/* result<option<ip-address>, error-code> */
HOST(h_resolve_next_address) {
    sock *s = get(h(&a[0]), RES_RESOLVE);
    if (!s) return unit_result(cx, r, E_INVALID_STATE);
    val *ok = set_case(cx, r, 0);
    if (s->next >= s->n_addrs) {
        set_case(cx, ok, 0);
        return OK;
    }
    set_ip(cx, set_case(cx, ok, 1), &s->addrs[s->next++]);
    return OK;
}

HOST(h_resolve_subscribe) { (void)cx, (void)a; r->u.bits = ready_pollable(); return OK; }
