/* Hand-written canonical ABI bindings for the part of wasi:http@0.2.12 and
 * wasi:io/streams@0.2.12 the C test proxy uses (wit-bindgen is not
 * available).  Core signatures are those `wasm-tools component embed
 * --dummy-names legacy` gives for world.wit; results wider than one flat
 * value come back through a return area whose layout is written next to
 * each reader below (CanonicalABI.md: a result's payload sits after the
 * discriminant, aligned to the payload's alignment). */
#ifndef HTTP_ABI_H
#define HTTP_ABI_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_IMPORT(name) __attribute__((import_module("wasi:http/types@0.2.12"), import_name(name)))
#define IO_IMPORT(name) __attribute__((import_module("wasi:io/streams@0.2.12"), import_name(name)))

typedef int32_t handle_t;

/* Method variant cases, in WIT order (get, head, post, ..., other). */
enum { METHOD_GET, METHOD_HEAD, METHOD_POST, METHOD_PUT, METHOD_DELETE, METHOD_CONNECT,
       METHOD_OPTIONS, METHOD_TRACE, METHOD_PATCH, METHOD_OTHER };

HTTP_IMPORT("[constructor]fields") handle_t fields_new(void);
/* ret: result<_, header-error>: u8 discriminant at 0, enum at 1. */
HTTP_IMPORT("[method]fields.append") void fields_append(handle_t self, const char *name, size_t name_len,
                                                       const uint8_t *value, size_t value_len, uint8_t *ret);
/* ret: list<field-value>: ptr at 0, count at 4; each value is (ptr, len). */
HTTP_IMPORT("[method]fields.get") void fields_get(handle_t self, const char *name, size_t name_len, uint32_t *ret);
HTTP_IMPORT("[resource-drop]fields") void fields_drop(handle_t self);

/* ret: method: u8 case at 0, other's string (ptr, len) at 4. */
HTTP_IMPORT("[method]incoming-request.method") void request_method(handle_t self, uint32_t *ret);
/* ret: option<string>: u8 at 0, (ptr, len) at 4. */
HTTP_IMPORT("[method]incoming-request.path-with-query") void request_path(handle_t self, uint32_t *ret);
HTTP_IMPORT("[method]incoming-request.headers") handle_t request_headers(handle_t self);
/* ret: result<incoming-body>: u8 at 0, handle at 4. */
HTTP_IMPORT("[method]incoming-request.consume") void request_consume(handle_t self, uint32_t *ret);
HTTP_IMPORT("[resource-drop]incoming-request") void request_drop(handle_t self);

/* ret: result<input-stream>: u8 at 0, handle at 4. */
HTTP_IMPORT("[method]incoming-body.stream") void incoming_body_stream(handle_t self, uint32_t *ret);
HTTP_IMPORT("[resource-drop]incoming-body") void incoming_body_drop(handle_t self);

HTTP_IMPORT("[constructor]outgoing-response") handle_t response_new(handle_t headers);
/* result<_, _>: 0 ok, 1 err (a status outside 100..599). */
HTTP_IMPORT("[method]outgoing-response.set-status-code") int32_t response_set_status(handle_t self, int32_t code);
/* ret: result<outgoing-body>: u8 at 0, handle at 4. */
HTTP_IMPORT("[method]outgoing-response.body") void response_body(handle_t self, uint32_t *ret);
/* ret: result<output-stream>: u8 at 0, handle at 4. */
HTTP_IMPORT("[method]outgoing-body.write") void outgoing_body_write(handle_t self, uint32_t *ret);
/* (body, option<trailers> as (is_some, handle), ret): ret is result<_,
 * error-code>, u8 at 0, the error (8-aligned) after it: 64 bytes hold it. */
HTTP_IMPORT("[static]outgoing-body.finish") void outgoing_body_finish(handle_t self, int32_t has_trailers,
                                                                     handle_t trailers, uint64_t *ret);
/* (outparam, result<outgoing-response, error-code> flattened: case, then
 * the joined payload slots (i32, i32, i64, i32, i32, i32, i32)). */
HTTP_IMPORT("[static]response-outparam.set") void outparam_set(handle_t param, int32_t is_err, int32_t a, int32_t b,
                                                              int64_t c, int32_t d, int32_t e, int32_t f, int32_t g);

/* ret: result<list<u8>, stream-error>: u8 at 0; ok: (ptr, len) at 4;
 * err: stream-error's u8 case at 4 (0 last-operation-failed, 1 closed). */
IO_IMPORT("[method]input-stream.blocking-read") void input_blocking_read(handle_t self, uint64_t len, uint32_t *ret);
IO_IMPORT("[resource-drop]input-stream") void input_drop(handle_t self);
/* ret: result<_, stream-error>: u8 at 0, stream-error's case at 4.  At
 * most 4096 bytes per call (the interface's contract). */
IO_IMPORT("[method]output-stream.blocking-write-and-flush") void output_write_flush(handle_t self, const uint8_t *buf,
                                                                                   size_t len, uint32_t *ret);
IO_IMPORT("[resource-drop]output-stream") void output_drop(handle_t self);

#endif
