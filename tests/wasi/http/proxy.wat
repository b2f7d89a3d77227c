;; A hand-written wasi:http/proxy core module (canonical ABI by hand):
;;   GET/POST /anything -> 200, header x-test: yes (and x-echo: the request's
;;   x-echo header, if any), body "hello from wasmaot " + path + request body;
;;   /trap -> traps before responding; /hang -> never returns;
;;   /stream -> 3 writes of "chunk\n", no content-length (chunked).
(module
  (import "wasi:http/types@0.2.0" "[constructor]fields" (func $fields_new (result i32)))
  (import "wasi:http/types@0.2.0" "[method]fields.append" (func $append (param i32 i32 i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]fields.get" (func $get (param i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[constructor]outgoing-response" (func $resp_new (param i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-response.set-status-code" (func $set_status (param i32 i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-response.body" (func $resp_body (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-body.write" (func $body_write (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[static]outgoing-body.finish" (func $body_finish (param i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[static]response-outparam.set" (func $set (param i32 i32 i32 i32 i64 i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]incoming-request.path-with-query" (func $path (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]incoming-request.headers" (func $req_headers (param i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]incoming-request.consume" (func $consume (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]incoming-body.stream" (func $in_stream (param i32 i32)))
  (import "wasi:io/streams@0.2.0" "[method]input-stream.blocking-read" (func $read (param i32 i64 i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush" (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]output-stream" (func $drop_out (param i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]input-stream" (func $drop_in (param i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  ;; bump allocator: new blocks only (the host never frees through it);
  ;; the memory grows as needed
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.sub (i32.add (global.get $heap) (local.get 2)) (i32.const 1))
                           (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (if (i32.gt_u (global.get $heap) (i32.shl (memory.size) (i32.const 16)))
      (then (drop (memory.grow (i32.add (i32.shr_u (i32.sub (global.get $heap)
                                                           (i32.shl (memory.size) (i32.const 16)))
                                                  (i32.const 16))
                                        (i32.const 1))))))
    (local.get $p))
  (data (i32.const 16) "hello from wasmaot ")
  (data (i32.const 48) "x-test")
  (data (i32.const 64) "yes")
  (data (i32.const 80) "x-echo")
  (data (i32.const 96) "chunk\n")
  (func $path_char (param $p i32) (param $n i32) (param $c i32) (result i32)
    ;; path is 5 or 7 bytes and its second byte is c
    (i32.and (i32.or (i32.eq (local.get $n) (i32.const 5)) (i32.eq (local.get $n) (i32.const 7)))
             (i32.eq (i32.load8_u offset=1 (local.get $p)) (local.get $c))))
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param $req i32) (param $out i32)
    (local $pp i32) (local $pn i32) (local $f i32) (local $resp i32) (local $body i32)
    (local $os i32) (local $is i32) (local $ib i32) (local $rh i32)
    (call $path (local.get $req) (i32.const 1024))
    (local.set $pp (i32.load (i32.const 1028)))
    (local.set $pn (i32.load (i32.const 1032)))
    (if (call $path_char (local.get $pp) (local.get $pn) (i32.const 116)) (then unreachable))      ;; /trap
    (if (call $path_char (local.get $pp) (local.get $pn) (i32.const 104)) (then (loop $l (br $l)))) ;; /hang
    (local.set $f (call $fields_new))
    (call $append (local.get $f) (i32.const 48) (i32.const 6) (i32.const 64) (i32.const 3) (i32.const 1040))
    ;; x-echo: the first value of the request's x-echo header
    (local.set $rh (call $req_headers (local.get $req)))
    (call $get (local.get $rh) (i32.const 80) (i32.const 6) (i32.const 1024))
    (if (i32.load (i32.const 1028))
      (then
        (local.set $ib (i32.load (i32.const 1024)))      ;; list<list<u8>>: element 0
        (call $append (local.get $f) (i32.const 80) (i32.const 6)
              (i32.load (local.get $ib)) (i32.load offset=4 (local.get $ib)) (i32.const 1040))))
    (local.set $resp (call $resp_new (local.get $f)))
    (drop (call $set_status (local.get $resp) (i32.const 200)))
    (call $resp_body (local.get $resp) (i32.const 1024))
    (local.set $body (i32.load (i32.const 1028)))
    (call $body_write (local.get $body) (i32.const 1024))
    (local.set $os (i32.load (i32.const 1028)))
    (call $set (local.get $out) (i32.const 0) (local.get $resp) (i32.const 0) (i64.const 0)
               (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (if (call $path_char (local.get $pp) (local.get $pn) (i32.const 115))              ;; /stream
      (then
        (call $write (local.get $os) (i32.const 96) (i32.const 6) (i32.const 1040))
        (call $write (local.get $os) (i32.const 96) (i32.const 6) (i32.const 1040))
        (call $write (local.get $os) (i32.const 96) (i32.const 6) (i32.const 1040)))
      (else
        (call $write (local.get $os) (i32.const 16) (i32.const 19) (i32.const 1040))
        (call $write (local.get $os) (local.get $pp) (local.get $pn) (i32.const 1040))))
    ;; echo the request body
    (call $consume (local.get $req) (i32.const 1024))
    (local.set $ib (i32.load (i32.const 1028)))
    (call $in_stream (local.get $ib) (i32.const 1024))
    (local.set $is (i32.load (i32.const 1028)))
    (block $done
      (loop $more
        (call $read (local.get $is) (i64.const 65536) (i32.const 1024))
        (br_if $done (i32.load8_u (i32.const 1024)))
        (call $write (local.get $os) (i32.load (i32.const 1028)) (i32.load (i32.const 1032)) (i32.const 1040))
        (br $more)))
    (call $drop_in (local.get $is))
    (call $drop_out (local.get $os))
    (call $body_finish (local.get $body) (i32.const 0) (i32.const 0) (i32.const 1024)))
)
