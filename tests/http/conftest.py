"""Fixtures of the wasi:http tests: the proxy components of
benchmarks/wasihttp/apps/ (built into the cache by wasmaot.bench.wasihttp.apps),
their native server executables (``wasmaot compile``, once per session),
and servers started from either, stopped at the end of each test.

``WASMAOT_SLOW=1`` runs the JavaScript and Python components too (minutes
of building and compiling each, README "Slow suites").
``WASMAOT_HTTP_REUSE_SERVERS=1`` takes the newest server compiled from each
component even if the compiler changed since (``http_load --reuse-servers``):
the large components take 10-40 minutes to compile on a busy machine."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from wasmaot.bench import http_load
from wasmaot.bench.wasihttp import apps, serve

slow = pytest.mark.skipif(os.environ.get("WASMAOT_SLOW") != "1",
                          reason="slow wasi:http components (minutes of building and compiling): "
                                 "set WASMAOT_SLOW=1 (README, slow suites)")


REUSE = os.environ.get("WASMAOT_HTTP_REUSE_SERVERS") == "1"


@pytest.fixture(scope="session")
def component():
    """lang -> the proxy component (built on first use)."""
    def get(lang: str) -> Path:
        try:
            return apps.build(lang)
        except apps.BuildError as e:
            pytest.fail(str(e))
    return get


@pytest.fixture(scope="session")
def native_server(component):
    """lang -> our server executable compiled from the component (cached
    by the component and the compiler's sources, as the load bench)."""
    made: dict[str, Path] = {}

    def get(lang: str) -> Path:
        if lang not in made:
            comp = component(lang)
            t0 = time.monotonic()
            try:
                made[lang] = http_load.native_server(comp, lang, REUSE)
            except http_load.BenchError as e:
                raise AssertionError(f"the {lang} proxy: {e}") from None
            sys.stderr.write(f"\n{lang} proxy: {comp.stat().st_size} B component, {made[lang].stat().st_size} B "
                             f"server ({time.monotonic() - t0:.0f} s to compile or find)\n")
        return made[lang]
    return get


@pytest.fixture
def start(component, native_server):
    """start(kind, lang, *flags) -> a running Server; ``kind`` is "wasmtime"
    (`wasmtime serve` of the component) or "native" (our executable, given
    ``flags``).  Every server still running at the end is stopped."""
    running: list[serve.Server] = []

    def run(kind: str, lang: str = "c", *flags: str) -> serve.Server:
        if kind == "wasmtime":
            cmd = serve.wasmtime_serve_cmd(component(lang))
        else:
            cmd = serve.native_cmd(native_server(lang), flags)
        server = serve.Server.start(cmd)
        running.append(server)
        return server
    yield run
    for server in running:
        server.kill()
        server.log.unlink(missing_ok=True)
