"""Differential check of our component text parser against wasm-tools.

For one .wast file: ``wasm-tools json-from-wast`` writes every component's
binary as wasm-tools encodes it; :func:`compare_file` parses the same script
with our parser and compares, command by command (matched by source line):
components must be byte-identical (also compared with every custom section
removed, recursively), and text ``assert_malformed`` cases must be rejected
by both.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import tempfile
from dataclasses import dataclass, field

from wasmaot.bench.tools import wasm_tools
from wasmaot.frontend.errors import WasmError
from wasmaot.frontend.leb import uleb
from wasmaot.frontend.text import parse_wast
from wasmaot.frontend.text.script import (
    ComponentCommand,
    ComponentSource,
)

#: ../shared next to the project root (the checkout's sibling, as everywhere
#: in the tests), not a fixed path: a clone elsewhere finds its own.
SHARED = pathlib.Path(__file__).resolve().parents[3].parent / "shared"
SUITES = (str(SHARED / "component-model-tests" / "test"),
          str(SHARED / "wasmtime-misc-tests" / "component-model"))


def suite_files() -> list[str]:
    out = []
    for root in SUITES:
        for d, _, files in os.walk(root):
            out += [os.path.join(d, f) for f in files if f.endswith(".wast")]
    return sorted(out)


def _read_uleb(b: bytes, i: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        x = b[i]
        i += 1
        n |= (x & 0x7F) << shift
        shift += 7
        if not x & 0x80:
            return n, i


def strip_custom(b: bytes) -> bytes:
    """``b`` (a component or core module) without its custom sections, at
    every nesting level (core modules and nested components)."""
    if len(b) < 8 or b[:4] != b"\0asm":
        return b
    component = b[4:8] == b"\x0d\x00\x01\x00"
    out = bytearray(b[:8])
    i = 8
    while i < len(b):
        sid = b[i]
        size, j = _read_uleb(b, i + 1)
        payload = b[j:j + size]
        i = j + size
        if sid == 0:
            continue
        if component and sid in (1, 4):
            payload = strip_custom(payload)
        out += bytes((sid,)) + uleb(len(payload)) + payload
    return bytes(out)


@dataclass
class FileDiff:
    path: str
    same: int = 0               # byte-identical
    same_stripped: int = 0      # identical without custom sections (includes same)
    malformed_ok: int = 0
    binary: int = 0             # of ``same``: (component binary ...), passed through
    problems: list[str] = field(default_factory=list)
    error: str | None = None    # the file could not be compared at all


def wasm_tools_commands(path: str, tmp: str) -> list[dict]:
    out = os.path.join(tmp, "out.json")
    r = subprocess.run([wasm_tools(), "json-from-wast", path, "-o", out, "--wasm-dir", tmp],
                       check=False, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "failed")
    with open(out) as f:
        return json.load(f)["commands"]


def _ours_by_line(cmds) -> dict[int, object]:
    """line -> ComponentSource of our script commands."""
    out = {}
    for cmd in cmds:
        src = getattr(cmd, "component", None)
        if src is None:
            src = getattr(cmd, "module", None)
        if isinstance(src, ComponentSource):
            if isinstance(cmd, ComponentCommand) and cmd.instance is not None:
                continue
            # wasm-tools names the line of the ``(component`` keyword; ours
            # is that line too, except for a quote (the line of its first
            # string), which follows its assertion's line
            out[cmd.line + 1 if src.kind == "quote" else src.line] = src
    return out


def compare_file(path: str) -> FileDiff:
    res = FileDiff(path)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            theirs = wasm_tools_commands(path, tmp)
        except RuntimeError as e:
            res.error = f"wasm-tools: {e}"
            return res
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            ours = _ours_by_line(parse_wast(text, path))
        except WasmError as e:
            res.error = f"our script parser: {e}"
            return res
        for cmd in theirs:
            fn = cmd.get("filename")
            line = cmd["line"]
            if not fn or line not in ours:
                continue
            src = ours[line]
            if cmd["type"] == "assert_malformed" and cmd.get("module_type") == "text":
                try:
                    src.to_binary()
                    res.problems.append(f"{line}: malformed text accepted")
                except WasmError:
                    res.malformed_ok += 1
                continue
            if not fn.endswith(".wasm"):
                continue
            with open(os.path.join(tmp, fn), "rb") as f:
                want = f.read()
            if want[4:8] != b"\x0d\x00\x01\x00":
                continue                        # a core module
            try:
                got = src.to_binary()
            except WasmError as e:
                res.problems.append(f"{line}: we reject it: {e}")
                continue
            except Exception as e:                      # noqa: BLE001 (a bug: report it)
                res.problems.append(f"{line}: crash {type(e).__name__}: {e}")
                continue
            if got == want:
                res.same += 1
                res.binary += src.kind == "binary"
                res.same_stripped += 1
            elif strip_custom(got) == strip_custom(want):
                res.same_stripped += 1
            else:
                res.problems.append(f"{line}: bytes differ")
    return res


def main() -> None:
    """``python tests/text/component/difftool.py``: the counts, per suite."""
    from concurrent.futures import ProcessPoolExecutor
    totals: dict[str, list[int]] = {}
    with ProcessPoolExecutor(2) as ex:
        for r in ex.map(compare_file, suite_files()):
            key = ("component-model-tests" if "component-model-tests" in r.path
                   else "wasmtime-misc") + (" (async)" if "/async/" in r.path else "")
            t = totals.setdefault(key, [0] * 6)
            t[0] += r.same - r.binary
            t[1] += r.same_stripped - r.binary
            t[2] += sum("bytes differ" in p for p in r.problems)
            t[3] += sum("we reject" in p for p in r.problems)
            t[4] += r.malformed_ok
            t[5] += r.error is not None
    for key, t in sorted(totals.items()):
        print(f"{key}: text components identical {t[0]}, identical without custom sections "
              f"{t[1]}, bytes differ {t[2]}, rejected by us {t[3]}; quoted malformed "
              f"rejected {t[4]}; files wasm-tools cannot convert {t[5]}")


if __name__ == "__main__":
    main()
