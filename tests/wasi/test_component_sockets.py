"""wasi:sockets for compiled components: a hand-written component (core
WAT wrapped by `wasm-tools component embed` + `component new` against a
small WIT of the interfaces it uses) that opens a TCP listener on
127.0.0.1, connects to it, sends bytes through the connection and prints
them, resolves "localhost", and binds a UDP socket -- each step printing
ok or its error-code.  Run with and without network grants, compiled with
the grants baked in or given at run time, and compared with `wasmtime run`
given the same -S keys: stdout, stderr and exit status identical.  Without
a grant no socket can be created (access-denied) and name lookup fails, as
under wasmtime."""
from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import RunResult
from .differential import run_native
from .test_component_programs import wasm_tools, wasmtime_cli

NETWORK = """  interface network {{
    resource network;
    enum error-code {{
      unknown, access-denied, not-supported, invalid-argument, out-of-memory, timeout,
      concurrency-conflict, not-in-progress, would-block, invalid-state, new-socket-limit,
      address-not-bindable, address-in-use, remote-unreachable, connection-refused,
      connection-reset, connection-aborted, datagram-too-large, name-unresolvable,
      temporary-resolver-failure, permanent-resolver-failure,
    }}
    enum ip-address-family {{ ipv4, ipv6 }}
    type ipv4-address = tuple<u8, u8, u8, u8>;
    type ipv6-address = tuple<u16, u16, u16, u16, u16, u16, u16, u16>;
    variant ip-address {{ ipv4(ipv4-address), ipv6(ipv6-address) }}
    record ipv4-socket-address {{ port: u16, address: ipv4-address }}
    record ipv6-socket-address {{ port: u16, flow-info: u32, address: ipv6-address, scope-id: u32 }}
    variant ip-socket-address {{ ipv4(ipv4-socket-address), ipv6(ipv6-socket-address) }}
  }}
  interface instance-network {{ use network.{{network}}; instance-network: func() -> network; }}
"""

WIT = """package local:app;

package wasi:io@{v} {{
  interface error {{ resource error; }}
  interface poll {{ resource pollable {{ block: func(); }} }}
  interface streams {{
    use error.{{error}};
    resource input-stream {{
      blocking-read: func(len: u64) -> result<list<u8>, stream-error>;
    }}
    resource output-stream {{
      blocking-write-and-flush: func(contents: list<u8>) -> result<_, stream-error>;
    }}
    variant stream-error {{ last-operation-failed(error), closed }}
  }}
}}

package wasi:cli@{v} {{
  interface stdout {{ use wasi:io/streams@{v}.{{output-stream}}; get-stdout: func() -> output-stream; }}
  interface run {{ run: func() -> result; }}
}}

package wasi:sockets@{v} {{
""" + NETWORK + """  interface tcp {{
    use wasi:io/streams@{v}.{{input-stream, output-stream}};
    use wasi:io/poll@{v}.{{pollable}};
    use network.{{network, error-code, ip-socket-address, ip-address-family}};
    resource tcp-socket {{
      start-bind: func(network: borrow<network>, local-address: ip-socket-address) -> result<_, error-code>;
      finish-bind: func() -> result<_, error-code>;
      start-connect: func(network: borrow<network>, remote-address: ip-socket-address) -> result<_, error-code>;
      finish-connect: func() -> result<tuple<input-stream, output-stream>, error-code>;
      start-listen: func() -> result<_, error-code>;
      finish-listen: func() -> result<_, error-code>;
      accept: func() -> result<tuple<tcp-socket, input-stream, output-stream>, error-code>;
      local-address: func() -> result<ip-socket-address, error-code>;
      remote-address: func() -> result<ip-socket-address, error-code>;
      is-listening: func() -> bool;
      address-family: func() -> ip-address-family;
      set-listen-backlog-size: func(value: u64) -> result<_, error-code>;
      subscribe: func() -> pollable;
      shutdown: func(shutdown-type: shutdown-type) -> result<_, error-code>;
      keep-alive-enabled: func() -> result<bool, error-code>;
      set-keep-alive-enabled: func(value: bool) -> result<_, error-code>;
      keep-alive-idle-time: func() -> result<u64, error-code>;
      set-keep-alive-idle-time: func(value: u64) -> result<_, error-code>;
      keep-alive-count: func() -> result<u32, error-code>;
      set-keep-alive-count: func(value: u32) -> result<_, error-code>;
      hop-limit: func() -> result<u8, error-code>;
      set-hop-limit: func(value: u8) -> result<_, error-code>;
      receive-buffer-size: func() -> result<u64, error-code>;
      set-receive-buffer-size: func(value: u64) -> result<_, error-code>;
    }}
    enum shutdown-type {{ receive, send, both }}
  }}
  interface tcp-create-socket {{
    use network.{{error-code, ip-address-family}};
    use tcp.{{tcp-socket}};
    create-tcp-socket: func(address-family: ip-address-family) -> result<tcp-socket, error-code>;
  }}
  interface udp {{
    use wasi:io/poll@{v}.{{pollable}};
    use network.{{network, error-code, ip-socket-address}};
    record incoming-datagram {{ data: list<u8>, remote-address: ip-socket-address }}
    record outgoing-datagram {{ data: list<u8>, remote-address: option<ip-socket-address> }}
    resource udp-socket {{
      start-bind: func(network: borrow<network>, local-address: ip-socket-address) -> result<_, error-code>;
      finish-bind: func() -> result<_, error-code>;
      %stream: func(remote-address: option<ip-socket-address>)
        -> result<tuple<incoming-datagram-stream, outgoing-datagram-stream>, error-code>;
      local-address: func() -> result<ip-socket-address, error-code>;
    }}
    resource incoming-datagram-stream {{
      receive: func(max-results: u64) -> result<list<incoming-datagram>, error-code>;
      subscribe: func() -> pollable;
    }}
    resource outgoing-datagram-stream {{
      check-send: func() -> result<u64, error-code>;
      send: func(datagrams: list<outgoing-datagram>) -> result<u64, error-code>;
    }}
  }}
  interface udp-create-socket {{
    use network.{{error-code, ip-address-family}};
    use udp.{{udp-socket}};
    create-udp-socket: func(address-family: ip-address-family) -> result<udp-socket, error-code>;
  }}
  interface ip-name-lookup {{
    use wasi:io/poll@{v}.{{pollable}};
    use network.{{network, error-code, ip-address}};
    resolve-addresses: func(network: borrow<network>, name: string) -> result<resolve-address-stream, error-code>;
    resource resolve-address-stream {{
      resolve-next-address: func() -> result<option<ip-address>, error-code>;
      subscribe: func() -> pollable;
    }}
  }}
}}

world app {{
  import wasi:cli/stdout@{v};
  import wasi:sockets/instance-network@{v};
  import wasi:sockets/tcp-create-socket@{v};
  import wasi:sockets/udp-create-socket@{v};
  import wasi:sockets/ip-name-lookup@{v};
  export wasi:cli/run@{v};
}}
"""

I32 = "i32"


class Strings:
    """Text placed in the core module's data, named by (pointer, length)."""

    def __init__(self, base: int = 2048):
        self.next, self.data = base, []

    def __call__(self, text: str) -> str:
        raw = text.encode()
        ptr, self.next = self.next, self.next + len(raw)
        esc = "".join(f"\\{b:02x}" for b in raw)
        self.data.append(f'  (data (i32.const {ptr}) "{esc}")')
        return f"(i32.const {ptr}) (i32.const {len(raw)})"


def _ipv4_socket_address(port: str) -> str:
    """The 12 flat words of ip-socket-address::ipv4(127.0.0.1:port)."""
    return (f"(i32.const 0) {port} (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) "
            + "(i32.const 0) " * 6)


def _imports(v: str) -> str:
    sock, io = f"wasi:sockets/{{}}@{v}", f"wasi:io/{{}}@{v}"
    addr = " ".join([I32] * 15)       # self, network, 12 words of ip-socket-address, return area
    tcp = [("start-bind", "$tcp_bind", f"(param {addr})"),
           ("finish-bind", "$tcp_finish_bind", "(param i32 i32)"),
           ("start-connect", "$tcp_connect", f"(param {addr})"),
           ("finish-connect", "$tcp_finish_connect", "(param i32 i32)"),
           ("start-listen", "$tcp_listen", "(param i32 i32)"),
           ("finish-listen", "$tcp_finish_listen", "(param i32 i32)"),
           ("accept", "$tcp_accept", "(param i32 i32)"),
           ("local-address", "$tcp_local", "(param i32 i32)"),
           ("remote-address", "$tcp_remote", "(param i32 i32)"),
           ("is-listening", "$tcp_is_listening", "(param i32) (result i32)"),
           ("address-family", "$tcp_family", "(param i32) (result i32)"),
           ("set-listen-backlog-size", "$tcp_backlog", "(param i32 i64 i32)"),
           ("subscribe", "$tcp_subscribe", "(param i32) (result i32)"),
           ("shutdown", "$tcp_shutdown", "(param i32 i32 i32)"),
           ("keep-alive-enabled", "$ka", "(param i32 i32)"),
           ("set-keep-alive-enabled", "$set_ka", "(param i32 i32 i32)"),
           ("keep-alive-idle-time", "$idle", "(param i32 i32)"),
           ("set-keep-alive-idle-time", "$set_idle", "(param i32 i64 i32)"),
           ("keep-alive-count", "$count", "(param i32 i32)"),
           ("set-keep-alive-count", "$set_count", "(param i32 i32 i32)"),
           ("hop-limit", "$hops", "(param i32 i32)"),
           ("set-hop-limit", "$set_hops", "(param i32 i32 i32)"),
           ("receive-buffer-size", "$rcvbuf", "(param i32 i32)"),
           ("set-receive-buffer-size", "$set_rcvbuf", "(param i32 i64 i32)")]
    udp = [("udp-socket.start-bind", "$udp_bind", f"(param {addr})"),
           ("udp-socket.finish-bind", "$udp_finish_bind", "(param i32 i32)"),
           ("udp-socket.stream", "$udp_stream", f"(param {' '.join([I32] * 15)})"),
           ("udp-socket.local-address", "$udp_local", "(param i32 i32)"),
           ("incoming-datagram-stream.receive", "$receive", "(param i32 i64 i32)"),
           ("incoming-datagram-stream.subscribe", "$incoming_subscribe", "(param i32) (result i32)"),
           ("outgoing-datagram-stream.check-send", "$check_send", "(param i32 i32)"),
           ("outgoing-datagram-stream.send", "$send", "(param i32 i32 i32 i32)")]
    rows = [
        (f"wasi:cli/stdout@{v}", "get-stdout", "$stdout", "(result i32)"),
        (io.format("streams"), "[method]output-stream.blocking-write-and-flush", "$write",
         "(param i32 i32 i32 i32)"),
        (io.format("streams"), "[method]input-stream.blocking-read", "$read", "(param i32 i64 i32)"),
        (io.format("poll"), "[method]pollable.block", "$block", "(param i32)"),
        (io.format("poll"), "[resource-drop]pollable", "$drop_pollable", "(param i32)"),
        (sock.format("instance-network"), "instance-network", "$network", "(result i32)"),
        (sock.format("tcp-create-socket"), "create-tcp-socket", "$tcp_create", "(param i32 i32)"),
        *[(sock.format("tcp"), f"[method]tcp-socket.{n}", f, sig) for n, f, sig in tcp],
        (sock.format("udp-create-socket"), "create-udp-socket", "$udp_create", "(param i32 i32)"),
        *[(sock.format("udp"), f"[method]{n}", f, sig) for n, f, sig in udp],
        (sock.format("ip-name-lookup"), "resolve-addresses", "$resolve", "(param i32 i32 i32 i32)"),
        (sock.format("ip-name-lookup"), "[method]resolve-address-stream.resolve-next-address", "$next",
         "(param i32 i32)"),
        (sock.format("ip-name-lookup"), "[method]resolve-address-stream.subscribe", "$resolve_subscribe",
         "(param i32) (result i32)"),
    ]
    return "\n".join(f'  (import "{m}" "{n}" (func {f} {sig}))' for m, n, f, sig in rows)


def _step(s: Strings, name: str, off: int) -> str:
    """Print the result at R (1024) as `name: ok|err N` (error payload at
    R+off); leaves 1 (ok) or 0."""
    return f"(call $status {s(name)} (i32.const {off}))"


def _retry(call: str, off: int, pollable: str) -> str:
    """`call` (result at R) again after blocking on `pollable` while it
    returns err(would-block) (error payload at R+off)."""
    return f"""(block $done (loop $again
          {call}
          (br_if $done (i32.eqz (call $would_block (i32.const {off}))))
          (call $wait {pollable})
          (br $again)))"""


def _lookup(s: Strings, name: str, label: str = "resolve-addresses") -> str:
    """Resolve `name`, print each address."""
    step = functools.partial(_step, s)
    return f""";; ip-name-lookup of {name!r}
    (call $resolve (local.get $net) {s(name)} (i32.const 1024))
    (if {step(label, 4)} (then
      (local.set $rs (i32.load (i32.const 1028)))
      (block $end (loop $next
        (call $next (local.get $rs) (i32.const 1024))
        (if (call $would_block (i32.const 2)) (then
          (call $wait (call $resolve_subscribe (local.get $rs))) (br $next)))
        (br_if $end (i32.eqz {step("resolve-next-address", 2)}))
        (br_if $end (i32.eqz (i32.load8_u (i32.const 1026))))
        (call $address)
        (br $next)))))"""


def main_body(s: Strings) -> str:
    """TCP round trip, lookup of localhost, a UDP bind."""
    step = functools.partial(_step, s)
    return f"""
    ;; TCP: a listener on 127.0.0.1:0, a client connecting to its port
    (call $tcp_create (i32.const 0) (i32.const 1024))
    (if {step("create-tcp-socket", 4)} (then
      (local.set $l (i32.load (i32.const 1028)))
      (call $tcp_bind (local.get $l) (local.get $net) {_ipv4_socket_address("(i32.const 0)")} (i32.const 1024))
      (if {step("start-bind", 1)} (then
        (call $tcp_finish_bind (local.get $l) (i32.const 1024)) (drop {step("finish-bind", 1)})))
      (call $tcp_listen (local.get $l) (i32.const 1024))
      (if {step("start-listen", 1)} (then
        (call $tcp_finish_listen (local.get $l) (i32.const 1024)) (drop {step("finish-listen", 1)})))
      (call $tcp_local (local.get $l) (i32.const 1024))
      (if {step("local-address", 4)} (then (local.set $port (i32.load16_u (i32.const 1032)))))
      (call $tcp_create (i32.const 0) (i32.const 1024))
      (drop {step("create-tcp-socket", 4)})
      (local.set $c (i32.load (i32.const 1028)))
      (call $tcp_connect (local.get $c) (local.get $net) {_ipv4_socket_address("(local.get $port)")}
            (i32.const 1024))
      (if {step("start-connect", 1)} (then
        {_retry("(call $tcp_finish_connect (local.get $c) (i32.const 1024))", 4,
                "(call $tcp_subscribe (local.get $c))")}
        (if {step("finish-connect", 4)} (then
          (local.set $cout (i32.load (i32.const 1032)))
          {_retry("(call $tcp_accept (local.get $l) (i32.const 1024))", 4,
                  "(call $tcp_subscribe (local.get $l))")}
          (if {step("accept", 4)} (then
            (local.set $sin (i32.load (i32.const 1032)))
            (call $write (local.get $cout) {s("hello over tcp")} (i32.const 1024))
            (call $read (local.get $sin) (i64.const 100) (i32.const 1024))
            (if (i32.eqz (i32.load8_u (i32.const 1024))) (then
              (call $puts {s("received: ")})
              (call $puts (i32.load (i32.const 1028)) (i32.load (i32.const 1032)))
              (call $puts {s(chr(10))})))))))))))
    {_lookup(s, "localhost")}
    ;; UDP
    (call $udp_create (i32.const 0) (i32.const 1024))
    (if {step("create-udp-socket", 4)} (then
      (local.set $u (i32.load (i32.const 1028)))
      (call $udp_bind (local.get $u) (local.get $net) {_ipv4_socket_address("(i32.const 0)")} (i32.const 1024))
      (if {step("udp start-bind", 1)} (then
        (call $udp_finish_bind (local.get $u) (i32.const 1024)) (drop {step("udp finish-bind", 1)})))))"""


def edge_body(s: Strings) -> str:
    """Errors of the state machine, a refused connection, a wrong family,
    and a UDP datagram sent and received (needs -S inherit-network)."""
    step = functools.partial(_step, s)
    bind0 = _ipv4_socket_address("(i32.const 0)")
    return f"""
    (call $tcp_create (i32.const 0) (i32.const 1024))
    (drop {step("create-tcp-socket", 4)})
    (local.set $l (i32.load (i32.const 1028)))
    (call $tcp_finish_bind (local.get $l) (i32.const 1024)) (drop {step("finish-bind unstarted", 1)})
    (call $tcp_listen (local.get $l) (i32.const 1024)) (drop {step("start-listen unbound", 1)})
    (call $tcp_remote (local.get $l) (i32.const 1024)) (drop {step("remote-address unconnected", 4)})
    (call $tcp_local (local.get $l) (i32.const 1024)) (drop {step("local-address unbound", 4)})
    (call $tcp_backlog (local.get $l) (i64.const 0) (i32.const 1024)) (drop {step("backlog 0", 1)})
    (call $tcp_backlog (local.get $l) (i64.const 5) (i32.const 1024)) (drop {step("backlog 5", 1)})
    (call $puts {s("is-listening ")}) (call $putu (call $tcp_is_listening (local.get $l)))
    (call $puts {s(", family ")}) (call $putu (call $tcp_family (local.get $l))) (call $puts {s(chr(10))})
    (call $tcp_bind (local.get $l) (local.get $net) {bind0} (i32.const 1024)) (drop {step("start-bind", 1)})
    (call $tcp_bind (local.get $l) (local.get $net) {bind0} (i32.const 1024))
    (drop {step("start-bind in progress", 1)})
    (call $tcp_finish_bind (local.get $l) (i32.const 1024)) (drop {step("finish-bind", 1)})
    (call $tcp_bind (local.get $l) (local.get $net) {bind0} (i32.const 1024)) (drop {step("start-bind again", 1)})
    (call $tcp_local (local.get $l) (i32.const 1024)) (drop {step("local-address", 4)})
    (local.set $port (i32.load16_u (i32.const 1032)))
    ;; nothing listens on $port: the connection is refused
    (call $tcp_create (i32.const 0) (i32.const 1024)) (local.set $c (i32.load (i32.const 1028)))
    (call $tcp_connect (local.get $c) (local.get $net) {_ipv4_socket_address("(local.get $port)")}
          (i32.const 1024))
    (drop {step("start-connect", 1)})
    {_retry("(call $tcp_finish_connect (local.get $c) (i32.const 1024))", 4,
            "(call $tcp_subscribe (local.get $c))")}
    (drop {step("finish-connect", 4)})
    (call $tcp_finish_connect (local.get $c) (i32.const 1024)) (drop {step("finish-connect again", 4)})
    (call $tcp_local (local.get $c) (i32.const 1024)) (drop {step("local-address refused", 4)})
    (call $tcp_connect (local.get $c) (local.get $net) {_ipv4_socket_address("(local.get $port)")}
          (i32.const 1024))
    (drop {step("start-connect closed", 1)})
    ;; an IPv6 socket given an IPv4 address
    (call $tcp_create (i32.const 1) (i32.const 1024)) (drop {step("create-tcp-socket ipv6", 4)})
    (local.set $c (i32.load (i32.const 1028)))
    (call $puts {s("family ")}) (call $putu (call $tcp_family (local.get $c))) (call $puts {s(chr(10))})
    (call $tcp_bind (local.get $c) (local.get $net) {bind0} (i32.const 1024)) (drop {step("ipv6 start-bind", 1)})
    ;; UDP: $u receives what $v sends to it
    (call $udp_create (i32.const 0) (i32.const 1024)) (local.set $u (i32.load (i32.const 1028)))
    (call $udp_stream (local.get $u) (i32.const 0) {"(i32.const 0) " * 12}(i32.const 1024))
    (drop {step("udp stream unbound", 4)})
    (call $udp_bind (local.get $u) (local.get $net) {bind0} (i32.const 1024)) (drop {step("udp start-bind", 1)})
    (call $udp_finish_bind (local.get $u) (i32.const 1024)) (drop {step("udp finish-bind", 1)})
    (call $udp_local (local.get $u) (i32.const 1024)) (drop {step("udp local-address", 4)})
    (local.set $port (i32.load16_u (i32.const 1032)))
    (call $udp_stream (local.get $u) (i32.const 0) {"(i32.const 0) " * 12}(i32.const 1024))
    (drop {step("udp stream", 4)})
    (local.set $uin (i32.load (i32.const 1028)))
    (call $udp_create (i32.const 0) (i32.const 1024)) (local.set $v (i32.load (i32.const 1028)))
    (call $udp_bind (local.get $v) (local.get $net) {bind0} (i32.const 1024)) (drop {step("udp start-bind", 1)})
    (call $udp_finish_bind (local.get $v) (i32.const 1024)) (drop {step("udp finish-bind", 1)})
    (call $udp_stream (local.get $v) (i32.const 1) {_ipv4_socket_address("(local.get $port)")}
          (i32.const 1024))
    (drop {step("udp stream connected", 4)})
    (local.set $vout (i32.load (i32.const 1032)))
    (call $check_send (local.get $vout) (i32.const 1024)) (drop {step("check-send", 8)})
    (call $puts {s("permit ")}) (call $putu (i32.load (i32.const 1032))) (call $puts {s(chr(10))})
    ;; one outgoing-datagram at 1300: data (ptr, len), remote-address none
    (i32.store (i32.const 1300) (i32.load (i32.const 1400)))
    (i32.store (i32.const 1304) (i32.const 4))
    (i32.store8 (i32.const 1308) (i32.const 0))
    (call $send (local.get $vout) (i32.const 1300) (i32.const 1) (i32.const 1024)) (drop {step("send", 8)})
    (call $puts {s("sent ")}) (call $putu (i32.load (i32.const 1032))) (call $puts {s(chr(10))})
    (block $done (loop $again
      (call $receive (local.get $uin) (i64.const 10) (i32.const 1024))
      (br_if $done (i32.load8_u (i32.const 1024)))
      (br_if $done (i32.load (i32.const 1032)))
      (call $wait (call $incoming_subscribe (local.get $uin)))
      (br $again)))
    (if {step("receive", 4)} (then
      (local.set $d (i32.load (i32.const 1028)))
      (call $puts {s("datagrams ")}) (call $putu (i32.load (i32.const 1032)))
      (call $puts {s(": ")}) (call $puts (i32.load (local.get $d)) (i32.load offset=4 (local.get $d)))
      (call $puts {s(" from family ")}) (call $putu (i32.load8_u offset=8 (local.get $d)))
      (call $puts {s(chr(10))})))
    ;; TCP shutdown: the peer reads end-of-stream, the shut stream is closed
    (call $tcp_create (i32.const 0) (i32.const 1024)) (local.set $l (i32.load (i32.const 1028)))
    (call $tcp_bind (local.get $l) (local.get $net) {bind0} (i32.const 1024))
    (call $tcp_finish_bind (local.get $l) (i32.const 1024))
    (call $tcp_listen (local.get $l) (i32.const 1024))
    (call $tcp_finish_listen (local.get $l) (i32.const 1024))
    (call $tcp_local (local.get $l) (i32.const 1024))
    (local.set $port (i32.load16_u (i32.const 1032)))
    (call $tcp_create (i32.const 0) (i32.const 1024)) (local.set $c (i32.load (i32.const 1028)))
    (call $tcp_shutdown (local.get $c) (i32.const 2) (i32.const 1024)) (drop {step("shutdown unconnected", 1)})
    (call $tcp_connect (local.get $c) (local.get $net) {_ipv4_socket_address("(local.get $port)")}
          (i32.const 1024))
    {_retry("(call $tcp_finish_connect (local.get $c) (i32.const 1024))", 4,
            "(call $tcp_subscribe (local.get $c))")}
    (drop {step("finish-connect", 4)})
    (local.set $cout (i32.load (i32.const 1032)))
    {_retry("(call $tcp_accept (local.get $l) (i32.const 1024))", 4, "(call $tcp_subscribe (local.get $l))")}
    (drop {step("accept", 4)})
    (local.set $sin (i32.load (i32.const 1032)))
    (call $write (local.get $cout) {s("bye")} (i32.const 1024)) (drop {step("write", 4)})
    (call $tcp_shutdown (local.get $c) (i32.const 1) (i32.const 1024)) (drop {step("shutdown send", 1)})
    (call $write (local.get $cout) {s("more")} (i32.const 1024)) (drop {step("write after shutdown", 4)})
    (call $read (local.get $sin) (i64.const 100) (i32.const 1024)) (drop {step("read", 4)})
    (call $puts (i32.load (i32.const 1028)) (i32.load (i32.const 1032))) (call $puts {s(chr(10))})
    (call $read (local.get $sin) (i64.const 100) (i32.const 1024)) (drop {step("read at end", 4)})
    {_options(s)}
    {_lookup(s, "a b", "lookup 'a b'")}
    {_lookup(s, "", "lookup ''")}
    {_lookup(s, "127.0.0.1", "lookup 127.0.0.1")}
    {_lookup(s, "::1", "lookup ::1")}
    {_lookup(s, "[::ffff:10.0.0.1]", "lookup [::ffff:10.0.0.1]")}
    {_lookup(s, "LocalHost", "lookup LocalHost")}"""


def _options(s: Strings) -> str:
    """Socket options set, then read back (or refused), on a fresh socket."""
    step = functools.partial(_step, s)

    def show(label: str, load: str) -> str:
        return f"(call $puts {s(label + ' ')}) (call $putu {load}) (call $puts {s(chr(10))})"
    c = "(local.get $c)"
    return f""";; socket options of a new TCP socket
    (call $tcp_create (i32.const 0) (i32.const 1024)) (local.set $c (i32.load (i32.const 1028)))
    (call $set_ka {c} (i32.const 1) (i32.const 1024)) (drop {step("set-keep-alive-enabled", 1)})
    (call $ka {c} (i32.const 1024)) (drop {step("keep-alive-enabled", 1)})
    {show("enabled", "(i32.load8_u (i32.const 1025))")}
    (call $set_idle {c} (i64.const 0) (i32.const 1024)) (drop {step("set-keep-alive-idle-time 0", 1)})
    (call $set_idle {c} (i64.const 7500000000) (i32.const 1024)) (drop {step("set-keep-alive-idle-time", 1)})
    (call $idle {c} (i32.const 1024)) (drop {step("keep-alive-idle-time", 8)})
    {show("idle seconds", "(i32.wrap_i64 (i64.div_u (i64.load (i32.const 1032)) (i64.const 1000000000)))")}
    (call $set_count {c} (i32.const 1000) (i32.const 1024)) (drop {step("set-keep-alive-count", 1)})
    (call $count {c} (i32.const 1024)) (drop {step("keep-alive-count", 4)})
    {show("count", "(i32.load (i32.const 1028))")}
    (call $set_hops {c} (i32.const 0) (i32.const 1024)) (drop {step("set-hop-limit 0", 1)})
    (call $set_hops {c} (i32.const 42) (i32.const 1024)) (drop {step("set-hop-limit", 1)})
    (call $hops {c} (i32.const 1024)) (drop {step("hop-limit", 1)})
    {show("hops", "(i32.load8_u (i32.const 1025))")}
    (call $set_rcvbuf {c} (i64.const 0) (i32.const 1024)) (drop {step("set-receive-buffer-size 0", 1)})
    (call $set_rcvbuf {c} (i64.const 65536) (i32.const 1024)) (drop {step("set-receive-buffer-size", 1)})
    (call $rcvbuf {c} (i32.const 1024)) (drop {step("receive-buffer-size", 8)})
    {show("rcvbuf", "(i32.wrap_i64 (i64.load (i32.const 1032)))")}"""


def core_wat(v: str, body=main_body) -> str:
    """run(): each step prints `<step>: ok` or `<step>: err <error-code
    index>`; R (1024) is every call's return area."""
    s = Strings()
    ping = s("ping")
    code = body(s)
    address = f"""
  ;; the ip-address at R+4 (option payload at R+2): "ipv4 a.b.c.d" / "ipv6 s:s:...:s" (decimal)
  (func $address (local $i i32)
    (if (i32.eqz (i32.load8_u (i32.const 1028)))
      (then (call $puts {s("  ipv4 ")})
        (loop $b
          (if (local.get $i) (then (call $puts {s(".")})))
          (call $putu (i32.load8_u offset=1030 (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $b (i32.lt_u (local.get $i) (i32.const 4)))))
      (else (call $puts {s("  ipv6 ")})
        (loop $b
          (if (local.get $i) (then (call $puts {s(":")})))
          (call $putu (i32.load16_u offset=1030 (i32.shl (local.get $i) (i32.const 1))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $b (i32.lt_u (local.get $i) (i32.const 8))))))
    (call $puts {s(chr(10))}))
  (func $status (param $p i32) (param $n i32) (param $off i32) (result i32)
    (call $puts (local.get $p) (local.get $n))
    (if (result i32) (i32.eqz (i32.load8_u (i32.const 1024)))
      (then (call $puts {s(": ok" + chr(10))}) (i32.const 1))
      (else (call $puts {s(": err ")})
            (call $putu (i32.load8_u (i32.add (i32.const 1024) (local.get $off))))
            (call $puts {s(chr(10))}) (i32.const 0))))"""
    return f"""(module
{_imports(v)}
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 8192))
  (global $out (mut i32) (i32.const 0))
{chr(10).join(s.data)}
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $p) (select (local.get 3) (i32.const 1) (local.get 3))))
    (local.get $p))
  (func $puts (param i32 i32) (call $write (global.get $out) (local.get 0) (local.get 1) (i32.const 1100)))
  (func $putu (param $v i32) (local $p i32)
    (local.set $p (i32.const 1200))
    (loop $d
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $d (local.get $v)))
    (call $puts (local.get $p) (i32.sub (i32.const 1200) (local.get $p))))
  ;; R holds err(would-block), error payload at R+off
  (func $would_block (param $off i32) (result i32)
    (i32.and (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 1))
             (i32.eq (i32.load8_u (i32.add (i32.const 1024) (local.get $off))) (i32.const 8))))
  (func $wait (param $p i32) (call $block (local.get $p)) (call $drop_pollable (local.get $p)))
{address}
  (func (export "wasi:cli/run@{v}#run") (result i32)
    (local $net i32) (local $l i32) (local $c i32) (local $port i32) (local $cout i32) (local $sin i32)
    (local $rs i32) (local $u i32) (local $v i32) (local $uin i32) (local $vout i32) (local $d i32)
    (global.set $out (call $stdout))
    (local.set $net (call $network))
    (i32.store (i32.const 1400) {ping.split(" (")[0]})   ;; where "ping" is
    {code}
    (i32.const 0)))
"""


def build_component(d: Path, version: str, body=main_body) -> Path:
    (d / "app.wit").write_text(WIT.format(v=version))
    (d / "core.wat").write_text(core_wat(version, body))
    for args in (["component", "embed", str(d / "app.wit"), str(d / "core.wat"), "-w", "app",
                  "-o", str(d / "emb.wasm")],
                 ["component", "new", str(d / "emb.wasm"), "-o", str(d / "app.wasm")]):
        r = subprocess.run([wasm_tools(), *args], capture_output=True, text=True, check=False)
        assert r.returncode == 0, r.stderr
    return d / "app.wasm"


def compile_component(comp: Path, exe: Path, flags=()) -> None:
    r = subprocess.run(["nice", "-n", "19", sys.executable, "-m", "wasmaot", "compile", *flags, str(comp),
                        "-o", str(exe)], capture_output=True, text=True, check=False, timeout=900)
    assert r.returncode == 0, r.stderr


def run_wasmtime(comp: Path, flags=()) -> RunResult:
    proc = subprocess.run([wasmtime_cli(), "run", *flags, str(comp)], capture_output=True,
                          check=False, timeout=300)
    return RunResult(proc.returncode, proc.stdout, proc.stderr)


def run_with_options(exe: Path, options: str) -> RunResult:
    env = dict(os.environ, WASMAOT_WASI_OPTIONS=options)
    proc = subprocess.run([str(exe)], capture_output=True, check=False, timeout=300, env=env)
    return RunResult(proc.returncode, proc.stdout, proc.stderr)


GRANTED = ("-S", "inherit-network", "-S", "allow-ip-name-lookup")
ACCESS_DENIED, PERMANENT_RESOLVER_FAILURE = 1, 20


@pytest.fixture(scope="module")
def component(tmp_path_factory) -> Path:
    return build_component(tmp_path_factory.mktemp("sockets"), "0.2.3")


@pytest.fixture(scope="module")
def plain_exe(component, tmp_path_factory) -> Path:
    """Compiled without any grant."""
    exe = tmp_path_factory.mktemp("plain") / "app"
    compile_component(component, exe)
    return exe


def _same(got: RunResult, ref: RunResult) -> None:
    assert (got.status, got.stdout.decode(), got.stderr) == (ref.status, ref.stdout.decode(), ref.stderr)


def test_sockets_refused_without_a_grant(component, plain_exe):
    """No grant: every socket creation is access-denied and name lookup
    fails (permanent-resolver-failure), as under `wasmtime run`."""
    ref, got = run_wasmtime(component), run_native(plain_exe, [])
    _same(got, ref)
    assert got.stdout.decode() == (f"create-tcp-socket: err {ACCESS_DENIED}\n"
                                   f"resolve-addresses: err {PERMANENT_RESOLVER_FAILURE}\n"
                                   f"create-udp-socket: err {ACCESS_DENIED}\n")


def test_baked_grant_tcp_round_trip_and_lookup(component, tmp_path):
    """-S inherit-network -S allow-ip-name-lookup baked in: bytes go through
    a loopback TCP connection, localhost resolves, UDP binds."""
    exe = tmp_path / "app"
    compile_component(component, exe, GRANTED)
    ref, got = run_wasmtime(component, GRANTED), run_native(exe, [])
    _same(got, ref)
    out = got.stdout.decode()
    assert "accept: ok\nreceived: hello over tcp\n" in out
    assert "resolve-addresses: ok\n" in out and "  ipv4 127.0.0.1\n" in out
    assert "udp finish-bind: ok\n" in out


def test_run_time_grant(component, plain_exe):
    """The same grants through WASMAOT_WASI_OPTIONS, in wasmtime's -S
    spelling (a list)."""
    got = run_with_options(plain_exe, "-S inherit-network,allow-ip-name-lookup=y")
    _same(got, run_wasmtime(component, GRANTED))
    assert "received: hello over tcp\n" in got.stdout.decode()


@pytest.mark.parametrize("flags", [("-S", "inherit-network", "-S", "tcp=n"),
                                   ("-S", "udp=n", "-S", "inherit-network"),
                                   ("-S", "tcp"),
                                   ("-S", "allow-ip-name-lookup")])
def test_narrower_grants(component, plain_exe, flags):
    """tcp=n / udp=n refuse that kind of socket even with inherit-network
    (in either order); `-S tcp` alone creates sockets that may use no
    address; a lookup grant alone resolves names and opens nothing."""
    got = run_with_options(plain_exe, " ".join(flags))
    _same(got, run_wasmtime(component, flags))
    out = got.stdout.decode()
    if "tcp=n" in flags or "allow-ip-name-lookup" in flags:
        assert f"create-tcp-socket: err {ACCESS_DENIED}\n" in out
    if "udp=n" in flags:
        assert f"create-udp-socket: err {ACCESS_DENIED}\n" in out
    if flags == ("-S", "tcp"):
        assert f"create-tcp-socket: ok\nstart-bind: err {ACCESS_DENIED}\n" in out


@pytest.mark.parametrize("version", ["0.2.0", "0.2.12"])
def test_every_0_2_version_links(tmp_path, version):
    comp = build_component(tmp_path, version)
    exe = tmp_path / "app"
    compile_component(comp, exe)
    _same(run_native(exe, []), run_wasmtime(comp))


@pytest.mark.parametrize("spec", ["tcp=maybe", "tcp,nope"])
def test_bad_run_time_value_is_one_line(plain_exe, spec):
    got = run_with_options(plain_exe, f"-S {spec}")
    assert got.status == 1 and got.stdout == b""
    assert got.stderr.decode().strip() == f"wasmaot: bad -S value: {spec}"


def test_driver_passes_only_what_was_asked():
    from wasmaot import wasmtime_compat as wc
    settings = wc.Settings()
    for spec in ("inherit-network", "udp=n", "allow-ip-name-lookup=n"):
        wc.apply("S", spec, settings)
    assert wc.network_grants(settings) == ["-S", "inherit-network=y", "-S", "udp=n"]
    assert wc.network_grants(wc.Settings()) == []


def test_state_machine_errors_and_udp_round_trip(tmp_path):
    """Errors of each state (not-in-progress, invalid-state,
    concurrency-conflict, invalid-argument), a refused connection, an IPv6
    socket given an IPv4 address, a datagram through two UDP sockets,
    shutdown, socket options (clamped and rounded as wasmtime does), and
    names that are literals or invalid: what wasmtime gives, in its order."""
    comp = build_component(tmp_path, "0.2.3", edge_body)
    exe = tmp_path / "app"
    compile_component(comp, exe)
    flags = ("-S", "inherit-network", "-S", "allow-ip-name-lookup")
    got = run_with_options(exe, " ".join(flags))
    _same(got, run_wasmtime(comp, flags))
    out = got.stdout.decode()
    assert "finish-connect: err 14\n" in out                  # connection-refused
    assert "datagrams 1: ping from family 0\n" in out
    assert "write after shutdown: err 1\n" in out and "read at end: err 1\n" in out   # closed
    assert all(f"{v}\n" in out for v in ("idle seconds 8", "count 127", "hops 42", "rcvbuf 65536"))


def test_wasmaot_run_takes_wasmtimes_command_line(component, tmp_path):
    """`wasmaot run -S inherit-network,allow-ip-name-lookup app.wasm`, as
    wasmtime is given it."""
    flags = ("-S", "inherit-network,allow-ip-name-lookup")
    env = dict(os.environ, WASMAOT_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run(["nice", "-n", "19", sys.executable, "-m", "wasmaot", "run", *flags, str(component)],
                          capture_output=True, check=False, timeout=900, env=env)
    _same(RunResult(proc.returncode, proc.stdout, proc.stderr), run_wasmtime(component, flags))
    assert b"received: hello over tcp\n" in proc.stdout
