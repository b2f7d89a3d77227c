"""The pieces of the wasi:http tests and bench that need no server: the
WIT rewrite for StarlingMonkey's wasi:http version, and the reading of
wrk's report."""
from __future__ import annotations

import pytest
from wasmaot.bench import http_load
from wasmaot.bench.wasihttp import apps

WRK = """Running 10s test @ http://127.0.0.1:8080/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.01ms    5.12ms  98.20ms   93.10%
    Req/Sec     2.41k   310.55     3.10k    71.50%
  Latency Distribution
     50%  850.00us
     75%    2.10ms
     90%    7.73ms
     99%   1.02s
  48004 requests in 10.00s, 5.26MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 7
Requests/sec:   4799.85
Transfer/sec:    538.12KB
"""


def test_parse_wrk():
    assert http_load.parse_wrk(WRK) == {"rps": 4799.85, "p50_ms": 0.85, "p99_ms": 1020.0, "requests": 48004,
                                        "socket_errors": 5, "non_2xx": 7}


def test_parse_wrk_refuses_a_truncated_report():
    with pytest.raises(http_load.BenchError, match="unreadable wrk output"):
        http_load.parse_wrk(WRK.split("  Latency Distribution")[0])


def test_strip_unstable_keeps_or_drops_whole_items():
    text = ("interface a {\n    @unstable(feature = f)\n    use b.{c};\n    x: func();\n"
            "    @unstable(feature = g)\n    record r {\n        y: u8,\n    }\n}\n"
            "@unstable(feature = g)\ninterface z {\n    q: func();\n}\n")
    assert apps._strip_unstable(text, ("f",)) == "interface a {\n    use b.{c};\n    x: func();\n}\n"


def test_js_wit_is_rewritten_to_starlingmonkeys_version(tmp_path):
    world = tmp_path / "world.wit"
    world.write_text("package t:t;\nworld w { include wasi:http/proxy@0.2.10; }\n")
    try:
        wit = apps.wasi_wit(tmp_path / "out", world, apps.JS_HTTP_VERSION)
    except apps.BuildError as e:
        pytest.fail(str(e))
    texts = {p.parent.name: p.read_text() for p in (wit / "deps").glob("*/package.wit")}
    assert set(texts) == set(apps.WASI_PACKAGES)
    assert all("0.2.12" not in t and "@unstable" not in t for t in texts.values())
    assert "package wasi:http@0.2.10;" in texts["http"]
    # StarlingMonkey's wasi:sockets/network uses wasi:io's error (stable in its copy)
    assert "use wasi:io/error@0.2.10.{error};" in texts["sockets"]
    assert "interface timezone" not in texts["clocks"]
