"""wasmtime (Cranelift) runner for `wasmaot bench`: one long-lived process.

Started by the harness as ``python wasmtime_worker.py``; it imports the
PyPI ``wasmtime`` package once and then serves one request per line on
stdin (JSON: ``{"wasm": path, "args": [...]}``) with one JSON line on
stdout::

    {"exit": 0, "compile_s": ..., "instantiate_s": ..., "run_s": ...,
     "total_s": ..., "stderr": "...", "error": null}

Every request compiles the module afresh (``wasmtime.Module``: Cranelift,
no code cache), instantiates it with WASI preview1 and calls ``_start``.
``total_s`` runs from reading the file to the return of ``_start``: what an
embedder waits for.  The first line written is ``{"ready": version}``, or
``{"fatal": reason}`` if wasmtime cannot be imported.

Running in a separate process keeps a hang or a crash of the engine from
taking the harness down (the harness kills it on a timeout).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time


def _reply(obj) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main() -> int:
    try:
        import wasmtime
        from wasmtime import Engine, ExitTrap, Linker, Module, Store, WasiConfig
    except Exception as e:  # noqa: BLE001 - any import failure means "missing"
        _reply({"fatal": f"cannot import wasmtime: {type(e).__name__}: {e}"})
        return 1
    try:
        from importlib.metadata import version
        ver = version("wasmtime")
    except Exception:  # noqa: BLE001
        ver = getattr(wasmtime, "__version__", "unknown")
    engine = Engine()
    tmp = tempfile.mkdtemp(prefix="wasmaot-bench-wt-")
    out_path, err_path = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
    _reply({"ready": ver})
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        store = inst = module = start = None
        res = {"exit": None, "compile_s": None, "instantiate_s": None, "run_s": None,
               "total_s": None, "stderr": "", "error": None}
        try:
            t0 = time.perf_counter()
            with open(req["wasm"], "rb") as f:
                data = f.read()
            module = Module(engine, data)
            t1 = time.perf_counter()
            linker = Linker(engine)
            linker.define_wasi()
            store = Store(engine)
            wasi = WasiConfig()
            wasi.argv = [os.path.basename(req["wasm"])] + list(req.get("args", []))
            wasi.stdout_file = out_path
            wasi.stderr_file = err_path
            store.set_wasi(wasi)
            inst = linker.instantiate(store, module)
            start = inst.exports(store)["_start"]
            t2 = time.perf_counter()
            code = 0
            try:
                start(store)
            except ExitTrap as e:
                code = e.code
            t3 = time.perf_counter()
            res.update(exit=code, compile_s=t1 - t0, instantiate_s=t2 - t1, run_s=t3 - t2,
                       total_s=t3 - t0)
        except Exception as e:  # noqa: BLE001 - a trap or a link error is a failed run
            msg = str(e).strip().splitlines()
            res["error"] = f"{type(e).__name__}: {msg[0] if msg else ''}"
        try:
            with open(err_path, encoding="utf-8", errors="replace") as f:
                res["stderr"] = f.read()[-20000:]
        except OSError:
            pass
        _reply(res)
        store = inst = module = start = None  # free the instance before the next run
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(1)
