"""wasi:http proxy components served by our compiled server and by
`wasmtime serve`: the same requests, sent with Python's http.client and
with curl, get the same status, body and component header fields from
both (``serve.PER_SERVER_HEADERS`` lists the fields left out, and why).

The C proxy (hand-written bindings, seconds to build and compile) runs in
the fast tier; the JavaScript (componentize-js) and Python
(componentize-py) proxies are slow (``WASMAOT_SLOW=1``)."""
from __future__ import annotations

import pytest
from wasmaot.bench.wasihttp import serve
from wasmaot.bench.wasihttp.serve import Req

from .conftest import slow

BODY = bytes(range(256)) * 40 + b"tail"   # 10 KiB, every byte value
#: name -> request; every proxy serves these routes (benchmarks/wasihttp/apps/).
CASES = {
    "get-hello": Req("GET", "/"),
    "get-query": Req("GET", "/?a=1&b=two"),
    "post-echo-length": Req("POST", "/echo", body=BODY),
    "post-echo-chunked": Req("POST", "/echo", body=BODY, chunked=True),
    "post-echo-empty": Req("POST", "/echo", body=b""),
    "headers": Req("GET", "/headers", (("X-Echo", "one"), ("x-other", "2"))),
    "stream": Req("GET", "/stream"),
    "not-found": Req("GET", "/no/such/path"),
    "not-found-method": Req("DELETE", "/"),
    "trap": Req("GET", "/trap"),
}
#: What the C proxy answers under wasmtime (the reference itself is checked).
C_EXPECTED = {
    "get-hello": (200, b"hello from C\n"),
    "post-echo-length": (200, BODY),
    "post-echo-chunked": (200, BODY),
    "headers": (200, b"x-echo values: 1\n"),
    "stream": (200, b"".join(b"chunk %d\n" % i for i in range(5))),
    "not-found": (404, b"not found\n"),
    "trap": (500, None),
}
CLIENTS = {"http.client": serve.with_client, "curl": serve.with_curl}


def _trapped(reply: serve.Reply) -> bool:
    """wasmtime's own 500 page after a trap (it names wasmtime): a
    server's page, so only the status is compared.  (The JavaScript
    proxy's exception is answered by StarlingMonkey, inside the component:
    compared whole.)"""
    return reply.status == 500 and b"wasmtime" in reply.body


def _compare(start, lang: str) -> dict[str, serve.Reply]:
    ref = start("wasmtime", lang)
    got = start("native", lang)
    refs = {}
    for name, req in CASES.items():
        for client, send in CLIENTS.items():
            want, have = send(ref, req), send(got, req)
            if _trapped(want):
                assert have.status == 500, (name, client, have)
            else:
                assert have.comparable() == want.comparable(), (name, client)
            refs[name] = want
    assert got.alive(), got.stderr()[-2000:]
    return refs


def test_c_proxy_under_wasmtime(start):
    """The reference: the C proxy under `wasmtime serve` answers as its
    source says, alike through both clients (checks the harness too)."""
    server = start("wasmtime", "c")
    for name, (status, body) in C_EXPECTED.items():
        replies = [send(server, CASES[name]) for send in CLIENTS.values()]
        assert replies[0].comparable() == replies[1].comparable(), name
        assert replies[0].status == status, (name, replies[0])
        if body is not None:
            assert replies[0].body == body, name
    stream = serve.with_client(server, CASES["stream"])
    assert stream.header("transfer-encoding") == "chunked" and stream.header("content-length") is None


def test_c_proxy_matches_wasmtime(start):
    _compare(start, "c")


@pytest.mark.parametrize("te", ["TE: trailers\r\n", ""], ids=["te-trailers", "no-te"])
def test_c_trailers_match_wasmtime(start, te):
    """Response trailers (outgoing-body.finish with trailers): sent as
    wasmtime (hyper) sends them, which is only to a client that said
    ``TE: trailers``; the chunk sizes' spelling is not compared."""
    raw = (f"GET /trailers HTTP/1.1\r\nHost: x\r\n{te}Connection: close\r\n\r\n").encode()
    want = serve.dechunk(serve.raw_request(start("wasmtime"), raw))
    got = serve.dechunk(serve.raw_request(start("native"), raw))
    assert got == want
    assert want == (b"with trailers\n", [("x-checksum", "42")] if te else [])


@slow
@pytest.mark.parametrize("lang", ["js", "py"])
def test_proxy_matches_wasmtime(start, lang):
    """The JavaScript and Python proxies: as wasmtime, and their hello
    route says which language answered."""
    refs = _compare(start, lang)
    hello = {"js": b"hello from JS\n", "py": b"hello from Python\n"}[lang]
    assert refs["get-hello"].body == hello
    assert refs["post-echo-chunked"].body == BODY
