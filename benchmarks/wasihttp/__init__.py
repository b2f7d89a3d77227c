"""wasi:http proxy components for the HTTP tests (tests/http/) and the load
bench (benchmarks/http_load.py): their sources (apps/), their builds
(apps.py) and a harness that runs a server, `wasmtime serve` or ours, and
talks to it (serve.py)."""
