/*
 * wasmaot_wasi_p2.h -- WASI 0.2 host interfaces as C functions.
 *
 * Interfaces (WIT: wasi:cli, wasi:io, wasi:clocks, wasi:random,
 * wasi:filesystem @0.2.x): every WIT function is one C function taking the
 * ctx first.  Resources (input-stream, output-stream, pollable, descriptor,
 * directory-entry-stream, error, terminal-*) are uint32_t HANDLES into the
 * ctx's resource table (index >= 1; 0 is "no resource", used for option<>
 * results).  Owned handles returned here must be released with
 * wasmaot_p2_drop(); `borrow<>` parameters are plain handles.
 *
 * This is the C-level API the preview1 layer (preview1/preview1.c) is built
 * on, and what the component-model lowering will call in a later issue (it
 * then adds the canonical-ABI glue: lists/strings in guest memory, result
 * variants).  It is not yet a canonical-ABI surface: strings are C strings,
 * lists are (pointer, length) host buffers.
 *
 * Results: functions that can fail return wasmaot_p2_status: WASMAOT_P2_OK
 * (0), or 1 + the wasi:filesystem error-code index (WASMAOT_P2_E_*), or,
 * for streams, WASMAOT_P2_STREAM_CLOSED (stream-error::closed);
 * stream-error::last-operation-failed(error) is returned as the error code
 * of the failure (and is queryable through wasmaot_p2_filesystem_error_code
 * semantics directly, so no error resource is created).
 *
 * Portable: nothing here needs POSIX.  wasi:filesystem functions exist on
 * every platform; with WASMAOT_WASI_FILESYSTEM=0 there are simply no
 * descriptors (every call gets E_BAD_DESCRIPTOR).
 */
#ifndef WASMAOT_WASI_P2_H
#define WASMAOT_WASI_P2_H

#include "wasmaot_wasi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t wasmaot_p2_status;

/* wasi:filesystem/types.error-code, in WIT order, plus one. */
enum {
    WASMAOT_P2_OK = 0,
    WASMAOT_P2_E_ACCESS = 1, WASMAOT_P2_E_WOULD_BLOCK, WASMAOT_P2_E_ALREADY, WASMAOT_P2_E_BAD_DESCRIPTOR,
    WASMAOT_P2_E_BUSY, WASMAOT_P2_E_DEADLOCK, WASMAOT_P2_E_QUOTA, WASMAOT_P2_E_EXIST,
    WASMAOT_P2_E_FILE_TOO_LARGE, WASMAOT_P2_E_ILLEGAL_BYTE_SEQUENCE, WASMAOT_P2_E_IN_PROGRESS,
    WASMAOT_P2_E_INTERRUPTED, WASMAOT_P2_E_INVALID, WASMAOT_P2_E_IO, WASMAOT_P2_E_IS_DIRECTORY,
    WASMAOT_P2_E_LOOP, WASMAOT_P2_E_TOO_MANY_LINKS, WASMAOT_P2_E_MESSAGE_SIZE, WASMAOT_P2_E_NAME_TOO_LONG,
    WASMAOT_P2_E_NO_DEVICE, WASMAOT_P2_E_NO_ENTRY, WASMAOT_P2_E_NO_LOCK, WASMAOT_P2_E_INSUFFICIENT_MEMORY,
    WASMAOT_P2_E_INSUFFICIENT_SPACE, WASMAOT_P2_E_NOT_DIRECTORY, WASMAOT_P2_E_NOT_EMPTY,
    WASMAOT_P2_E_NOT_RECOVERABLE, WASMAOT_P2_E_UNSUPPORTED, WASMAOT_P2_E_NO_TTY, WASMAOT_P2_E_NO_SUCH_DEVICE,
    WASMAOT_P2_E_OVERFLOW, WASMAOT_P2_E_NOT_PERMITTED, WASMAOT_P2_E_PIPE, WASMAOT_P2_E_READ_ONLY,
    WASMAOT_P2_E_INVALID_SEEK, WASMAOT_P2_E_TEXT_FILE_BUSY, WASMAOT_P2_E_CROSS_DEVICE,
    WASMAOT_P2_STREAM_CLOSED = 0x100
};

/* descriptor-type */
enum {
    WASMAOT_P2_TYPE_UNKNOWN = 0, WASMAOT_P2_TYPE_BLOCK_DEVICE, WASMAOT_P2_TYPE_CHARACTER_DEVICE,
    WASMAOT_P2_TYPE_DIRECTORY, WASMAOT_P2_TYPE_FIFO, WASMAOT_P2_TYPE_SYMBOLIC_LINK,
    WASMAOT_P2_TYPE_REGULAR_FILE, WASMAOT_P2_TYPE_SOCKET
};

/* descriptor-flags */
enum {
    WASMAOT_P2_DESC_READ = 1u << 0, WASMAOT_P2_DESC_WRITE = 1u << 1,
    WASMAOT_P2_DESC_FILE_INTEGRITY_SYNC = 1u << 2, WASMAOT_P2_DESC_DATA_INTEGRITY_SYNC = 1u << 3,
    WASMAOT_P2_DESC_REQUESTED_WRITE_SYNC = 1u << 4, WASMAOT_P2_DESC_MUTATE_DIRECTORY = 1u << 5
};
/* path-flags */
enum { WASMAOT_P2_PATH_SYMLINK_FOLLOW = 1u << 0 };
/* open-flags */
enum { WASMAOT_P2_OPEN_CREATE = 1u << 0, WASMAOT_P2_OPEN_DIRECTORY = 1u << 1,
       WASMAOT_P2_OPEN_EXCLUSIVE = 1u << 2, WASMAOT_P2_OPEN_TRUNCATE = 1u << 3 };
/* advice */
enum { WASMAOT_P2_ADVICE_NORMAL = 0, WASMAOT_P2_ADVICE_SEQUENTIAL, WASMAOT_P2_ADVICE_RANDOM,
       WASMAOT_P2_ADVICE_WILL_NEED, WASMAOT_P2_ADVICE_DONT_NEED, WASMAOT_P2_ADVICE_NO_REUSE };

typedef struct wasmaot_p2_datetime { uint64_t seconds; uint32_t nanoseconds; } wasmaot_p2_datetime;

/* new-timestamp */
enum { WASMAOT_P2_TS_NO_CHANGE = 0, WASMAOT_P2_TS_NOW = 1, WASMAOT_P2_TS_TIMESTAMP = 2 };
typedef struct wasmaot_p2_new_timestamp { uint32_t tag; wasmaot_p2_datetime ts; } wasmaot_p2_new_timestamp;

typedef struct wasmaot_p2_descriptor_stat {
    uint32_t type;           /* WASMAOT_P2_TYPE_* */
    uint64_t link_count;
    uint64_t size;
    int has_atime, has_mtime, has_ctime; /* option<datetime> */
    wasmaot_p2_datetime atime, mtime, ctime;
} wasmaot_p2_descriptor_stat;

typedef struct wasmaot_p2_metadata_hash_value { uint64_t lower, upper; } wasmaot_p2_metadata_hash_value;

/* Release any owned resource handle (resource.drop).  Dropping a
 * descriptor closes its host fd; dropping a stream or pollable that others
 * refer to is the caller's bug (as in the component model, children must be
 * dropped first) and is ignored for stdio.  0, or E_BAD_DESCRIPTOR. */
wasmaot_p2_status wasmaot_p2_drop(wasmaot_wasi_ctx *ctx, uint32_t handle);

/* ------------------------------------------------------------- wasi:cli */
/* environment.get-environment: count, then entry i as key/value slices of
 * the "KEY=VALUE" string (the value may be empty). */
uint32_t wasmaot_p2_environment_count(const wasmaot_wasi_ctx *ctx);
void wasmaot_p2_environment_get(const wasmaot_wasi_ctx *ctx, uint32_t i, const char **key, size_t *key_len,
                                const char **value, size_t *value_len);
/* environment.get-arguments */
uint32_t wasmaot_p2_arguments_count(const wasmaot_wasi_ctx *ctx);
const char *wasmaot_p2_argument(const wasmaot_wasi_ctx *ctx, uint32_t i);
/* environment.initial-cwd: always none (NULL): the guest has no cwd grant. */
const char *wasmaot_p2_initial_cwd(const wasmaot_wasi_ctx *ctx);
/* exit.exit(result): is_err ? status 1 : 0.  exit.exit-with-code(u8).
 * Neither returns (see proc_exit in wasmaot_wasi.h). */
WASMAOT_NORETURN void wasmaot_p2_exit(wasmaot_wasi_ctx *ctx, int is_err);
WASMAOT_NORETURN void wasmaot_p2_exit_with_code(wasmaot_wasi_ctx *ctx, uint8_t code);
/* stdin/stdout/stderr.get-*: a new stream handle each call (0 if the table
 * is full). */
uint32_t wasmaot_p2_get_stdin(wasmaot_wasi_ctx *ctx);
uint32_t wasmaot_p2_get_stdout(wasmaot_wasi_ctx *ctx);
uint32_t wasmaot_p2_get_stderr(wasmaot_wasi_ctx *ctx);
/* terminal-stdin/stdout/stderr.get-terminal-*: option<terminal-*>: a handle
 * if that stdio stream is a terminal, else 0. */
uint32_t wasmaot_p2_get_terminal_stdin(wasmaot_wasi_ctx *ctx);
uint32_t wasmaot_p2_get_terminal_stdout(wasmaot_wasi_ctx *ctx);
uint32_t wasmaot_p2_get_terminal_stderr(wasmaot_wasi_ctx *ctx);

/* -------------------------------------------------------------- wasi:io */
/* error.to-debug-string: a static description of the error's code. */
const char *wasmaot_p2_error_to_debug_string(wasmaot_wasi_ctx *ctx, uint32_t error);
/* poll: pollable.ready / pollable.block / poll(list) -> indices of ready
 * pollables (at least one; blocks until then).  `out` has room for n. */
int wasmaot_p2_pollable_ready(wasmaot_wasi_ctx *ctx, uint32_t pollable);
void wasmaot_p2_pollable_block(wasmaot_wasi_ctx *ctx, uint32_t pollable);
uint32_t wasmaot_p2_poll(wasmaot_wasi_ctx *ctx, const uint32_t *pollables, uint32_t n, uint32_t *out);
/* streams.input-stream: read up to len bytes into buf (non-blocking read
 * may return 0 bytes when nothing is available yet; blocking-read waits for
 * at least one byte).  EOF: WASMAOT_P2_STREAM_CLOSED. */
wasmaot_p2_status wasmaot_p2_input_read(wasmaot_wasi_ctx *ctx, uint32_t s, uint8_t *buf, uint64_t len, uint64_t *n);
wasmaot_p2_status wasmaot_p2_input_blocking_read(wasmaot_wasi_ctx *ctx, uint32_t s, uint8_t *buf, uint64_t len,
                                                 uint64_t *n);
wasmaot_p2_status wasmaot_p2_input_skip(wasmaot_wasi_ctx *ctx, uint32_t s, uint64_t len, uint64_t *n);
wasmaot_p2_status wasmaot_p2_input_blocking_skip(wasmaot_wasi_ctx *ctx, uint32_t s, uint64_t len, uint64_t *n);
uint32_t wasmaot_p2_input_subscribe(wasmaot_wasi_ctx *ctx, uint32_t s);
/* streams.output-stream.  check-write permits WASMAOT_WASI_IO_CHUNK bytes
 * (writes here complete synchronously, so the stream is always ready). */
wasmaot_p2_status wasmaot_p2_output_check_write(wasmaot_wasi_ctx *ctx, uint32_t s, uint64_t *permit);
wasmaot_p2_status wasmaot_p2_output_write(wasmaot_wasi_ctx *ctx, uint32_t s, const uint8_t *buf, uint64_t len);
wasmaot_p2_status wasmaot_p2_output_blocking_write_and_flush(wasmaot_wasi_ctx *ctx, uint32_t s, const uint8_t *buf,
                                                             uint64_t len);
wasmaot_p2_status wasmaot_p2_output_flush(wasmaot_wasi_ctx *ctx, uint32_t s);
wasmaot_p2_status wasmaot_p2_output_blocking_flush(wasmaot_wasi_ctx *ctx, uint32_t s);
wasmaot_p2_status wasmaot_p2_output_write_zeroes(wasmaot_wasi_ctx *ctx, uint32_t s, uint64_t len);
wasmaot_p2_status wasmaot_p2_output_blocking_write_zeroes_and_flush(wasmaot_wasi_ctx *ctx, uint32_t s, uint64_t len);
/* splice: read up to len from src, write it to dst; *n = bytes moved. */
wasmaot_p2_status wasmaot_p2_output_splice(wasmaot_wasi_ctx *ctx, uint32_t dst, uint32_t src, uint64_t len,
                                           uint64_t *n);
wasmaot_p2_status wasmaot_p2_output_blocking_splice(wasmaot_wasi_ctx *ctx, uint32_t dst, uint32_t src, uint64_t len,
                                                    uint64_t *n);
uint32_t wasmaot_p2_output_subscribe(wasmaot_wasi_ctx *ctx, uint32_t s);

/* ---------------------------------------------------------- wasi:clocks */
uint64_t wasmaot_p2_monotonic_now(wasmaot_wasi_ctx *ctx);
uint64_t wasmaot_p2_monotonic_resolution(wasmaot_wasi_ctx *ctx);
uint32_t wasmaot_p2_monotonic_subscribe_instant(wasmaot_wasi_ctx *ctx, uint64_t when);
uint32_t wasmaot_p2_monotonic_subscribe_duration(wasmaot_wasi_ctx *ctx, uint64_t duration);
wasmaot_p2_datetime wasmaot_p2_wall_now(wasmaot_wasi_ctx *ctx);
wasmaot_p2_datetime wasmaot_p2_wall_resolution(wasmaot_wasi_ctx *ctx);

/* ---------------------------------------------------------- wasi:random */
/* random.get-random-bytes / get-random-u64: cryptographic (getrandom on
 * POSIX, the embedder's TRNG on bare metal).  An entropy failure traps
 * (WASMAOT_TRAP_HOST): WASI has no error result here. */
void wasmaot_p2_get_random_bytes(wasmaot_wasi_ctx *ctx, uint8_t *buf, uint64_t len);
uint64_t wasmaot_p2_get_random_u64(wasmaot_wasi_ctx *ctx);
/* insecure: xorshift128+ seeded once from the secure source. */
void wasmaot_p2_get_insecure_random_bytes(wasmaot_wasi_ctx *ctx, uint8_t *buf, uint64_t len);
uint64_t wasmaot_p2_get_insecure_random_u64(wasmaot_wasi_ctx *ctx);
/* insecure-seed: the same 128 bits for the life of the ctx. */
void wasmaot_p2_insecure_seed(wasmaot_wasi_ctx *ctx, uint64_t *lo, uint64_t *hi);

/* ------------------------------------------------------ wasi:filesystem */
/* preopens.get-directories: count, then (descriptor handle, guest path) of
 * preopen i.  The handle is BORROWED from the ctx's preview1 fd table (a
 * later component-model host will hand out owned duplicates). */
uint32_t wasmaot_p2_preopens_count(const wasmaot_wasi_ctx *ctx);
uint32_t wasmaot_p2_preopen(const wasmaot_wasi_ctx *ctx, uint32_t i, const char **guest_path);

wasmaot_p2_status wasmaot_p2_read_via_stream(wasmaot_wasi_ctx *ctx, uint32_t d, uint64_t offset, uint32_t *stream);
wasmaot_p2_status wasmaot_p2_write_via_stream(wasmaot_wasi_ctx *ctx, uint32_t d, uint64_t offset, uint32_t *stream);
wasmaot_p2_status wasmaot_p2_append_via_stream(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t *stream);
wasmaot_p2_status wasmaot_p2_advise(wasmaot_wasi_ctx *ctx, uint32_t d, uint64_t offset, uint64_t len, uint32_t advice);
wasmaot_p2_status wasmaot_p2_sync_data(wasmaot_wasi_ctx *ctx, uint32_t d);
wasmaot_p2_status wasmaot_p2_get_flags(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t *flags);
wasmaot_p2_status wasmaot_p2_get_type(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t *type);
wasmaot_p2_status wasmaot_p2_set_size(wasmaot_wasi_ctx *ctx, uint32_t d, uint64_t size);
wasmaot_p2_status wasmaot_p2_set_times(wasmaot_wasi_ctx *ctx, uint32_t d, const wasmaot_p2_new_timestamp *atime,
                                       const wasmaot_p2_new_timestamp *mtime);
/* read: up to len bytes at offset into buf; *eof per WIT (true when the
 * read hit end of file). */
wasmaot_p2_status wasmaot_p2_read(wasmaot_wasi_ctx *ctx, uint32_t d, uint8_t *buf, uint64_t len, uint64_t offset,
                                  uint64_t *n, int *eof);
wasmaot_p2_status wasmaot_p2_write(wasmaot_wasi_ctx *ctx, uint32_t d, const uint8_t *buf, uint64_t len,
                                   uint64_t offset, uint64_t *n);
/* Not in WIT (it is what append-via-stream's writes do): write at the end
 * of the file, atomically (O_APPEND). */
wasmaot_p2_status wasmaot_p2_append(wasmaot_wasi_ctx *ctx, uint32_t d, const uint8_t *buf, uint64_t len,
                                    uint64_t *n);
wasmaot_p2_status wasmaot_p2_read_directory(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t *dir_stream);
/* directory-entry-stream.read-directory-entry: *has = 0 at the end.  The
 * name is copied into name[0..name_cap) (NUL-terminated); *name_len is the
 * full length (entries longer than name_cap-1 are truncated: use
 * WASMAOT_WASI_MAX_PATH). "." and ".." are never returned. */
wasmaot_p2_status wasmaot_p2_read_directory_entry(wasmaot_wasi_ctx *ctx, uint32_t ds, int *has, uint32_t *type,
                                                  char *name, size_t name_cap, size_t *name_len);
wasmaot_p2_status wasmaot_p2_sync(wasmaot_wasi_ctx *ctx, uint32_t d);
wasmaot_p2_status wasmaot_p2_create_directory_at(wasmaot_wasi_ctx *ctx, uint32_t d, const char *path);
wasmaot_p2_status wasmaot_p2_stat(wasmaot_wasi_ctx *ctx, uint32_t d, wasmaot_p2_descriptor_stat *st);
wasmaot_p2_status wasmaot_p2_stat_at(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t path_flags, const char *path,
                                     wasmaot_p2_descriptor_stat *st);
wasmaot_p2_status wasmaot_p2_set_times_at(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t path_flags, const char *path,
                                          const wasmaot_p2_new_timestamp *atime,
                                          const wasmaot_p2_new_timestamp *mtime);
wasmaot_p2_status wasmaot_p2_link_at(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t old_flags, const char *old_path,
                                     uint32_t new_d, const char *new_path);
wasmaot_p2_status wasmaot_p2_open_at(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t path_flags, const char *path,
                                     uint32_t open_flags, uint32_t flags, uint32_t *out);
/* readlink-at: target copied into buf (NUL-terminated if it fits);
 * *len = full target length. */
wasmaot_p2_status wasmaot_p2_readlink_at(wasmaot_wasi_ctx *ctx, uint32_t d, const char *path, char *buf, size_t cap,
                                         size_t *len);
wasmaot_p2_status wasmaot_p2_remove_directory_at(wasmaot_wasi_ctx *ctx, uint32_t d, const char *path);
wasmaot_p2_status wasmaot_p2_rename_at(wasmaot_wasi_ctx *ctx, uint32_t d, const char *old_path, uint32_t new_d,
                                       const char *new_path);
wasmaot_p2_status wasmaot_p2_symlink_at(wasmaot_wasi_ctx *ctx, uint32_t d, const char *old_path,
                                        const char *new_path);
wasmaot_p2_status wasmaot_p2_unlink_file_at(wasmaot_wasi_ctx *ctx, uint32_t d, const char *path);
int wasmaot_p2_is_same_object(wasmaot_wasi_ctx *ctx, uint32_t a, uint32_t b);
wasmaot_p2_status wasmaot_p2_metadata_hash(wasmaot_wasi_ctx *ctx, uint32_t d, wasmaot_p2_metadata_hash_value *h);
wasmaot_p2_status wasmaot_p2_metadata_hash_at(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t path_flags,
                                              const char *path, wasmaot_p2_metadata_hash_value *h);
/* filesystem-error-code(error): the code carried by an error resource, 0 if
 * it is not a filesystem error. */
wasmaot_p2_status wasmaot_p2_filesystem_error_code(wasmaot_wasi_ctx *ctx, uint32_t error);

#ifdef __cplusplus
}
#endif
#endif /* WASMAOT_WASI_P2_H */
