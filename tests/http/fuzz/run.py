"""Build and run the HTTP parser fuzzer (http_fuzz.c against
wasi-shim/http/http_parse.c): zig cc, UBSan in trap mode, the parser
instrumented for edge coverage.  The build is cached by its sources.

    python -m tests.http.fuzz.run --seconds 600        # the long run
    python -m tests.http.fuzz.run --seconds 5 --rounds 1

A run is ``rounds`` driver processes of ``seconds / rounds`` each, with
seeds 1, 2, ...: a crash or a hang ends its round (the input is kept in
the crash folder) and the next round goes on, so the counts cover the
whole run.  Prints one JSON line of totals."""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from wasmaot.cache import cache_dir

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
PARSER = REPO / "wasi-shim" / "http"
ZIG_CC = [sys.executable, "-m", "ziglang", "cc"]
FLAGS = ["-O1", "-g", "-fsanitize=undefined", "-fsanitize-trap=undefined", "-fno-sanitize-recover=all"]

#: The seed corpus: valid request heads (every feature the parser knows)
#: and broken ones (each a different rule), plus chunk-size lines.
SEEDS = [
    b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
    b"GET /a/b?c=d&e HTTP/1.0\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
    b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 10\r\nConnection: close\r\n\r\n",
    b"\r\n\r\nGET / HTTP/1.1\nHost: x\n\n",
    b"OPTIONS * HTTP/1.1\r\nX-Empty:\r\nX-Spaces:   v  \t\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
    b"GET / HTTP/2.0\r\n\r\n",
    b"GET  /  HTTP/1.1\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 3\r\n\r\n",
    b"GET /\x00 HTTP/1.1\r\n\r\n",
    b"5\r\n", b"a;name=value\r\n", b"0\r\n\r\n", b"ffffffff\n", b"1 ; x\r\n",
]


def build(parser: Path = PARSER) -> Path:
    """The driver linked with ``parser``/http_parse.c (another folder: a
    candidate fix, fuzzed before it is committed)."""
    sources = [HERE / "http_fuzz.c", parser / "http_parse.c", parser / "http_parse.h"]
    h = hashlib.sha256(" ".join(FLAGS).encode())
    for p in sources:
        h.update(p.read_bytes())
    out = cache_dir() / "http-fuzz" / h.hexdigest()[:20] / "http_fuzz"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    obj = out.parent / f"http_parse.{os.getpid()}.o"     # one per process: pytest-xdist workers
    tmp = f"{out}.{os.getpid()}.tmp"
    for cmd in ([*ZIG_CC, *FLAGS, "-fsanitize-coverage=trace-pc-guard", f"-I{parser}", "-c",
                 str(parser / "http_parse.c"), "-o", str(obj)],
                [*ZIG_CC, *FLAGS, f"-I{parser}", str(HERE / "http_fuzz.c"), str(obj), "-o", tmp]):
        r = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if r.returncode != 0:
            raise RuntimeError(f"building the HTTP fuzzer failed:\n{r.stderr}")
    Path(tmp).replace(out)
    obj.unlink(missing_ok=True)
    return out


def write_seeds(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, s in enumerate(SEEDS):
        (folder / f"seed-{i:02d}").write_bytes(s)
    return folder


def run(seconds: float, rounds: int, crashes: Path, parser: Path = PARSER) -> dict:
    """Totals over ``rounds`` rounds: inputs, crashes, hangs, the largest
    corpus and coverage reached, and the saved inputs' names."""
    exe = build(parser)
    crashes.mkdir(parents=True, exist_ok=True)
    totals = {"inputs": 0, "crashes": 0, "hangs": 0, "rounds": rounds, "seconds": seconds,
              "corpus": 0, "edges": 0, "edges_seen": 0, "saved": []}
    with tempfile.TemporaryDirectory() as td:
        seeds = write_seeds(Path(td) / "seeds")
        for seed in range(1, rounds + 1):
            cmd = [str(exe), str(seeds), str(seconds / rounds), str(seed), str(crashes)]
            r = subprocess.run(["nice", "-n", "19", *cmd], capture_output=True, text=True,
                               timeout=seconds / rounds + 60, check=False)
            if r.returncode == 0:
                stats = json.loads(r.stdout.strip().splitlines()[-1])
                totals["inputs"] += stats["inputs"]
                for k in ("corpus", "edges", "edges_seen"):
                    totals[k] = max(totals[k], stats[k])
            elif r.returncode == 2:
                totals["crashes"] += 1
            elif r.returncode == 3:
                totals["hangs"] += 1
            else:
                raise RuntimeError(f"http_fuzz ended with {r.returncode}:\n{r.stderr[-2000:]}")
    totals["saved"] = sorted(p.name for p in crashes.iterdir())
    return totals


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--crashes", type=Path, default=Path("http-fuzz-crashes"))
    ap.add_argument("--parser", type=Path, default=PARSER, help="folder of http_parse.c/.h")
    args = ap.parse_args()
    totals = run(args.seconds, args.rounds, args.crashes, args.parser.resolve())
    print(json.dumps(totals))
    return 1 if totals["crashes"] or totals["hangs"] else 0


if __name__ == "__main__":
    sys.exit(main())
