"""wasi:http/proxy components as native HTTP servers (wasi-shim/http/).

Two levels:
- the request-head parser (http_parse.h) on its own, built as a shared
  library and called through ctypes: accepted heads and each error status;
- a hand-written proxy component (tests/wasi/http/proxy.wat against
  proxy.wit, wrapped by `wasm-tools component embed` + `component new`)
  compiled with `wasmaot compile`, started on port 0 and queried with
  Python's http.client and raw sockets: keep-alive, bodies both ways
  (content-length and chunked), a streamed response, headers, a guest trap
  (500, and the server keeps serving), a guest that never answers (504),
  the limits and timeouts, outgoing requests denied and granted, the
  command line, and SIGTERM.
"""
from __future__ import annotations

import ctypes
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_component_programs import wasm_tools

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "http"

# ------------------------------------------------------------------ parser


class Header(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("name_len", ctypes.c_size_t),
                ("value", ctypes.c_void_p), ("value_len", ctypes.c_size_t)]


class Limits(ctypes.Structure):
    _fields_ = [("max_head", ctypes.c_size_t), ("max_target", ctypes.c_size_t),
                ("max_body", ctypes.c_uint64)]


class Head(ctypes.Structure):
    _fields_ = [("headers", ctypes.POINTER(Header)), ("max_headers", ctypes.c_size_t),
                ("num_headers", ctypes.c_size_t),
                ("method", ctypes.c_void_p), ("method_len", ctypes.c_size_t),
                ("target", ctypes.c_void_p), ("target_len", ctypes.c_size_t),
                ("version_minor", ctypes.c_int), ("content_length", ctypes.c_int64),
                ("chunked", ctypes.c_int), ("keep_alive", ctypes.c_int),
                ("expect_continue", ctypes.c_int)]


@pytest.fixture(scope="module")
def parser(tmp_path_factory):
    """http_parse.c as a host shared library (zig cc)."""
    out = tmp_path_factory.mktemp("parse") / "libhttp_parse.so"
    r = subprocess.run([sys.executable, "-m", "ziglang", "cc", "-shared", "-fPIC", "-O1",
                        str(REPO / "wasi-shim" / "http" / "http_parse.c"), "-o", str(out)],
                       check=False, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        pytest.skip(f"cannot build the parser library: {r.stderr.strip()[:200]}")
    lib = ctypes.CDLL(str(out))
    lib.http_parse_request_head.restype = ctypes.c_long
    lib.http_parse_request_head.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(Limits),
                                            ctypes.POINTER(Head)]
    lib.http_parse_chunk_size.restype = ctypes.c_long
    lib.http_parse_chunk_size.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint64)]
    return lib


def parse(lib, data: bytes, max_head=8192, max_target=1024, max_body=1 << 20, max_headers=8):
    hs = (Header * max_headers)()
    head = Head(hs, max_headers)
    r = lib.http_parse_request_head(data, len(data), ctypes.byref(Limits(max_head, max_target, max_body)),
                                    ctypes.byref(head))
    return r, head


def text(head: Head, field: str) -> bytes:
    return ctypes.string_at(getattr(head, field), getattr(head, field + "_len"))


def test_parser_accepts_a_request_head(parser):
    data = b"POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nX-A:  v v \r\n\r\nhello"
    r, head = parse(parser, data)
    assert r == len(data) - 5
    assert (text(head, "method"), text(head, "target")) == (b"POST", b"/a?b=1")
    assert (head.version_minor, head.content_length, head.chunked, head.keep_alive) == (1, 5, 0, 1)
    h = head.headers[2]
    assert ctypes.string_at(h.value, h.value_len) == b"v v"     # OWS trimmed, inner space kept


@pytest.mark.parametrize("data, want", [
    (b"GET / HTTP/1.1\r\nHost: x\r\n", 0),                            # need more
    (b"GET / HTTP/1.0\n\n", 16),                                      # bare LF line ends
    (b"\r\nGET / HTTP/1.1\r\n\r\n", 20),                              # leading empty line
    (b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 46),
    (b"GARBAGE\r\n\r\n", -400),
    (b"GET  / HTTP/1.1\r\n\r\n", -400),
    (b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", -400),
    (b"GET / HTTP/1.1\r\nA : x\r\n\r\n", -400),                       # space before the colon
    (b"GET / HTTP/1.1\r\n folded\r\n\r\n", -400),                     # obs-fold
    (b"GET / HTTP/1.1\rX\r\n\r\n", -400),                             # bare CR
    (b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", -400),
    (b"GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", -400),
    (b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", -400),
    (b"GET / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", -413),
    (b"GET /" + b"a" * 2000 + b" HTTP/1.1\r\n\r\n", -414),
    (b"GET / HTTP/1.1\r\n" + b"A: b\r\n" * 9 + b"\r\n", -431),       # more fields than storage
    (b"GET / HTTP/1.1\r\nX: " + b"v" * 9000, -431),                   # head above max_head
    (b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", -501),
    (b"GET / HTTP/2.0\r\n\r\n", -505),
    (b"GET / http/1.1\r\n\r\n", -400),                                # the version is case-sensitive
])
def test_parser_results(parser, data, want):
    assert parse(parser, data)[0] == want


def test_parser_connection_semantics(parser):
    assert parse(parser, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")[1].keep_alive == 0
    assert parse(parser, b"GET / HTTP/1.0\r\n\r\n")[1].keep_alive == 0
    assert parse(parser, b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")[1].keep_alive == 1
    assert parse(parser, b"PUT / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n")[1].expect_continue == 1


@pytest.mark.parametrize("data, want, size", [
    (b"1a;ext=1\r\nxx", 10, 26), (b"0\r\n", 3, 0), (b"ff\n", 3, 255),
    (b"1a", 0, None), (b"z\r\n", -400, None), (b"1\rx", -400, None),
    (b"f" * 16 + b"\r\n", -400, None),               # above 2^60
])
def test_chunk_size(parser, data, want, size):
    out = ctypes.c_uint64(12345)
    assert parser.http_parse_chunk_size(data, len(data), ctypes.byref(out)) == want
    if size is not None:
        assert out.value == size


# ------------------------------------------------------------------ server

@pytest.fixture(scope="module")
def server_exe(tmp_path_factory):
    d = tmp_path_factory.mktemp("proxy")
    for args in (["component", "embed", str(HERE / "proxy.wit"), str(HERE / "proxy.wat"), "-w", "proxy",
                  "-o", str(d / "emb.wasm")],
                 ["component", "new", str(d / "emb.wasm"), "-o", str(d / "proxy.wasm")]):
        r = subprocess.run([wasm_tools(), *args], check=False, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
    exe = d / "server"
    r = subprocess.run(["nice", "-n", "19", sys.executable, "-m", "wasmaot", "compile", str(d / "proxy.wasm"),
                        "-o", str(exe)], check=False, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    return exe


class Server:
    def __init__(self, exe: Path, *flags: str):
        self.proc = subprocess.Popen([str(exe), "--addr", "127.0.0.1:0", *flags], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        line = self.proc.stderr.readline().decode()
        m = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)\n", line)
        assert m, line
        self.port = int(m.group(1))

    def conn(self, timeout=10) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def get(self, path, **kw):
        c = self.conn()
        c.request(kw.pop("method", "GET"), path, **kw)
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()

    def raw(self, data: bytes, timeout=10) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            out = b""
            while chunk := s.recv(65536):
                out += chunk
            return out

    def stop(self) -> tuple[int, bytes]:
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        return self.proc.returncode, err


@pytest.fixture
def serve(server_exe):
    servers = []

    def start(*flags):
        servers.append(Server(server_exe, *flags))
        return servers[-1]
    yield start
    for s in servers:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


def test_keep_alive_and_bodies(serve):
    s = serve()
    c = s.conn()
    for i in range(3):                                  # one connection, three requests
        c.request("GET", f"/k{i}")
        r = c.getresponse()
        assert (r.status, r.getheader("x-test"), r.read()) == (200, "yes", f"hello from wasmaot /k{i}".encode())
    c.request("POST", "/p", body=b"x" * 300000)         # content-length, several pipe fills
    r = c.getresponse()
    assert r.getheader("transfer-encoding") == "chunked" and r.read() == b"hello from wasmaot /p" + b"x" * 300000
    c.request("POST", "/c", body=iter([b"ab", b"cd" * 5000]), encode_chunked=True)   # chunked request
    r = c.getresponse()
    assert r.read() == b"hello from wasmaot /c" + b"ab" + b"cd" * 5000


def test_streamed_response_and_headers(serve):
    s = serve()
    status, headers, body = s.get("/stream")
    assert (status, body, headers.get("transfer-encoding")) == (200, b"chunk\n" * 3, "chunked")
    status, headers, body = s.get("/e", headers={"x-echo": "abc"})
    assert headers.get("x-echo") == "abc"


def dechunk(data: bytes) -> bytes:
    """A complete chunked body (no trailers) without its framing."""
    out = b""
    while True:
        size, data = data.split(b"\r\n", 1)
        if int(size, 16) == 0:
            assert data == b"\r\n"
            return out
        out, data = out + data[:int(size, 16)], data[int(size, 16) + 2:]


def test_request_trailers_and_pipelining(serve):
    s = serve()
    out = s.raw(b"POST /t1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"
                b"GET /t2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    first, second = out.split(b"HTTP/1.1 200 OK")[1:]
    assert dechunk(first.split(b"\r\n\r\n", 1)[1]) == b"hello from wasmaot /t1abc"
    assert dechunk(second.split(b"\r\n\r\n", 1)[1]) == b"hello from wasmaot /t2"


def test_trap_is_500_and_the_server_keeps_serving(serve):
    s = serve()
    status = s.get("/trap")[0]
    assert status == 500
    assert s.get("/after")[0] == 200
    code, err = s.stop()
    assert code == 0 and b"wasm trap: unreachable" in err


def test_handler_timeout(serve):
    s = serve("--handler-timeout-ms", "300")
    t = time.monotonic()
    assert s.get("/hang")[0] == 504
    assert time.monotonic() - t < 5
    assert s.get("/x")[0] == 200


@pytest.mark.parametrize("flags, data, status", [
    ((), b"GARBAGE\r\n\r\n", 400),
    (("--max-header-bytes", "256"), b"GET / HTTP/1.1\r\nX: " + b"v" * 400 + b"\r\n\r\n", 431),
    ((), b"GET / HTTP/1.1\r\n" + b"A: b\r\n" * 150 + b"\r\n", 431),
    (("--max-body-bytes", "10"), b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n01234567890", 413),
    (("--max-body-bytes", "10"), b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n01234567890\r\n0\r\n\r\n",
     413),
    ((), b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n", 414),
    ((), b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    ((), b"GET / HTTP/3.0\r\n\r\n", 505),
])
def test_bad_requests(serve, flags, data, status):
    s = serve(*flags)
    assert s.raw(data).startswith(f"HTTP/1.1 {status} ".encode())
    assert s.get("/ok")[0] == 200


def test_slow_client_timeout(serve):
    s = serve("--read-timeout-ms", "300")
    t = time.monotonic()
    assert s.raw(b"GET / HTTP/1.1\r\nHost: x").startswith(b"HTTP/1.1 408 ")      # stalled in the head
    assert time.monotonic() - t < 5
    t = time.monotonic()
    out = s.raw(b"POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\n123")           # stalled mid-body
    assert time.monotonic() - t < 5
    assert out.startswith(b"HTTP/1.1 200 ") and not out.endswith(b"0\r\n\r\n")     # head sent, body cut


def test_outgoing_requests_are_denied_unless_granted(serve):
    s = serve()
    assert s.get("/fetch") == (403, {"transfer-encoding": "chunked"}, b"denied 15")   # HTTP-request-denied
    code, err = s.stop()
    assert code == 0 and b"outgoing HTTP request to 127.0.0.1:" in err and b"denied" in err
    s = serve("--allow-outgoing", "127.0.0.1")
    assert s.get("/fetch")[2] == b"hello from wasmaot /hello"


def test_command_line(server_exe):
    r = subprocess.run([str(server_exe), "--nope"], check=False, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "--nope" in r.stderr
    r = subprocess.run([str(server_exe), "--max-body-bytes", "x"], check=False, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    r = subprocess.run([str(server_exe), "--help"], check=False, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "--allow-outgoing" in r.stdout


def test_sigterm_finishes_in_flight_requests(serve):
    s = serve("--handler-timeout-ms", "2000")
    c = s.conn()
    c.request("POST", "/lazy", body=b"x", headers={"content-length": "3"})   # body incomplete: in flight
    time.sleep(0.3)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    c.sock.sendall(b"yz")                                # the rest arrives after the signal
    r = c.getresponse()
    assert (r.status, r.read()) == (200, b"hello from wasmaot /lazyxyz")
    assert s.proc.wait(timeout=20) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", s.port), timeout=2).close()


def test_sigpipe_does_not_kill_the_server(serve):
    s = serve()
    for _ in range(5):                                   # the client leaves before the response
        with socket.create_connection(("127.0.0.1", s.port)) as k:
            k.sendall(b"POST /p HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000)
            k.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    time.sleep(0.3)
    assert s.proc.poll() is None and s.get("/still")[0] == 200


if os.environ.get("WASMAOT_HTTP_BENCH"):
    def test_per_request_overhead(serve):
        """Sequential keep-alive requests (WASMAOT_HTTP_BENCH=1): the fork per
        request's cost, printed."""
        s = serve()
        c = s.conn()
        ts = []
        for i in range(int(os.environ["WASMAOT_HTTP_BENCH"]) or 500):
            t = time.perf_counter()
            c.request("GET", "/")
            c.getresponse().read()
            ts.append(time.perf_counter() - t)
        ts.sort()
        print(f"\nper request: p50 {ts[len(ts) // 2] * 1e6:.0f} us, p99 {ts[int(len(ts) * .99)] * 1e6:.0f} us")
        assert ts[len(ts) // 2] < 0.05
