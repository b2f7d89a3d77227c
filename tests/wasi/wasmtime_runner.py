"""Run one WASI program under the `wasmtime` Python package, behaving like
the `wasmtime run` CLI as far as the differential tests can observe:
stdout/stderr go straight to this process's stdout/stderr (files, not
pipes, are handed to wasmtime so nothing is buffered in Python), and the
exit status is proc_exit's code, 134 (128 + SIGABRT) for a trap, or 1 for
any other error (wasmtime's `Error:` exit path).

usage: wasmtime_runner.py SPEC_JSON STDIN_FILE
SPEC_JSON: {"wasm", "argv", "dirs": [[host, guest]], "ro_dirs": [[host, guest]],
            "env": [[k, v]]}
"""
import json
import os
import sys

import wasmtime


def main() -> int:
    spec = json.loads(sys.argv[1])
    cfg = wasmtime.WasiConfig()
    cfg.argv = spec["argv"]
    if spec["env"]:
        cfg.env = [tuple(e) for e in spec["env"]]
    for host, guest in spec["dirs"]:
        cfg.preopen_dir(host, guest, True)
    for host, guest in spec["ro_dirs"]:
        cfg.preopen_dir(host, guest, False)
    cfg.stdin_file = sys.argv[2]
    # wasmtime's C API takes file paths for stdout/stderr: /proc/self/fd/N
    # reopens this process's own descriptors (pipes from the test).
    cfg.stdout_file = f"/proc/{os.getpid()}/fd/1"
    cfg.stderr_file = f"/proc/{os.getpid()}/fd/2"
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    store.set_wasi(cfg)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    module = wasmtime.Module.from_file(engine, spec["wasm"])
    try:
        inst = linker.instantiate(store, module)
        inst.exports(store)["_start"](store)
    except wasmtime.ExitTrap as e:
        return e.code
    except wasmtime.Trap as e:
        sys.stderr.write(f"Error: {e}\n")
        return 134
    except wasmtime.WasmtimeError as e:
        sys.stderr.write(f"Error: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    os._exit(main())
