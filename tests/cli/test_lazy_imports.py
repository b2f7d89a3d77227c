"""`wasmaot compile` of a core module imports only what it uses: not the
component frontend, the spec-test runner, the benchmarks or the IR text
parser (they cost about 0.25 s of start-up; driver/cli.py imports them when
a command needs them, ir/__init__.py the parser on first use)."""
from __future__ import annotations

import subprocess
import sys

UNNEEDED = ("wasmaot.frontend.component", "wasmaot.spectest", "wasmaot.bench",
            "wasmaot.frontend.text", "wasmaot.ir.parser")

_PROBE = """
import sys
from wasmaot.cli import main
try:
    main(sys.argv[1:])
except SystemExit as e:
    assert not e.code, e.code
print(" ".join(sorted(m for m in sys.modules if m.startswith({unneeded!r}))))
"""


def _loaded(*args: str) -> set[str]:
    code = _PROBE.format(unneeded=UNNEEDED)
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                       check=True)
    return set(r.stdout.split())


def test_compile_of_a_core_module_imports_no_component_or_spectest_code(tmp_path):
    wasm = tmp_path / "m.wasm"
    wasm.write_bytes(b"\0asm\x01\0\0\0")
    assert _loaded("compile", str(wasm), "--emit", "obj", "-o", str(tmp_path / "m.o")) == set()


def test_help_still_lists_the_lazily_imported_commands():
    r = subprocess.run([sys.executable, "-m", "wasmaot", "--help"], capture_output=True,
                       text=True, check=True)
    assert "spectest" in r.stdout and "bench" in r.stdout
    assert _loaded("spectest", "--help") >= {"wasmaot.spectest"}
