"""SIMD benchmark: wasmaot's code for Wasm SIMD vs the same C built natively.

What: ``kernels.c`` holds SIMD-heavy kernels (FIR filter on f32, u8 alpha
blend, i16 SAD + dot product), each an export ``int bench_<name>(int
iters)`` returning a checksum.  This script builds

* ``kernels.wasm``: ``python -m ziglang cc -target wasm32-wasi -O2
  -msimd128`` (clang's loop vectorizer emits v128 code), then
  ``wasmaot compile kernels.wasm -o kernels`` (a native executable; a
  kernel runs as ``./kernels --invoke bench_fir 2000``, which prints the
  i32 result -- no WASI needed);
* ``native``: the same ``kernels.c`` plus ``native_main.c`` for the host,
  ``-O2`` with auto-vectorization and ``-mcpu`` equal to wasmaot's target
  CPU (x86-64-v2 by default), so both sides may use the same instructions;

checks that the Wasm build really contains v128 instructions, runs each
kernel alternately on both sides (``--repeat`` times, wall clock of the
whole process; iteration counts make a run last about a second, so process
start-up is noise), checks both print the same checksum, and prints the
median times and the ratio wasm/native (1.00 = native speed, lower is
better).

Usage: ``python benchmarks/simd/run.py [--repeat 5] [--scale 1.0]
[--bounds guard|explicit] [--keep DIR] [--json FILE]``.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: kernel export -> iterations at --scale 1 (about 1 s natively on a 2020s x86 core)
KERNELS = {"bench_fir": 12000, "bench_blend": 24000, "bench_sad": 18000}

# zig spells CPU names with underscores; wasmaot/LLVM with dashes.
NATIVE_CPU = {"x86-64-v2": "x86_64_v2", "x86-64-v3": "x86_64_v3"}


def sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def build(out: Path, bounds: str, cpu: str) -> tuple[Path, Path]:
    zig = [sys.executable, "-m", "ziglang", "cc"]
    wasm = out / "kernels.wasm"
    sh(zig + ["-target", "wasm32-wasi", "-O2", "-msimd128", "-nostdlib",
              "-Wl,--no-entry", "-o", str(wasm), str(HERE / "kernels.c")])
    prog = out / "kernels"
    sh(["wasmaot", "compile", str(wasm), "-o", str(prog), "--bounds", bounds, "--cpu", cpu])
    native = out / "native"
    sh(zig + ["-O2", f"-mcpu={NATIVE_CPU.get(cpu, cpu)}", "-o", str(native),
              str(HERE / "native_main.c")])
    return prog, native


def count_simd_ops(wasm: Path) -> int:
    """Number of 0xFD-prefixed (SIMD) instructions in the module's code."""
    from wasmaot.frontend.code import iter_instrs, read_locals
    from wasmaot.frontend.load import load_module
    m = load_module(wasm.read_bytes())
    n = 0
    for f in m.funcs:
        _, pos = read_locals(m.data, f.body_start, f.body_end)
        n += sum(1 for op, _, _ in iter_instrs(m.data, pos, f.body_end) if op.prefix == 0xFD)
    return n


def run_once(cmd: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    r = sh(cmd)
    return time.perf_counter() - t0, r.stdout.strip()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply iteration counts")
    ap.add_argument("--bounds", choices=("guard", "explicit"), default="guard")
    ap.add_argument("--cpu", default="x86-64-v2")
    ap.add_argument("--keep", type=Path, help="build in this folder and keep it")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)

    tmp = None
    if args.keep:
        out = args.keep
        out.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="wasmaot-simd-bench-")
        out = Path(tmp)
    try:
        prog, native = build(out, args.bounds, args.cpu)
        nsimd = count_simd_ops(out / "kernels.wasm")
        print(f"kernels.wasm: {nsimd} SIMD instructions; bounds={args.bounds}, cpu={args.cpu}")
        if nsimd == 0:
            print("error: the Wasm build has no v128 code (vectorizer did nothing)")
            return 1
        rows = []
        print(f"{'kernel':<12} {'iters':>6} {'native s':>9} {'wasmaot s':>10} {'ratio':>6}  checksum")
        for k, iters in KERNELS.items():
            iters = max(1, int(iters * args.scale))
            tn, tw = [], []
            for _ in range(args.repeat):      # interleaved: drift hits both sides
                t, cn = run_once([str(native), k, str(iters)])
                tn.append(t)
                t, cw = run_once([str(prog), "--invoke", k, str(iters)])
                tw.append(t)
                if cn != cw:
                    print(f"error: {k}: checksum native {cn} != wasmaot {cw}")
                    return 1
            mn, mw = statistics.median(tn), statistics.median(tw)
            rows.append({"kernel": k, "iters": iters, "native_s": mn, "wasmaot_s": mw,
                         "ratio": mw / mn, "checksum": cn})
            print(f"{k:<12} {iters:>6} {mn:>9.3f} {mw:>10.3f} {mw / mn:>6.2f}  {cn}")
        geo = statistics.geometric_mean(r["ratio"] for r in rows)
        print(f"geomean ratio wasmaot/native: {geo:.2f}")
        if args.json:
            args.json.write_text(json.dumps({"bounds": args.bounds, "cpu": args.cpu,
                                             "simd_instructions": nsimd, "kernels": rows,
                                             "geomean_ratio": geo}, indent=2) + "\n")
        return 0
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
