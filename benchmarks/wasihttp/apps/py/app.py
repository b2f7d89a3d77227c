"""The Python wasi:http proxy (componentize-py, world wasi:http/proxy): the
routes of the C proxy (../c/proxy.c), written with the synchronous
(blocking) stream calls; an uncaught exception in `handle` traps."""
from componentize_py_types import Err, Ok
from wit_world import exports
from wit_world.imports import streams
from wit_world.imports.types import (
    Fields,
    IncomingRequest,
    Method_Get,
    Method_Post,
    OutgoingBody,
    OutgoingResponse,
    ResponseOutparam,
)

TEXT = b"text/plain; charset=utf-8"
WRITE_MAX = 4096  # blocking-write-and-flush's limit per call


def _read_body(request: IncomingRequest) -> bytes:
    body = request.consume()
    stream = body.stream()
    parts = []
    while True:
        try:
            parts.append(stream.blocking_read(65536))
        except Err as e:
            if isinstance(e.value, streams.StreamError_Closed):
                break
            raise
    stream.__exit__(None, None, None)
    body.__exit__(None, None, None)
    return b"".join(parts)


def _respond(out: ResponseOutparam, status: int, headers: list[tuple[str, bytes]], chunks: list[bytes]) -> None:
    response = OutgoingResponse(Fields.from_list(headers))
    response.set_status_code(status)
    body = response.body()
    ResponseOutparam.set(out, Ok(response))
    stream = body.write()
    for chunk in chunks:
        for i in range(0, len(chunk), WRITE_MAX):
            stream.blocking_write_and_flush(chunk[i:i + WRITE_MAX])
    stream.__exit__(None, None, None)  # the stream is a child of the body: dropped first
    OutgoingBody.finish(body, None)


def _text(out: ResponseOutparam, status: int, text: bytes, extra: list[tuple[str, bytes]]) -> None:
    headers = extra + [("content-type", TEXT), ("content-length", str(len(text)).encode())]
    _respond(out, status, headers, [text])


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        method = request.method()
        path = (request.path_with_query() or "/").split("?", 1)[0]
        if isinstance(method, Method_Get) and path == "/":
            _text(response_out, 200, b"hello from Python\n", [("x-hello", b"py")])
        elif isinstance(method, Method_Post) and path == "/echo":
            data = _read_body(request)
            _respond(response_out, 200, [("content-type", b"application/octet-stream"),
                                         ("content-length", str(len(data)).encode())], [data])
        elif path == "/headers":
            values = b", ".join(request.headers().get("x-echo"))
            _text(response_out, 200, b"x-echo: " + values + b"\n", [("x-echo", values)])
        elif path == "/stream":
            _respond(response_out, 200, [("content-type", TEXT)], [b"chunk %d\n" % i for i in range(5)])
        elif path == "/trap":
            raise RuntimeError("trap requested")
        else:
            _text(response_out, 404, b"not found\n", [])
