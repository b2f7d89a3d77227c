/*
 * POSIX file system for the WASI shim: path resolution that can never leave
 * a directory descriptor, and the file operations on top of it.
 *
 * Resolution (resolve() below) walks the guest path ONE COMPONENT AT A TIME
 * with openat(..., O_NOFOLLOW | O_DIRECTORY) relative to directory fds we
 * already hold, so the kernel never follows a symlink or `..` for us:
 *   - an absolute path is refused (EPERM, as wasmtime 50 / cap-std);
 *   - `..` pops our own stack of opened directories; popping past the
 *     descriptor the path is relative to is refused (EPERM).  Like cap-std,
 *     the sandbox root is the DESCRIPTOR, not the preopen: `..` out of a
 *     subdirectory opened with path_open is refused even if it would stay
 *     inside the preopen;
 *   - a symlink is read with readlinkat and its target is spliced into the
 *     remaining path; an absolute target is refused (EPERM); the count is
 *     limited to WASMAOT_WASI_MAX_SYMLINKS (then ELOOP), so loops end;
 *   - the final component is handed to the *at() call with
 *     AT_SYMLINK_NOFOLLOW / O_NOFOLLOW, so even if an attacker swaps a
 *     component for a symlink between our readlinkat and the call (a race),
 *     the kernel refuses (ELOOP) instead of following it; open_at then
 *     re-resolves from scratch (bounded).
 * Why not openat2(RESOLVE_BENEATH): it is Linux >= 5.6 only, qemu-user (our
 * cross-test runner for aarch64/riscv64) does not implement it, and its
 * error for an escape is EXDEV where wasmtime reports EPERM; the manual walk
 * is the same code everywhere.  Cost: one openat per directory component.
 */
#define _GNU_SOURCE 1
#include "../../core/wasi_internal.h"

#if WASMAOT_WASI_FILESYSTEM

#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_PATH
#define O_PATH O_RDONLY /* non-Linux: needs read permission on each directory */
#endif
#ifndef O_RSYNC
#define O_RSYNC O_SYNC
#endif

/* Linux/musl errno -> wasi:filesystem error-code (the table wasmtime's
 * io::Error conversion uses). */
static wasmaot_p2_status map_errno(int e) {
    switch (e) {
    case 0: return WASMAOT_P2_OK;
    case EACCES: return WASMAOT_P2_E_ACCESS;
    case EAGAIN: return WASMAOT_P2_E_WOULD_BLOCK;
    case EALREADY: return WASMAOT_P2_E_ALREADY;
    case EBADF: return WASMAOT_P2_E_BAD_DESCRIPTOR;
    case EBUSY: return WASMAOT_P2_E_BUSY;
    case EDEADLK: return WASMAOT_P2_E_DEADLOCK;
    case EDQUOT: return WASMAOT_P2_E_QUOTA;
    case EEXIST: return WASMAOT_P2_E_EXIST;
    case EFBIG: return WASMAOT_P2_E_FILE_TOO_LARGE;
    case EILSEQ: return WASMAOT_P2_E_ILLEGAL_BYTE_SEQUENCE;
    case EINPROGRESS: return WASMAOT_P2_E_IN_PROGRESS;
    case EINTR: return WASMAOT_P2_E_INTERRUPTED;
    case EINVAL: return WASMAOT_P2_E_INVALID;
    case EIO: return WASMAOT_P2_E_IO;
    case EISDIR: return WASMAOT_P2_E_IS_DIRECTORY;
    case ELOOP: return WASMAOT_P2_E_LOOP;
    case EMLINK: return WASMAOT_P2_E_TOO_MANY_LINKS;
    case EMSGSIZE: return WASMAOT_P2_E_MESSAGE_SIZE;
    case ENAMETOOLONG: return WASMAOT_P2_E_NAME_TOO_LONG;
    case ENODEV: return WASMAOT_P2_E_NO_DEVICE;
    case ENOENT: return WASMAOT_P2_E_NO_ENTRY;
    case ENOLCK: return WASMAOT_P2_E_NO_LOCK;
    case ENOMEM: return WASMAOT_P2_E_INSUFFICIENT_MEMORY;
    case ENOSPC: return WASMAOT_P2_E_INSUFFICIENT_SPACE;
    case ENOTDIR: return WASMAOT_P2_E_NOT_DIRECTORY;
    case ENOTEMPTY: return WASMAOT_P2_E_NOT_EMPTY;
#ifdef ENOTRECOVERABLE
    case ENOTRECOVERABLE: return WASMAOT_P2_E_NOT_RECOVERABLE;
#endif
    case ENOTSUP: return WASMAOT_P2_E_UNSUPPORTED;
#if defined(EOPNOTSUPP) && EOPNOTSUPP != ENOTSUP
    case EOPNOTSUPP: return WASMAOT_P2_E_UNSUPPORTED;
#endif
    case ENOTTY: return WASMAOT_P2_E_NO_TTY;
    case ENXIO: return WASMAOT_P2_E_NO_SUCH_DEVICE;
    case EOVERFLOW: return WASMAOT_P2_E_OVERFLOW;
    case EPERM: return WASMAOT_P2_E_NOT_PERMITTED;
    case EPIPE: return WASMAOT_P2_E_PIPE;
    case EROFS: return WASMAOT_P2_E_READ_ONLY;
    case ESPIPE: return WASMAOT_P2_E_INVALID_SEEK;
    case ETXTBSY: return WASMAOT_P2_E_TEXT_FILE_BUSY;
    case EXDEV: return WASMAOT_P2_E_CROSS_DEVICE;
    default: return WASMAOT_P2_E_IO;
    }
}

/* ------------------------------------------------------------ resolution */

#define NAME_CAP 256 /* NAME_MAX + 1 */
#define MAX_DEPTH 256

typedef struct resolved {
    int parent;        /* directory holding `name` */
    int owned;         /* parent must be closed by release() */
    int trailing;      /* the path ended with '/': the target must be a directory */
    char name[NAME_CAP];
} resolved;

static void release(resolved *r) {
    if (r->owned && r->parent >= 0) close(r->parent);
    r->parent = -1;
    r->owned = 0;
}

static int is_dot(const char *c, size_t n) { return n == 1 && c[0] == '.'; }
static int is_dotdot(const char *c, size_t n) { return n == 2 && c[0] == '.' && c[1] == '.'; }

/* work := target + ("/" + rest if rest non-empty or trailing). */
static wasmaot_p2_status splice_link(char *work, size_t *pos, const char *target, size_t tlen) {
    const char *rest = work + *pos;
    size_t rlen = strlen(rest);
    if (tlen + 1 + rlen + 1 > WASMAOT_WASI_MAX_PATH) return WASMAOT_P2_E_NAME_TOO_LONG;
    char *tmp = malloc(tlen + 1 + rlen + 1);
    if (!tmp) return WASMAOT_P2_E_INSUFFICIENT_MEMORY;
    memcpy(tmp, target, tlen);
    size_t k = tlen;
    if (rlen) {
        tmp[k++] = '/';
        memcpy(tmp + k, rest, rlen);
        k += rlen;
    }
    tmp[k] = '\0';
    memcpy(work, tmp, k + 1);
    free(tmp);
    *pos = 0;
    return WASMAOT_P2_OK;
}

/* readlinkat into buf; -1 if `name` (in dir) is not a symlink. */
static ssize_t read_link(int dir, const char *name, char *buf, size_t cap) {
    ssize_t n = readlinkat(dir, name, buf, cap);
    if (n < 0) return -1;
    return n;
}

/* Resolve `path` beneath `base`.  follow_final: expand a symlink in the last
 * component (always done when the path has a trailing slash, as POSIX
 * does). */
static wasmaot_p2_status resolve(int base, const char *path, int follow_final, resolved *out) {
    out->parent = -1;
    out->owned = 0;
    out->trailing = 0;
    size_t plen = strlen(path);
    if (plen == 0) return WASMAOT_P2_E_NO_ENTRY;
    if (plen >= WASMAOT_WASI_MAX_PATH) return WASMAOT_P2_E_NAME_TOO_LONG;
    if (path[0] == '/') return WASMAOT_P2_E_NOT_PERMITTED;
    char *work = malloc(WASMAOT_WASI_MAX_PATH);
    char *link = malloc(WASMAOT_WASI_MAX_PATH);
    int *stack = malloc(sizeof(int) * MAX_DEPTH);
    wasmaot_p2_status st = WASMAOT_P2_OK;
    if (!work || !link || !stack) { st = WASMAOT_P2_E_INSUFFICIENT_MEMORY; goto done; }
    memcpy(work, path, plen + 1);
    size_t pos = 0;
    int depth = 0; /* stack[0..depth) are owned fds; the current dir is stack[depth-1] or base */
    int links = 0;
    for (;;) {
        int cur = depth ? stack[depth - 1] : base;
        while (work[pos] == '/') pos++;
        if (work[pos] == '\0') {
            /* Path was only slashes after a component we already consumed
             * (e.g. "a/" after "a" was a symlink to a dir): the target is
             * the current directory itself. */
            strcpy(out->name, ".");
            out->trailing = 1;
            break;
        }
        const char *c = work + pos;
        size_t n = 0;
        while (c[n] && c[n] != '/') n++;
        if (n >= NAME_CAP) { st = WASMAOT_P2_E_NAME_TOO_LONG; goto done; }
        size_t after = pos + n;
        size_t q = after;
        while (work[q] == '/') q++;
        int last = work[q] == '\0';
        int trailing = last && q > after;
        char comp[NAME_CAP];
        memcpy(comp, c, n);
        comp[n] = '\0';
        pos = q;
        if (is_dot(comp, n)) {
            if (last) { strcpy(out->name, "."); out->trailing = trailing; break; }
            continue;
        }
        if (is_dotdot(comp, n)) {
            if (depth == 0) { st = WASMAOT_P2_E_NOT_PERMITTED; goto done; }
            close(stack[--depth]);
            if (last) { strcpy(out->name, "."); out->trailing = trailing; break; }
            continue;
        }
        if (last && !(follow_final || trailing)) {
            memcpy(out->name, comp, n + 1);
            out->trailing = trailing;
            break;
        }
        if (last) {
            ssize_t ln = read_link(cur, comp, link, WASMAOT_WASI_MAX_PATH - 1);
            if (ln < 0) { memcpy(out->name, comp, n + 1); out->trailing = trailing; break; }
            if (++links > WASMAOT_WASI_MAX_SYMLINKS) { st = WASMAOT_P2_E_LOOP; goto done; }
            if (ln == 0) { st = WASMAOT_P2_E_NO_ENTRY; goto done; }
            if (link[0] == '/') { st = WASMAOT_P2_E_NOT_PERMITTED; goto done; }
            /* keep a trailing slash of the original path */
            pos = trailing ? q - 1 : q;
            if ((st = splice_link(work, &pos, link, (size_t)ln))) goto done;
            continue;
        }
        int fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            if (depth == MAX_DEPTH) { close(fd); st = WASMAOT_P2_E_NAME_TOO_LONG; goto done; }
            stack[depth++] = fd;
            continue;
        }
        int e = errno;
        if (e == ELOOP || e == ENOTDIR) {
            ssize_t ln = read_link(cur, comp, link, WASMAOT_WASI_MAX_PATH - 1);
            if (ln >= 0) {
                if (++links > WASMAOT_WASI_MAX_SYMLINKS) { st = WASMAOT_P2_E_LOOP; goto done; }
                if (ln == 0) { st = WASMAOT_P2_E_NO_ENTRY; goto done; }
                if (link[0] == '/') { st = WASMAOT_P2_E_NOT_PERMITTED; goto done; }
                /* the slash that separated comp from the rest */
                pos = pos > 0 ? pos - 1 : pos;
                if ((st = splice_link(work, &pos, link, (size_t)ln))) goto done;
                continue;
            }
            e = ENOTDIR;
        }
        st = map_errno(e);
        goto done;
    }
    /* Hand the current directory to the caller: it owns the top of the
     * stack (if any); everything below is closed. */
    if (depth) {
        out->parent = stack[depth - 1];
        out->owned = 1;
        depth--;
    } else {
        out->parent = base;
        out->owned = 0;
    }
    for (int i = 0; i < depth; i++) close(stack[i]);
    depth = 0;
done:
    if (st) {
        for (int i = 0; i < depth; i++) close(stack[i]);
        out->parent = -1;
        out->owned = 0;
    }
    free(work);
    free(link);
    free(stack);
    return st;
}

/* -------------------------------------------------------------- helpers */

static uint32_t type_of(mode_t m) {
    if (S_ISREG(m)) return WASMAOT_P2_TYPE_REGULAR_FILE;
    if (S_ISDIR(m)) return WASMAOT_P2_TYPE_DIRECTORY;
    if (S_ISLNK(m)) return WASMAOT_P2_TYPE_SYMBOLIC_LINK;
    if (S_ISCHR(m)) return WASMAOT_P2_TYPE_CHARACTER_DEVICE;
    if (S_ISBLK(m)) return WASMAOT_P2_TYPE_BLOCK_DEVICE;
    if (S_ISFIFO(m)) return WASMAOT_P2_TYPE_FIFO;
    if (S_ISSOCK(m)) return WASMAOT_P2_TYPE_SOCKET;
    return WASMAOT_P2_TYPE_UNKNOWN;
}

static uint64_t mix64(uint64_t x) { /* splitmix64 finalizer */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static void fill_stat(const struct stat *s, wasmaot_p2_descriptor_stat *st, wasmaot_p2_metadata_hash_value *h) {
    memset(st, 0, sizeof *st);
    st->type = type_of(s->st_mode);
    st->link_count = (uint64_t)s->st_nlink;
    st->size = (uint64_t)s->st_size;
    st->has_atime = st->has_mtime = st->has_ctime = 1;
    st->atime.seconds = (uint64_t)s->st_atim.tv_sec;
    st->atime.nanoseconds = (uint32_t)s->st_atim.tv_nsec;
    st->mtime.seconds = (uint64_t)s->st_mtim.tv_sec;
    st->mtime.nanoseconds = (uint32_t)s->st_mtim.tv_nsec;
    st->ctime.seconds = (uint64_t)s->st_ctim.tv_sec;
    st->ctime.nanoseconds = (uint32_t)s->st_ctim.tv_nsec;
    if (h) {
        /* Stable per object, like wasmtime's keyed hash of (dev, ino); the
         * raw inode number is not exposed. */
        h->lower = mix64((uint64_t)s->st_ino ^ mix64((uint64_t)s->st_dev));
        h->upper = mix64(h->lower ^ (uint64_t)s->st_dev);
    }
}

static int ts_to_timespec(const wasmaot_p2_new_timestamp *t, struct timespec *ts) {
    switch (t->tag) {
    case WASMAOT_P2_TS_NO_CHANGE: ts->tv_sec = 0; ts->tv_nsec = UTIME_OMIT; return 0;
    case WASMAOT_P2_TS_NOW: ts->tv_sec = 0; ts->tv_nsec = UTIME_NOW; return 0;
    default:
        if (t->ts.seconds > (uint64_t)INT64_MAX) return -1;
        ts->tv_sec = (time_t)t->ts.seconds;
        ts->tv_nsec = (long)t->ts.nanoseconds;
        return 0;
    }
}

/* ------------------------------------------------------------ operations */

wasmaot_p2_status wasmaot_wasi_plat_open_dir(const char *host_path, int64_t *fd) {
    int f = open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (f < 0) return map_errno(errno);
    *fd = f;
    return WASMAOT_P2_OK;
}

void wasmaot_wasi_plat_close(int64_t fd) {
    if (fd >= 0) close((int)fd);
}

wasmaot_p2_status wasmaot_wasi_plat_open_at(int64_t dirfd, int follow, const char *path, uint32_t oflags,
                                            uint32_t dflags, int64_t *out, uint32_t *type) {
    int flags = O_CLOEXEC | O_NOFOLLOW;
    if (dflags & WASMAOT_P2_DESC_WRITE)
        flags |= (dflags & WASMAOT_P2_DESC_READ) ? O_RDWR : O_WRONLY;
    else
        flags |= O_RDONLY;
    if (oflags & WASMAOT_P2_OPEN_CREATE) flags |= O_CREAT;
    if (oflags & WASMAOT_P2_OPEN_EXCLUSIVE) flags |= O_EXCL;
    if (oflags & WASMAOT_P2_OPEN_TRUNCATE) flags |= O_TRUNC;
    if (oflags & WASMAOT_P2_OPEN_DIRECTORY) flags |= O_DIRECTORY;
    if (dflags & WASMAOT_P2_DESC_FILE_INTEGRITY_SYNC) flags |= O_SYNC;
    if (dflags & WASMAOT_P2_DESC_DATA_INTEGRITY_SYNC) flags |= O_DSYNC;
    if (dflags & WASMAOT_P2_DESC_REQUESTED_WRITE_SYNC) flags |= O_RSYNC;
    /* O_CREAT|O_EXCL never follows a final symlink (POSIX). */
    if ((oflags & (WASMAOT_P2_OPEN_CREATE | WASMAOT_P2_OPEN_EXCLUSIVE)) ==
        (WASMAOT_P2_OPEN_CREATE | WASMAOT_P2_OPEN_EXCLUSIVE))
        follow = 0;
    for (int attempt = 0; attempt <= WASMAOT_WASI_MAX_SYMLINKS; attempt++) {
        resolved r;
        wasmaot_p2_status st = resolve((int)dirfd, path, follow, &r);
        if (st) return st;
        int f = openat(r.parent, r.name, flags | (r.trailing ? O_DIRECTORY : 0), 0666);
        int e = errno;
        if (f < 0 && e == ELOOP && follow) {
            /* The final component became a symlink after resolve() looked
             * at it (a race): resolve again rather than follow it blindly. */
            char tmp[8];
            int is_link = readlinkat(r.parent, r.name, tmp, sizeof tmp) >= 0;
            release(&r);
            if (is_link) continue;
            return WASMAOT_P2_E_LOOP;
        }
        release(&r);
        if (f < 0) return map_errno(e);
        struct stat s;
        if (fstat(f, &s) != 0) {
            e = errno;
            close(f);
            return map_errno(e);
        }
        *out = f;
        *type = type_of(s.st_mode);
        return WASMAOT_P2_OK;
    }
    return WASMAOT_P2_E_LOOP;
}

wasmaot_p2_status wasmaot_wasi_plat_pread(int64_t fd, uint8_t *buf, uint64_t len, uint64_t off, uint64_t *n) {
    *n = 0;
    if (off > (uint64_t)INT64_MAX) return WASMAOT_P2_E_INVALID;
    if (len > 0x7ffff000u) len = 0x7ffff000u; /* Linux's per-call maximum */
    ssize_t r;
    do r = pread((int)fd, buf, (size_t)len, (off_t)off);
    while (r < 0 && errno == EINTR);
    if (r < 0) return map_errno(errno);
    *n = (uint64_t)r;
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_wasi_plat_pwrite(int64_t fd, const uint8_t *buf, uint64_t len, uint64_t off, uint64_t *n) {
    *n = 0;
    if (off > (uint64_t)INT64_MAX) return WASMAOT_P2_E_INVALID;
    if (len > 0x7ffff000u) len = 0x7ffff000u;
    ssize_t r;
    do r = pwrite((int)fd, buf, (size_t)len, (off_t)off);
    while (r < 0 && errno == EINTR);
    if (r < 0) return map_errno(errno);
    *n = (uint64_t)r;
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_wasi_plat_append(int64_t fd, const uint8_t *buf, uint64_t len, uint64_t *n) {
    *n = 0;
    /* The fd was not opened with O_APPEND (the flag can change with
     * fd_fdstat_set_flags), so set it for this write only: seek-to-end and
     * write are then one atomic step in the kernel. */
    int fl = fcntl((int)fd, F_GETFL);
    if (fl < 0) return map_errno(errno);
    if (!(fl & O_APPEND) && fcntl((int)fd, F_SETFL, fl | O_APPEND) != 0) return map_errno(errno);
    if (len > 0x7ffff000u) len = 0x7ffff000u;
    ssize_t r;
    do r = write((int)fd, buf, (size_t)len);
    while (r < 0 && errno == EINTR);
    int e = errno;
    if (!(fl & O_APPEND)) fcntl((int)fd, F_SETFL, fl);
    if (r < 0) return map_errno(e);
    *n = (uint64_t)r;
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_wasi_plat_stat(int64_t fd, wasmaot_p2_descriptor_stat *st, wasmaot_p2_metadata_hash_value *h) {
    struct stat s;
    if (fstat((int)fd, &s) != 0) return map_errno(errno);
    fill_stat(&s, st, h);
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_wasi_plat_stat_at(int64_t dirfd, int follow, const char *path,
                                            wasmaot_p2_descriptor_stat *st, wasmaot_p2_metadata_hash_value *h) {
    resolved r;
    wasmaot_p2_status res = resolve((int)dirfd, path, follow, &r);
    if (res) return res;
    struct stat s;
    int rc = fstatat(r.parent, r.name, &s, AT_SYMLINK_NOFOLLOW);
    int e = errno;
    release(&r);
    if (rc != 0) return map_errno(e);
    if (r.trailing && !S_ISDIR(s.st_mode)) return WASMAOT_P2_E_NOT_DIRECTORY;
    fill_stat(&s, st, h);
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_wasi_plat_set_size(int64_t fd, uint64_t size) {
    if (size > (uint64_t)INT64_MAX) return WASMAOT_P2_E_INVALID;
    return ftruncate((int)fd, (off_t)size) == 0 ? WASMAOT_P2_OK : map_errno(errno);
}

wasmaot_p2_status wasmaot_wasi_plat_set_times(int64_t fd, const wasmaot_p2_new_timestamp *a,
                                              const wasmaot_p2_new_timestamp *m) {
    struct timespec ts[2];
    if (ts_to_timespec(a, &ts[0]) || ts_to_timespec(m, &ts[1])) return WASMAOT_P2_E_OVERFLOW;
    return futimens((int)fd, ts) == 0 ? WASMAOT_P2_OK : map_errno(errno);
}

wasmaot_p2_status wasmaot_wasi_plat_set_times_at(int64_t dirfd, int follow, const char *path,
                                                 const wasmaot_p2_new_timestamp *a,
                                                 const wasmaot_p2_new_timestamp *m) {
    struct timespec ts[2];
    if (ts_to_timespec(a, &ts[0]) || ts_to_timespec(m, &ts[1])) return WASMAOT_P2_E_OVERFLOW;
    resolved r;
    wasmaot_p2_status res = resolve((int)dirfd, path, follow, &r);
    if (res) return res;
    int rc = utimensat(r.parent, r.name, ts, AT_SYMLINK_NOFOLLOW);
    int e = errno;
    release(&r);
    return rc == 0 ? WASMAOT_P2_OK : map_errno(e);
}

wasmaot_p2_status wasmaot_wasi_plat_sync(int64_t fd, int data_only) {
    int rc = data_only ? fdatasync((int)fd) : fsync((int)fd);
    if (rc != 0 && errno == EINVAL) return WASMAOT_P2_OK; /* fsync of a directory on some file systems */
    return rc == 0 ? WASMAOT_P2_OK : map_errno(errno);
}

wasmaot_p2_status wasmaot_wasi_plat_advise(int64_t fd, uint64_t off, uint64_t len, uint32_t advice) {
    static const int adv[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                              POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX) return WASMAOT_P2_E_INVALID;
    int rc = posix_fadvise((int)fd, (off_t)off, (off_t)len, adv[advice]);
    return map_errno(rc);
}

wasmaot_p2_status wasmaot_wasi_plat_mkdir_at(int64_t dirfd, const char *path) {
    resolved r;
    wasmaot_p2_status res = resolve((int)dirfd, path, 0, &r);
    if (res) return res;
    int rc = mkdirat(r.parent, r.name, 0777);
    int e = errno;
    release(&r);
    return rc == 0 ? WASMAOT_P2_OK : map_errno(e);
}

wasmaot_p2_status wasmaot_wasi_plat_rmdir_at(int64_t dirfd, const char *path) {
    resolved r;
    wasmaot_p2_status res = resolve((int)dirfd, path, 0, &r);
    if (res) return res;
    int rc = unlinkat(r.parent, r.name, AT_REMOVEDIR);
    int e = errno;
    release(&r);
    return rc == 0 ? WASMAOT_P2_OK : map_errno(e);
}

wasmaot_p2_status wasmaot_wasi_plat_unlink_at(int64_t dirfd, const char *path) {
    resolved r;
    wasmaot_p2_status res = resolve((int)dirfd, path, 0, &r);
    if (res) return res;
    int rc, e;
    if (r.trailing) {
        /* "x/" names a directory: unlink_file of it is EISDIR if it is
         * one, ENOTDIR if not (Linux unlink(2)). */
        struct stat s;
        rc = fstatat(r.parent, r.name, &s, AT_SYMLINK_NOFOLLOW);
        e = rc != 0 ? errno : S_ISDIR(s.st_mode) ? EISDIR : ENOTDIR;
        rc = -1;
    } else {
        rc = unlinkat(r.parent, r.name, 0);
        e = errno;
    }
    release(&r);
    return rc == 0 ? WASMAOT_P2_OK : map_errno(e);
}

wasmaot_p2_status wasmaot_wasi_plat_rename_at(int64_t olddir, const char *oldp, int64_t newdir, const char *newp) {
    resolved a, b;
    wasmaot_p2_status res = resolve((int)olddir, oldp, 0, &a);
    if (res) return res;
    res = resolve((int)newdir, newp, 0, &b);
    if (res) { release(&a); return res; }
    int rc = renameat(a.parent, a.name, b.parent, b.name);
    int e = errno;
    release(&a);
    release(&b);
    return rc == 0 ? WASMAOT_P2_OK : map_errno(e);
}

wasmaot_p2_status wasmaot_wasi_plat_link_at(int64_t olddir, int follow, const char *oldp, int64_t newdir,
                                            const char *newp) {
    resolved a, b;
    wasmaot_p2_status res = resolve((int)olddir, oldp, follow, &a);
    if (res) return res;
    res = resolve((int)newdir, newp, 0, &b);
    if (res) { release(&a); return res; }
    int rc = linkat(a.parent, a.name, b.parent, b.name, 0); /* never AT_SYMLINK_FOLLOW: resolved above */
    int e = errno;
    release(&a);
    release(&b);
    return rc == 0 ? WASMAOT_P2_OK : map_errno(e);
}

wasmaot_p2_status wasmaot_wasi_plat_symlink_at(const char *target, int64_t dirfd, const char *path) {
    /* An absolute target could never be followed inside the sandbox; refuse
     * it up front like wasmtime (NotPermitted). */
    if (target[0] == '/') return WASMAOT_P2_E_NOT_PERMITTED;
    resolved r;
    wasmaot_p2_status res = resolve((int)dirfd, path, 0, &r);
    if (res) return res;
    int rc = symlinkat(target, r.parent, r.name);
    int e = errno;
    release(&r);
    return rc == 0 ? WASMAOT_P2_OK : map_errno(e);
}

wasmaot_p2_status wasmaot_wasi_plat_readlink_at(int64_t dirfd, const char *path, char *buf, size_t cap,
                                                size_t *len) {
    resolved r;
    wasmaot_p2_status res = resolve((int)dirfd, path, 0, &r);
    if (res) return res;
    char *tmp = malloc(WASMAOT_WASI_MAX_PATH);
    if (!tmp) { release(&r); return WASMAOT_P2_E_INSUFFICIENT_MEMORY; }
    ssize_t n = readlinkat(r.parent, r.name, tmp, WASMAOT_WASI_MAX_PATH);
    int e = errno;
    release(&r);
    if (n < 0) { free(tmp); return map_errno(e); }
    *len = (size_t)n;
    size_t k = (size_t)n < cap ? (size_t)n : cap;
    memcpy(buf, tmp, k);
    if (k < cap) buf[k] = '\0';
    free(tmp);
    return WASMAOT_P2_OK;
}

typedef struct dir_iter { DIR *d; int fd; } dir_iter;

wasmaot_p2_status wasmaot_wasi_plat_dir_open(int64_t dirfd, void **state) {
    /* A fresh open file description, so the guest's fd and this iterator
     * do not share a position. */
    int fd = openat((int)dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return map_errno(errno);
    DIR *d = fdopendir(fd);
    if (!d) { int e = errno; close(fd); return map_errno(e); }
    dir_iter *it = malloc(sizeof *it);
    if (!it) { closedir(d); return WASMAOT_P2_E_INSUFFICIENT_MEMORY; }
    it->d = d;
    it->fd = fd;
    *state = it;
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_wasi_plat_dir_next(void *state, int *has, uint32_t *type, char *name, size_t cap,
                                             size_t *len) {
    dir_iter *it = state;
    *has = 0;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(it->d);
        if (!e) return errno ? map_errno(errno) : WASMAOT_P2_OK;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        size_t n = strlen(e->d_name);
        *len = n;
        size_t k = n < cap ? n : cap ? cap - 1 : 0;
        if (cap) { memcpy(name, e->d_name, k); name[k] = '\0'; }
        switch (e->d_type) {
        case DT_REG: *type = WASMAOT_P2_TYPE_REGULAR_FILE; break;
        case DT_DIR: *type = WASMAOT_P2_TYPE_DIRECTORY; break;
        case DT_LNK: *type = WASMAOT_P2_TYPE_SYMBOLIC_LINK; break;
        case DT_CHR: *type = WASMAOT_P2_TYPE_CHARACTER_DEVICE; break;
        case DT_BLK: *type = WASMAOT_P2_TYPE_BLOCK_DEVICE; break;
        case DT_FIFO: *type = WASMAOT_P2_TYPE_FIFO; break;
        case DT_SOCK: *type = WASMAOT_P2_TYPE_SOCKET; break;
        default: {
            struct stat s;
            *type = fstatat(it->fd, e->d_name, &s, AT_SYMLINK_NOFOLLOW) == 0 ? type_of(s.st_mode)
                                                                             : WASMAOT_P2_TYPE_UNKNOWN;
        }
        }
        *has = 1;
        return WASMAOT_P2_OK;
    }
}

void wasmaot_wasi_plat_dir_close(void *state) {
    dir_iter *it = state;
    closedir(it->d);
    free(it);
}

int wasmaot_wasi_plat_same_object(int64_t a, int64_t b) {
    struct stat x, y;
    return fstat((int)a, &x) == 0 && fstat((int)b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

#endif /* WASMAOT_WASI_FILESYSTEM */
