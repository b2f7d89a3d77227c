"""memory64 (Wasm 3.0): 64-bit memories, executed natively through
``wasmaot spectest`` on x86-64 in both bounds modes: the memory64 proposal's
scripts, the wasm-3.0 folder's memory64 scripts (and its bulk-memory scripts,
which mix 32- and 64-bit memories), and wasmtime's ``memory64/`` files.

What runs and what does not:

* ``proposals/memory64``: ``memory.wast``, ``memory64.wast`` and
  ``table.wast`` pass; ``array.wast`` needs GC -- the one explicit list,
  ``NOT_RUN``.
* tables with i64 indices (table64): the wasm-3.0 folder's table scripts
  (``TABLE64``, guard mode only: table accesses do not depend on the
  bounds mode).  The translator narrows i64 indices to the IR's i32
  (ir/translate/tables.py).
* wasmtime's ``memory64/``: the differences are listed in
  ``spec-tests/wasmtime_misc.py`` (wording, allocation failures, memories
  above 4 GiB).

Guard mode checks every memory64 access explicitly (backends/llvm/traps.py);
the runtime caps memories at 4 GiB (WASMAOT_MAX_PAGES) for memory64 too.
CI runs x86-64 only; the same script list passed with 0 failures on
aarch64-linux and riscv64-linux (qemu-user) in both bounds modes when
memory64 landed (``wasmaot spectest --target T --bounds B FILES``)."""
import os
import re
import subprocess
import sys

import pytest

from .proposal_run import MISC, run_spectest

NOT_RUN = {"array.wast": "needs GC"}
TABLE64 = ["table.wast", "table_get.wast", "table_set.wast", "table_size.wast", "table_grow.wast",
           "table_fill.wast", "table_copy.wast", "table_copy_mixed.wast", "table_init.wast",
           "call_indirect.wast"]
WASM3 = ["address64.wast", "align64.wast", "endianness64.wast", "float_memory64.wast",
         "load64.wast", "memory64.wast", "memory_grow64.wast", "memory_redundancy64.wast",
         "memory_trap64.wast", "memory_copy.wast", "memory_fill.wast", "memory_init.wast"]


def _assertions(files) -> int:
    return sum(len(re.findall(r"^\(assert_(?:return|trap)\b", f.read_text(), re.MULTILINE))
               for f in files)


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_memory64_scripts(suite, bounds, tmp_path):
    prop = sorted((suite / "proposals" / "memory64").glob("*.wast"))
    assert {f.name for f in prop} >= set(NOT_RUN), prop
    files = [f for f in prop if f.name not in NOT_RUN]
    files += [suite / "proposals" / "wasm-3.0" / n
              for n in WASM3 + (TABLE64 if bounds == "guard" else [])]
    passed, skipped = run_spectest(["--target", "x86_64-linux", "--bounds", bounds,
                            *map(str, files)], tmp_path, timeout=1200)
    assert skipped == 0
    assert passed >= _assertions(files) > 9000, passed


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_wasmtime_memory64_files(bounds, tmp_path):
    folder = MISC / "memory64"
    if not folder.is_dir():
        pytest.skip(f"wasmtime's regression tests not found at {MISC}")
    passed, skipped = run_spectest(["--harness", "wasmtime", "--bounds", bounds, str(folder)], tmp_path, timeout=1200)
    assert skipped == 1                     # threads.wast: threads are not implemented
    assert passed > 30, passed


def test_a_64_bit_access_traps_in_guard_mode(tmp_path):
    """An i64 address far beyond the guard reservation traps (it would
    reach another mapping if guard mode relied on the fault)."""
    wat = tmp_path / "m.wat"
    wat.write_text('(module (memory i64 1) (func (export "f") (param i64) (result i32)'
                   ' (i32.load offset=8 (local.get 0))))')
    for addr, ok in (("65524", True), ("65525", False), (str(1 << 40), False),
                     (str((1 << 64) - 8), False)):
        r = subprocess.run([sys.executable, "-m", "wasmaot", "run", "--bounds", "guard", str(wat),
                            "--invoke", "f", addr], check=False, capture_output=True, text=True,
                           timeout=300,
                           env={**os.environ, "WASMAOT_CACHE_DIR": str(tmp_path / "cache")})
        assert (r.returncode == 0) == ok, (addr, r.returncode, r.stdout, r.stderr)
        if not ok:
            assert "out of bounds memory access" in r.stderr, r.stderr
