#!/usr/bin/env python3
"""Robustness fuzzer for the frontend: mutated binaries through decode + validate.

    python tests/fuzz/fuzz_frontend.py -n 100000 --jobs 2
    python tests/fuzz/fuzz_frontend.py -n 2000 --seed 7 --no-bench-module
    python tests/fuzz/fuzz_frontend.py --replay FILE.wasm     # one input, in-process

Seeds: every module of the official suite's top-level ``.wast`` files that
decodes (``module`` commands and the modules of ``assert_invalid`` /
``assert_unlinkable`` / ``assert_uninstantiable`` / ``assert_trap``), plus
the 1 MB benchmark module (``benchmarks/wasm_inputs.py``) when it has been
built.  Seeds come from our own ``wasmaot.frontend.text.parse_wast`` when it
exists and from ``wasmtime.wat2wasm`` (PyPI ``wasmtime``; the suite's
``(module binary ...)`` forms are decoded here), deduplicated; they are
cached in ``~/.cache/wasmaot-fuzz``.

Input ``i`` is a pure function of ``(--seed, i, seed corpus)``: a seed
module picked by a RNG seeded from ``"{seed}:{i}"`` and 1-4 stacked mutations
(bit flips, byte overwrite/insert/delete/duplicate, LEB128 lengthening /
shortening / re-valuing, section size corruption, section
delete/duplicate/swap/splice-from-another-seed, ``name`` sections, locals
declarations, deep nesting, long operand stacks, mutation of one section or one
function body with the sizes fixed up so the change reaches the validator,
instruction insertion at instruction boundaries, truncation).

Each input runs in a worker process (``--jobs``) under a memory limit
(``--mem-limit``) and a per-input deadline (``--timeout``).  Outcomes:
*accepted*, *rejected* (``WasmError``), *crash* (any other exception, or the
worker dying) and *hang* (deadline passed: the worker is killed and
replaced).  Crashes and hangs are saved to ``--findings`` (outside the
repository by default) as ``.wasm`` + ``.txt`` (traceback), grouped by a
signature (exception type + innermost frontend frame); the first input of
each signature is minimized (chunk deletion) unless ``--no-minimize``.

Exit status: 0 when no crash and no hang, 1 otherwise, 2 on set-up errors.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import pickle
import random
import re
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SUITE = REPO.parent / "shared" / "spec-testsuite"
CACHE = Path(os.environ.get("WASMAOT_FUZZ_CACHE", Path.home() / ".cache" / "wasmaot-fuzz"))
DEFAULT_FINDINGS = Path(tempfile.gettempdir()) / "wasmaot-fuzz-findings"

# Seeds larger than this are "big" and picked rarely (each costs ~0.5 s).
BIG_SEED = 64 * 1024
BIG_SEED_SHARE = 0.002
# Share of picks among the valid seeds (the rest: any seed, incl. assert_invalid ones).
VALID_SEED_SHARE = 0.7

SEED_CACHE_VERSION = 4

ACCEPTED, REJECTED, CRASH, HANG = "accepted", "rejected", "crash", "hang"


class SetupError(Exception):
    pass


# ----------------------------------------------------------------- wast seeds

_WS = re.compile(r"\s+")


def _skip_ws_comments(text: str, i: int) -> int:
    n = len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif text.startswith(";;", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif text.startswith("(;", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("(;", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith(";)", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        else:
            break
    return i


def _skip_string(text: str, i: int) -> int:
    """``text[i]`` is ``"``; return the index after the closing quote."""
    i += 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == '"':
            return i + 1
        else:
            i += 1
    return n


def sexprs(text: str, i: int = 0, end: int | None = None):
    """Yield ``(start, stop)`` of each parenthesized form at this level."""
    end = len(text) if end is None else end
    while True:
        i = _skip_ws_comments(text, i)
        if i >= end:
            return
        if text[i] == "(" and not text.startswith("(;", i):
            start, depth = i, 0
            while i < end:
                i = _skip_ws_comments(text, i) if text[i] == ";" or text.startswith("(;", i) else i
                if i >= end:
                    break
                c = text[i]
                if c == '"':
                    i = _skip_string(text, i)
                    continue
                if c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth == 0:
                        i += 1
                        break
                i += 1
            yield start, i
        else:
            # a bare atom at this level (inside a form): skip it
            if text[i] == '"':
                i = _skip_string(text, i)
            else:
                while i < end and text[i] not in ' \t\r\n()";':
                    i += 1
                if i < end and text[i] == ")":
                    return


def _atoms(form: str) -> list[str]:
    """The atoms (words and strings) directly inside ``(head ...)``, in order."""
    out, i, n = [], 1, len(form) - 1
    while True:
        i = _skip_ws_comments(form, i)
        if i >= n:
            return out
        c = form[i]
        if c == "(":
            depth = 0
            while i < n:
                if form[i] == '"':
                    i = _skip_string(form, i)
                    continue
                depth += form[i] == "("
                depth -= form[i] == ")"
                i += 1
                if depth == 0:
                    break
            out.append("(...)")
        elif c == '"':
            j = _skip_string(form, i)
            out.append(form[i:j])
            i = j
        else:
            j = i
            while j < n and form[j] not in ' \t\r\n()";':
                j += 1
            j = max(j, i + 1)        # a lone ')' or ';': one character (else no progress, forever)
            out.append(form[i:j])
            i = j


def wast_string_bytes(lit: str) -> bytes:
    """Decode a text-format string literal (with quotes) to bytes."""
    s, out, i = lit[1:-1], bytearray(), 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = s[i + 1]
        if e in "0123456789abcdefABCDEF":
            out.append(int(s[i + 1:i + 3], 16))
            i += 3
        elif e == "u":
            j = s.index("}", i)
            out += chr(int(s[i + 3:j].replace("_", ""), 16)).encode("utf-8")
            i = j + 1
        else:
            out += {"t": b"\t", "n": b"\n", "r": b"\r", '"': b'"', "'": b"'", "\\": b"\\"}[e]
            i += 2
    return bytes(out)


_MODULE_HOLDERS = ("assert_invalid", "assert_unlinkable", "assert_uninstantiable", "assert_trap")


def wast_module_forms(text: str):
    """Yield ``(kind, form_text)`` for decodable modules: kind is valid/invalid."""
    for a, b in sexprs(text):
        head = _WS.split(text[a + 1:min(b, a + 40)].lstrip(), 1)[0].rstrip(")")
        if head == "module":
            yield "valid", text[a:b]
        elif head in _MODULE_HOLDERS:
            inner = next(iter(sexprs(text, a + 1 + len(head), b - 1)), None)
            if inner and text[inner[0]:inner[0] + 7] == "(module":
                yield ("invalid" if head == "assert_invalid" else "valid"), text[inner[0]:inner[1]]


def module_form_to_binary(form: str, wat2wasm) -> bytes | None:
    atoms = _atoms(form)
    words = [a for a in atoms if not a.startswith("$")]
    if words[:1] == ["module"] and len(words) > 1 and words[1] in ("binary", "quote", "definition",
                                                                   "instance"):
        kind = words[1]
        if kind == "binary":
            return b"".join(wast_string_bytes(a) for a in atoms if a.startswith('"'))
        return None                       # quote / definition / instance: skip
    try:
        return bytes(wat2wasm(form))
    except Exception:
        return None


def _seeds_with_our_parser(text: str, filename: str | None = None):
    """Modules from ``wasmaot.frontend.text.parse_wast``: each command's
    ``module`` (a ``ModuleSource``) has ``to_binary()``.  None if unusable."""
    try:
        from wasmaot.frontend.text import parse_wast
    except ImportError:
        return None
    out = []
    for cmd in parse_wast(text, filename):
        kind = getattr(cmd, "kind", "")
        src = getattr(cmd, "module", None)
        if kind == "assert_malformed" or not hasattr(src, "to_binary"):
            continue
        try:
            data = src.to_binary()
        except Exception:
            continue                       # e.g. a quote module that does not parse
        if isinstance(data, (bytes, bytearray)):
            out.append(("invalid" if kind == "assert_invalid" else "valid", bytes(data)))
    return out


def suite_files(suite: Path) -> list[Path]:
    return sorted(suite.glob("*.wast"))


#: Scripts whose components seed the component decoder: the component
#: model's own suite and wasmtime's component tests (async ones included:
#: their components must decode or be rejected in one line, like any).
COMPONENT_SUITES = (REPO.parent / "shared" / "component-model-tests" / "test",
                    REPO.parent / "shared" / "wasmtime-misc-tests" / "component-model")


def component_files() -> list[Path]:
    return sorted(f for d in COMPONENT_SUITES if d.is_dir() for f in d.rglob("*.wast"))


def is_component(data: bytes) -> bool:
    """The component preamble (layer 1): these inputs go to the component
    decoder, every other one to the core module decoder."""
    return len(data) >= 8 and data[:4] == b"\0asm" and data[6:8] == b"\x01\x00"


def load_wast_seeds(suite: Path, source: str = "auto") -> list[tuple[str, bytes]]:
    """All decodable modules of the suite as ``(name, bytes)``, deterministic order.

    ``source``: ``ours`` (``parse_wast``), ``wasmtime`` (``wat2wasm``), or
    ``auto``: both when available (they encode differently -- wat2wasm emits
    name sections, for one -- so together they are the more varied corpus).
    """
    files = suite_files(suite)
    if not files:
        raise SetupError(f"no .wast files in {suite} (the official suite is expected at "
                         "<repo>/../shared/spec-testsuite)")
    use_ours = source in ("auto", "ours") and _our_parser_exists()
    if source == "ours" and not use_ours:
        raise SetupError("wasmaot.frontend.text.parse_wast is not available")
    wat2wasm = None
    if source in ("auto", "wasmtime"):
        try:
            from wasmtime import wat2wasm
        except ImportError:
            if source == "wasmtime":
                raise SetupError("wasmtime (PyPI) is not installed") from None
    if not use_ours and wat2wasm is None:
        raise SetupError("neither wasmaot.frontend.text.parse_wast nor wasmtime.wat2wasm "
                         "is available to build seeds")
    h = hashlib.sha256(f"v{SEED_CACHE_VERSION}:{use_ours}:{wat2wasm is not None}".encode())
    cfiles = component_files() if use_ours else []
    for f in files + cfiles:
        st = f.stat()
        h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    if use_ours:
        # the parser is part of the key: a changed parser may encode differently
        import wasmaot.frontend.text as text_pkg
        for p in sorted(Path(text_pkg.__file__).parent.glob("*.py")):
            h.update(p.read_bytes())
    cache_file = CACHE / f"seeds-{h.hexdigest()[:16]}.pickle"
    try:
        return pickle.loads(cache_file.read_bytes())
    except (OSError, pickle.PickleError, EOFError):
        pass
    seeds: list[tuple[str, bytes]] = []
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        if use_ours:
            try:
                mods = _seeds_with_our_parser(text, f.name) or []
            except Exception:
                mods = []                  # a script our parser cannot read yet
            seeds += [(f"{f.stem}#o{k}:{kind}", data) for k, (kind, data) in enumerate(mods)]
        if wat2wasm is not None:
            mods = []
            for kind, form in wast_module_forms(text):
                data = module_form_to_binary(form, wat2wasm)
                if data is not None:
                    mods.append((kind, data))
            seeds += [(f"{f.stem}#w{k}:{kind}", data) for k, (kind, data) in enumerate(mods)]
    for f in cfiles:                       # components: only our parser reads them
        text = f.read_text(encoding="utf-8", errors="replace")
        try:
            comps = _seeds_with_our_parser(text, f.name) or []
        except Exception:
            comps = []
        seeds += [(f"{f.parent.name}/{f.stem}#c{k}:{kind}", data) for k, (kind, data) in enumerate(comps)
                  if is_component(data)]
    # Only modules that decode are seeds (a binary module of assert_invalid may
    # also be a malformed one); deduplicate by content, keep the first name.
    from wasmaot.frontend.binary import decode_module
    from wasmaot.frontend.component import decode_component
    from wasmaot.frontend.errors import WasmError
    seen, out = set(), []
    for name, data in seeds:
        if data in seen:
            continue
        seen.add(data)
        try:
            (decode_component if is_component(data) else decode_module)(data)
        except WasmError:
            continue
        except Exception:
            pass                            # keep: a seed that crashes the decoder is a finding
        out.append((name, data))
    if not out:
        raise SetupError(f"no decodable module found in {suite}")
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(out))
        os.replace(tmp, cache_file)
    except OSError:
        pass
    return out


def _our_parser_exists() -> bool:
    try:
        from wasmaot.frontend.text import parse_wast  # noqa: F401
    except ImportError:
        return False
    return True


def bench_module_path() -> Path | None:
    d = os.environ.get("WASMAOT_BENCH_CACHE")
    p = (Path(d) if d else Path.home() / ".cache" / "wasmaot-bench") / "sqlite3-shell.wasm"
    return p if p.is_file() else None


# ------------------------------------------------------------------ mutation

INTERESTING_BYTES = (0x00, 0x01, 0x02, 0x0B, 0x0F, 0x10, 0x20, 0x40, 0x41, 0x60, 0x6F, 0x70,
                     0x7B, 0x7C, 0x7D, 0x7E, 0x7F, 0x80, 0x81, 0xC0, 0xFC, 0xFD, 0xFE, 0xFF)
INTERESTING_VALUES = (0, 1, 2, 3, 7, 0x3F, 0x40, 0x7F, 0x80, 0xFF, 0x3FFF, 0x4000, 0xFFFF,
                      0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF, 1 << 32,
                      1 << 33, (1 << 63) - 1, 1 << 63, (1 << 64) - 1, 1 << 64)


def uleb(n: int, pad_to: int = 0) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | 0x80)
        if not n and len(out) >= pad_to:
            break
    out[-1] &= 0x7F
    return bytes(out)


def sleb(n: int, pad_to: int = 0) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        done = (n == 0 and not b & 0x40) or (n == -1 and b & 0x40)
        out.append(b | 0x80)
        if done and len(out) >= pad_to:
            break
    out[-1] &= 0x7F
    return bytes(out)


def read_uleb(b, pos: int, limit: int = 10):
    """Lenient LEB128 read: ``(value, end)`` or None."""
    v = shift = 0
    for i in range(limit):
        if pos + i >= len(b):
            return None
        c = b[pos + i]
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, pos + i + 1
    return None


def split_sections(b: bytes):
    """Lenient section split: ``[(id, payload)]``, or None if not a clean module."""
    if len(b) < 8:
        return None
    out, pos = [], 8
    while pos < len(b):
        sid = b[pos]
        r = read_uleb(b, pos + 1, 5)
        if r is None:
            return None
        size, pstart = r
        if pstart + size > len(b):
            return None
        out.append((sid, b[pstart:pstart + size]))
        pos = pstart + size
    return out


def join_sections(header: bytes, secs) -> bytearray:
    out = bytearray(header[:8])
    for sid, payload in secs:
        out.append(sid)
        out += uleb(len(payload))
        out += payload
    return out


def split_code(payload: bytes):
    """Code section payload -> list of bodies, or None."""
    r = read_uleb(payload, 0, 5)
    if r is None:
        return None
    n, pos = r
    bodies = []
    for _ in range(n):
        r = read_uleb(payload, pos, 5)
        if r is None:
            return None
        size, pos = r
        if pos + size > len(payload):
            return None
        bodies.append(payload[pos:pos + size])
        pos += size
    return bodies if pos == len(payload) else None


def join_code(bodies) -> bytes:
    out = bytearray(uleb(len(bodies)))
    for body in bodies:
        out += uleb(len(body))
        out += body
    return bytes(out)


class Mutator:
    """Deterministic mutations of a seed corpus."""

    def __init__(self, seeds: list[tuple[str, bytes]]):
        self.seeds = seeds
        self.small = [i for i, (_, d) in enumerate(seeds) if len(d) <= BIG_SEED]
        # valid modules are most of the picks: their mutations reach deeper
        self.small_valid = [i for i in self.small if not seeds[i][0].endswith(":invalid")]
        self.big = [i for i, (_, d) in enumerate(seeds) if len(d) > BIG_SEED]
        self._sections_cache: dict[int, list | None] = {}
        self._ops = None
        self.byte_mutators = [
            (self.m_bitflip, 6), (self.m_set_byte, 5), (self.m_insert, 3), (self.m_delete, 3),
            (self.m_duplicate, 1), (self.m_leb, 6), (self.m_insert_instr, 4),
        ]
        self.module_mutators = [
            (self.m_in_body, 18), (self.m_in_section, 10), (self.m_section_size, 3),
            (self.m_section_shuffle, 3), (self.m_splice, 4), (self.m_truncate, 2),
            (self.m_raw, 8), (self.m_name_section, 2),
        ]
        # components: a core module nested in one (section 1) gets a module
        # mutation with its size fixed up, so it reaches the core decoder
        # and validator through the component path
        self.component_mutators = self.module_mutators + [(self.m_nested_module, 30)]

    # ---- helpers
    def _sections(self, idx: int):
        if idx not in self._sections_cache:
            self._sections_cache[idx] = split_sections(self.seeds[idx][1])
        return self._sections_cache[idx]

    @staticmethod
    def _pick(rng, weighted):
        total = sum(w for _, w in weighted)
        r = rng.random() * total
        for fn, w in weighted:
            r -= w
            if r < 0:
                return fn
        return weighted[-1][0]

    def _opcodes(self):
        if self._ops is None:
            from wasmaot.frontend.opcodes import BY_BYTE, BY_PREFIX
            ops = [op for op in BY_BYTE if op is not None]
            for table in BY_PREFIX.values():
                ops.extend(table.values())
            self._ops = ops
        return self._ops

    def _small_uleb(self, rng) -> bytes:
        r = rng.random()
        if r < 0.7:
            return uleb(rng.randrange(4))
        if r < 0.9:
            return uleb(rng.randrange(128))
        return uleb(rng.choice(INTERESTING_VALUES) & 0xFFFFFFFF, rng.choice((0, 0, 5)))

    def random_instr(self, rng) -> bytes:
        """An instruction with plausible immediates, encoded."""
        from wasmaot.frontend.opcodes import Imm
        op = rng.choice(self._opcodes())
        out = bytearray(op.encoding)
        k = op.imm
        u = self._small_uleb
        if k == Imm.BLOCKTYPE:
            out.append(rng.choice((0x40, 0x40, 0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F, 0x00, 0x01)))
        elif k == Imm.BR_TABLE:
            n = rng.randrange(4)
            out += uleb(n)
            for _ in range(n + 1):
                out += u(rng)
        elif k in (Imm.CALL_INDIRECT, Imm.TABLE_INIT, Imm.TABLE_COPY):
            out += u(rng) + u(rng)
        elif k == Imm.MEMARG:
            out += uleb(rng.choice((0, 1, 2, 3, 4, op.align, op.align))) + u(rng)
        elif k == Imm.MEMARG_LANE:
            out += uleb(op.align) + u(rng) + bytes((rng.randrange(max(op.lanes, 1) + 1),))
        elif k == Imm.MEMORY:
            out.append(0 if rng.random() < 0.9 else 1)
        elif k == Imm.MEMORY_INIT:
            out += u(rng) + b"\0"
        elif k == Imm.MEMORY_COPY:
            out += b"\0\0"
        elif k == Imm.I32:
            out += sleb(rng.choice((0, 1, -1, 0x7FFFFFFF, -0x80000000, rng.randrange(-999, 999))))
        elif k == Imm.I64:
            out += sleb(rng.choice((0, 1, -1, (1 << 63) - 1, -(1 << 63))))
        elif k == Imm.F32:
            out += rng.randbytes(4)
        elif k == Imm.F64:
            out += rng.randbytes(8)
        elif k in (Imm.V128,):
            out += rng.randbytes(16)
        elif k == Imm.SHUFFLE:
            out += bytes(rng.randrange(33) for _ in range(16))
        elif k == Imm.SELECT_T:
            n = rng.choice((1, 1, 0, 2))
            out += uleb(n) + bytes(rng.choice((0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F))
                                   for _ in range(n))
        elif k == Imm.HEAPTYPE:
            out.append(rng.choice((0x70, 0x6F)))
        elif k == Imm.LANE:
            out.append(rng.randrange(max(op.lanes, 1) + 1))
        elif k != Imm.NONE:
            out += u(rng)
        return bytes(out)

    # ---- byte-level mutators: (rng, bytearray) -> bytearray
    def m_bitflip(self, rng, b):
        if b:
            for _ in range(rng.choice((1, 1, 1, 2, 4))):
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        return b

    def m_set_byte(self, rng, b):
        if b:
            b[rng.randrange(len(b))] = (rng.choice(INTERESTING_BYTES) if rng.random() < 0.6
                                        else rng.randrange(256))
        return b

    def m_insert(self, rng, b):
        pos = rng.randrange(len(b) + 1)
        n = rng.choice((1, 1, 2, 4, 8))
        ins = bytes(rng.choice(INTERESTING_BYTES) if rng.random() < 0.5 else rng.randrange(256)
                    for _ in range(n))
        b[pos:pos] = ins
        return b

    def m_delete(self, rng, b):
        if b:
            pos = rng.randrange(len(b))
            del b[pos:pos + rng.choice((1, 1, 2, 3, 8, 16))]
        return b

    def m_duplicate(self, rng, b):
        if b:
            a = rng.randrange(len(b))
            chunk = b[a:a + rng.choice((1, 2, 4, 16, 64))]
            pos = rng.randrange(len(b) + 1)
            b[pos:pos] = chunk * rng.choice((1, 1, 2, 16))
        return b

    def m_leb(self, rng, b):
        """Find a LEB128 at or after a random position and change its encoding or value."""
        if not b:
            return b
        pos = rng.randrange(len(b))
        r = read_uleb(b, pos, 10)
        if r is None:
            return self.m_set_byte(rng, b)
        v, end = r
        n = end - pos
        choice = rng.randrange(6)
        if choice == 0:          # lengthen: same value, one or more redundant bytes
            new = uleb(v, n + rng.choice((1, 1, 2, 5)))
        elif choice == 1:        # shorten: drop the last byte, keep continuation bits
            new = bytes(b[pos:end - 1]) if n > 1 else b"\x80"
        elif choice == 2:        # a boundary value, minimal or padded
            new = uleb(rng.choice(INTERESTING_VALUES), rng.choice((0, 0, 5, 10)))
        elif choice == 3:        # off by a little
            new = uleb(max(0, v + rng.choice((-2, -1, 1, 2, 64))), n)
        elif choice == 4:        # over-long with non-zero unused bits in the last byte
            new = bytes(uleb(v, 5)[:4]) + bytes((0x70 | rng.randrange(16),))
        else:                    # signed view: boundary negatives
            new = sleb(rng.choice((-1, -64, -65, -(1 << 31), -(1 << 32), -(1 << 63))),
                       rng.choice((0, 0, 5, 10)))
        b[pos:end] = new
        return b

    def m_insert_instr(self, rng, b):
        pos = rng.randrange(len(b) + 1)
        b[pos:pos] = b"".join(self.random_instr(rng) for _ in range(rng.choice((1, 1, 2, 3))))
        return b

    # ---- module-level mutators: (rng, seed index, bytes) -> bytearray
    def m_raw(self, rng, idx, b):
        return self._pick(rng, self.byte_mutators)(rng, bytearray(b))

    def m_truncate(self, rng, idx, b):
        return bytearray(b[:rng.randrange(len(b) + 1)])

    def m_in_section(self, rng, idx, b):
        secs = split_sections(b)
        if not secs:
            return self.m_raw(rng, idx, b)
        k = rng.randrange(len(secs))
        sid, payload = secs[k]
        payload = self._pick(rng, self.byte_mutators)(rng, bytearray(payload))
        secs[k] = (sid, bytes(payload))
        return join_sections(b, secs)

    def _instr_boundaries(self, body: bytes) -> list[int]:
        from wasmaot.frontend.code import iter_instrs, read_locals
        try:
            _, pos = read_locals(body, 0, len(body))
            return [pos] + [off for _, _, off in iter_instrs(body, pos, len(body))]
        except Exception:
            return []

    def m_in_body(self, rng, idx, b):
        secs = split_sections(b)
        ci = [k for k, (sid, _) in enumerate(secs or ()) if sid == 10]
        if not ci:
            return self.m_in_section(rng, idx, b)
        k = ci[0]
        bodies = split_code(secs[k][1])
        if not bodies:
            return self.m_in_section(rng, idx, b)
        j = rng.randrange(len(bodies))
        body = bytearray(bodies[j])
        r = rng.random()
        if r < 0.45:
            # insert/replace whole instructions at instruction boundaries
            offs = self._instr_boundaries(bytes(body)) or [len(body) - 1 if body else 0]
            at = rng.choice(offs)
            new = b"".join(self.random_instr(rng) for _ in range(rng.choice((1, 1, 2, 4))))
            if rng.random() < 0.3 and at in offs[:-1]:
                nxt = offs[offs.index(at) + 1]
                body[at:nxt] = new
            else:
                body[at:at] = new
        elif r < 0.55 and len(body) > 2:
            # delete one instruction
            offs = self._instr_boundaries(bytes(body))
            if len(offs) > 2:
                t = rng.randrange(1, len(offs) - 1)
                del body[offs[t]:offs[t + 1]]
            else:
                body = self._pick(rng, self.byte_mutators)(rng, body)
        elif r < 0.6:
            # deep nesting / long sequences (stack-depth and recursion checks)
            opener = rng.choice((b"\x02\x40", b"\x03\x40", b"\x41\x00\x04\x40"))
            depth = rng.choice((100, 1000, 10000, 50000))
            offs = self._instr_boundaries(bytes(body)) or [0]
            at = offs[0]
            body[at:at] = opener * depth + b"\x0b" * depth
        elif r < 0.65:
            # many values on the stack
            offs = self._instr_boundaries(bytes(body)) or [0]
            at = offs[0]
            body[at:at] = b"\x41\x00" * rng.choice((1000, 100000)) + b"\x1a" * rng.choice((0, 10))
        elif r < 0.7:
            # replace the locals declarations (many locals, huge counts, odd types)
            offs = self._instr_boundaries(bytes(body))
            code_at = offs[0] if offs else 0
            decls = bytearray()
            nd = rng.choice((1, 1, 2, 3))
            for _ in range(nd):
                cnt = rng.choice((1, 2, 100, 70000, 0x10000, rng.choice(INTERESTING_VALUES)))
                decls += uleb(cnt & 0xFFFFFFFF)
                decls.append(rng.choice((0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F, 0x40, 0x00)))
            local = rng.choice((0, 1, 2, 99, 0xFFFF, 0x10000, 69999, 70000, 0xFFFFFFFE))
            use = rng.choice((b"", b"\x20" + uleb(local) + b"\x1a",
                              b"\x41\x00\x21" + uleb(local), b"\x42\x00\x22" + uleb(local) + b"\x1a"))
            body[0:code_at] = uleb(nd) + decls + use
        else:
            body = self._pick(rng, self.byte_mutators)(rng, body)
        bodies[j] = bytes(body)
        secs[k] = (10, join_code(bodies))
        return join_sections(b, secs)

    def m_name_section(self, rng, idx, b):
        """Add (or replace) a ``name`` custom section, well-formed or slightly not."""
        secs = split_sections(b)
        if secs is None:
            return self.m_raw(rng, idx, b)

        def name(rng):
            return rng.choice((b"f", b"", b"\xc3\xa9", b"\xff", b"\xed\xa0\x80", b"x" * 300))

        def namemap(rng):
            n = rng.choice((0, 1, 2, 3))
            items = b"".join(uleb(rng.choice((0, 1, 2, 5, 0xFFFFFFFF))) + uleb(len(nm)) + nm
                             for nm in (name(rng) for _ in range(n)))
            count = n if rng.random() < 0.8 else rng.choice(INTERESTING_VALUES) & 0xFFFFFFFF
            return uleb(count) + items

        subs = bytearray()
        for _ in range(rng.choice((1, 2, 3, 4))):
            sub = rng.choice((0, 1, 1, 2, 2, 3, 4, 7, 0xFF))
            if sub == 0:
                content = uleb(len(nm := name(rng))) + nm
            elif sub == 2:
                n = rng.choice((0, 1, 2))
                content = uleb(n) + b"".join(uleb(rng.choice((0, 1, 7))) + namemap(rng)
                                             for _ in range(n))
            else:
                content = namemap(rng)
            size = len(content) + rng.choice((0, 0, 0, 0, 1, -1, 100))
            subs.append(sub)
            subs += uleb(max(size, 0), rng.choice((0, 0, 5)))
            subs += content
        if rng.random() < 0.2 and subs:
            del subs[rng.randrange(len(subs)):]
        payload = b"\x04name" + bytes(subs)
        existing = [k for k, (sid, p) in enumerate(secs) if sid == 0 and p[:5] == b"\x04name"]
        if existing:
            secs[existing[0]] = (0, payload)
        else:
            secs.insert(rng.randrange(len(secs) + 1), (0, payload))
        return join_sections(b, secs)

    def m_section_size(self, rng, idx, b):
        secs = split_sections(b)
        if not secs:
            return self.m_raw(rng, idx, b)
        k = rng.randrange(len(secs))
        sid, payload = secs[k]
        size = len(payload)
        new = rng.choice((size + 1, max(size - 1, 0), 0, size * 2, 0xFFFFFFFF, size + 100, 1 << 32))
        out = join_sections(b, secs[:k])
        out.append(sid)
        out += uleb(new, rng.choice((0, 0, 5)))
        out += payload
        out += join_sections(b, secs[k + 1:])[8:]
        return out

    def m_section_shuffle(self, rng, idx, b):
        secs = split_sections(b)
        if not secs:
            return self.m_raw(rng, idx, b)
        k = rng.randrange(len(secs))
        r = rng.randrange(4)
        if r == 0:
            del secs[k]
        elif r == 1:
            secs.insert(k, secs[k])
        elif r == 2:
            j = rng.randrange(len(secs))
            secs[k], secs[j] = secs[j], secs[k]
        else:
            sid, payload = secs[k]
            secs[k] = (rng.choice((0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0x7F, 0xFF)), payload)
        return join_sections(b, secs)

    def m_splice(self, rng, idx, b):
        """Bring a section from another seed: replace the same-id section or insert."""
        secs = split_sections(b)
        other = self._sections(rng.choice(self.small))
        if not secs or not other:
            return self.m_raw(rng, idx, b)
        sid, payload = rng.choice(other)
        same = [k for k, (s, _) in enumerate(secs) if s == sid]
        if same and rng.random() < 0.8:
            secs[same[0]] = (sid, payload)
        else:
            secs.insert(rng.randrange(len(secs) + 1), (sid, payload))
        return join_sections(b, secs)

    def m_nested_module(self, rng, idx, b):
        """A module mutation inside one of a component's core modules."""
        secs = split_sections(b)
        nested = [k for k, (sid, payload) in enumerate(secs or ()) if sid == 1 and payload[:4] == b"\0asm"]
        if not nested:
            return self.m_raw(rng, idx, b)
        k = rng.choice(nested)
        fn = self._pick(rng, self.module_mutators)
        secs[k] = (1, bytes(fn(rng, idx, secs[k][1])))
        return join_sections(b, secs)

    # ---- one input
    def pick_seed(self, rng) -> int:
        if self.big and rng.random() < BIG_SEED_SHARE:
            return rng.choice(self.big)
        if self.small_valid and rng.random() < VALID_SEED_SHARE:
            return rng.choice(self.small_valid)
        return rng.choice(self.small or self.big)

    def generate(self, base_seed: int, i: int) -> tuple[bytes, str]:
        """Input number ``i``: ``(bytes, description)``."""
        rng = random.Random(f"{base_seed}:{i}")
        idx = self.pick_seed(rng)
        data = self.seeds[idx][1]
        names = []
        mutators = self.component_mutators if is_component(data) else self.module_mutators
        for _ in range(rng.choice((1, 1, 1, 1, 1, 2, 2, 3))):
            fn = self._pick(rng, mutators)
            names.append(fn.__name__[2:])
            data = bytes(fn(rng, idx, data))
        return data, f"{self.seeds[idx][0]} {'+'.join(names)}"


# ------------------------------------------------------------------ target

def _target_functions():
    from wasmaot.frontend.binary import decode_module
    from wasmaot.frontend.errors import WasmError
    try:
        from wasmaot.frontend.validate import validate_module
    except ImportError:
        validate_module = None
    return decode_module, validate_module, WasmError


def frontend_target():
    """The function under test: ``decode_module`` then ``validate_module``;
    for a component, its decoder, validator and flattening (the compile
    path's first three steps)."""
    decode_module, validate_module, _ = _target_functions()

    def target(data: bytes) -> None:
        if is_component(data):
            return _component_target(data)
        m = decode_module(data)
        if validate_module is not None:
            validate_module(m)
    return target


def _component_target(data: bytes) -> None:
    from wasmaot.frontend.component import flatten_component, load_component
    flatten_component(load_component(data), data)


def resolve_target(spec: str | None):
    """``None``: the frontend; ``"module:function"``: any ``f(data)`` (to test the harness)."""
    if spec is None:
        return frontend_target()
    import importlib
    mod, _, attr = spec.partition(":")
    return getattr(importlib.import_module(mod), attr)


def run_target(data: bytes, target, WasmError):
    """``(status, detail)``: detail is a ``(signature, traceback)`` for crashes."""
    try:
        target(data)
    except WasmError:
        return REJECTED, None
    except BaseException as e:  # noqa: BLE001 - every other exception is a finding
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        return CRASH, (crash_signature(e), traceback.format_exc())
    return ACCEPTED, None


def crash_signature(e: BaseException) -> str:
    """Exception type + the innermost frame in the project (not the fuzzer)."""
    frames = traceback.extract_tb(e.__traceback__)
    inner = [fr for fr in frames if "/tests/fuzz/fuzz_frontend" not in fr.filename]
    where = f"{Path(inner[-1].filename).name}:{inner[-1].lineno} in {inner[-1].name}" if inner else "?"
    for fr in reversed(frames):
        fn = fr.filename
        if "/tests/fuzz/" in fn:
            continue
        if fn.startswith(str(REPO)) or "/wasmaot/" in fn:
            try:
                rel = str(Path(fn).resolve().relative_to(REPO))
            except ValueError:
                rel = Path(fn).name
            where = f"{rel}:{fr.lineno} in {fr.name}"
            break
    return f"{type(e).__name__} at {where}"


# ------------------------------------------------------------------ workers

def _limit_memory(mb: int) -> None:
    if mb <= 0:
        return
    try:
        import resource
        lim = mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    except (ImportError, ValueError, OSError):
        pass


def _worker_main(conn, seeds, base_seed: int, mem_limit: int, target_spec) -> None:
    _limit_memory(mem_limit)
    mut = Mutator(seeds)
    from wasmaot.frontend.errors import WasmError
    target = resolve_target(target_spec)
    while True:
        try:
            req = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if req is None:
            return
        if req[0] == "range":
            _, start, stop = req
            for i in range(start, stop):
                try:
                    data, desc = mut.generate(base_seed, i)
                except Exception:
                    conn.send((i, "generator-error", 0.0, traceback.format_exc(), None))
                    continue
                t0 = time.perf_counter()
                status, detail = run_target(data, target, WasmError)
                dt = time.perf_counter() - t0
                if status == CRASH:
                    conn.send((i, status, dt, detail, (data, desc)))
                else:
                    conn.send((i, status, dt, None, None))
            conn.send(("done", start, stop))
        elif req[0] == "bytes":
            data = req[1]
            t0 = time.perf_counter()
            status, detail = run_target(data, target, WasmError)
            conn.send((status, time.perf_counter() - t0, detail))


class Worker:
    def __init__(self, ctx, seeds, base_seed, mem_limit, target=None):
        self.parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main,
                                args=(child, seeds, base_seed, mem_limit, target),
                                daemon=True)
        self.proc.start()
        child.close()
        self.range = None          # (start, stop) assigned
        self.next = None           # index the worker is on now
        self.since = 0.0           # when it started on ``next``

    def assign(self, start, stop):
        self.range = (start, stop)
        self.next = start
        self.since = time.monotonic()
        self.parent.send(("range", start, stop))

    def kill(self):
        try:
            self.proc.kill()
            self.proc.join(5)
        except Exception:
            pass
        try:
            self.parent.close()
        except Exception:
            pass

    def stop(self):
        try:
            self.parent.send(None)
        except Exception:
            pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.kill()


def _mp_context():
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


# ------------------------------------------------------------------ campaign

@dataclass
class Finding:
    kind: str                  # crash / hang
    signature: str
    index: int
    description: str
    traceback: str
    data: bytes
    elapsed: float = 0.0


@dataclass
class Report:
    inputs: int = 0
    accepted: int = 0
    rejected: int = 0
    crashes: int = 0
    hangs: int = 0
    generator_errors: int = 0
    slow: int = 0              # took longer than the slow threshold (but finished)
    max_elapsed: float = 0.0
    max_elapsed_index: int = -1
    seconds: float = 0.0
    seeds: int = 0
    corpus_hash: str = ""
    validator: bool = False
    findings: list[Finding] = field(default_factory=list)
    signatures: dict[str, int] = field(default_factory=dict)
    minimized: dict[str, str] = field(default_factory=dict)   # signature -> hex

    def summary(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("findings",)}


def corpus_hash(seeds) -> str:
    h = hashlib.sha256()
    for name, data in seeds:
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()[:16]


def build_corpus(suite: Path = SUITE, *, include_bench: bool = True, seed_source: str = "auto",
                 extra: list[Path] = ()) -> list[tuple[str, bytes]]:
    seeds = list(load_wast_seeds(suite, seed_source))
    if include_bench:
        p = bench_module_path()
        if p is not None:
            seeds.append((f"bench:{p.name}", p.read_bytes()))
    for p in extra:
        seeds.append((f"extra:{p.name}", p.read_bytes()))
    if not seeds:
        raise SetupError("no seed modules")
    return seeds


def run_campaign(seeds, n: int, *, jobs: int = 2, base_seed: int = 0, timeout: float = 10.0,
                 mem_limit: int = 3072, chunk: int = 100, slow: float = 1.0,
                 progress: bool = False, start: int = 0, target: str | None = None) -> Report:
    """Run inputs ``start .. start+n-1``; crashes and hangs end up in ``report.findings``."""
    ctx = _mp_context()
    rep = Report(seeds=len(seeds), corpus_hash=corpus_hash(seeds),
                 validator=_target_functions()[1] is not None)
    t_start = time.monotonic()
    pending = [(a, min(a + chunk, start + n)) for a in range(start, start + n, chunk)]
    pending.reverse()
    workers = [Worker(ctx, seeds, base_seed, mem_limit, target) for _ in range(max(1, jobs))]
    mut = None           # parent-side generator, for saving hang inputs
    last_print = time.monotonic()

    def regenerate(i):
        nonlocal mut
        if mut is None:
            mut = Mutator(seeds)
        return mut.generate(base_seed, i)

    def replace(w, resume_from):
        w.kill()
        nw = Worker(ctx, seeds, base_seed, mem_limit, target)
        workers[workers.index(w)] = nw
        stop = w.range[1]
        if resume_from < stop:
            nw.assign(resume_from, stop)
        return nw

    def drain(w) -> bool:
        """Record every message ``w`` has sent; True if there was one."""
        got_any = False
        while w.range and w.parent.poll():
            try:
                msg = w.parent.recv()
            except (EOFError, OSError):
                break
            got_any = True
            if msg[0] == "done":
                w.range = None
                if pending:
                    w.assign(*pending.pop())
                break
            i, status, dt, detail, payload = msg
            w.next, w.since = i + 1, time.monotonic()
            record(i, status, dt, detail, payload)
        return got_any

    def record(i, status, dt, detail, payload):
        rep.inputs += 1
        if dt > rep.max_elapsed:
            rep.max_elapsed, rep.max_elapsed_index = dt, i
        if dt > slow:
            rep.slow += 1
        if status == ACCEPTED:
            rep.accepted += 1
        elif status == REJECTED:
            rep.rejected += 1
        elif status == CRASH:
            rep.crashes += 1
            sig, tb = detail
            rep.findings.append(Finding(CRASH, tally(sig), i, payload[1], tb, payload[0], dt))
        else:
            rep.generator_errors += 1
            tally("generator error")

    def tally(sig: str) -> str:
        rep.signatures[sig] = rep.signatures.get(sig, 0) + 1
        return sig

    try:
        for w in workers:
            if pending:
                w.assign(*pending.pop())
        from multiprocessing.connection import wait
        while any(w.range for w in workers):
            active = [w for w in workers if w.range]
            wait([w.parent for w in active] + [w.proc.sentinel for w in active], 0.25)
            now = time.monotonic()
            for w in list(active):
                if drain(w) or not w.range:
                    continue
                dead = not w.proc.is_alive()
                if not dead and now - w.since <= timeout:
                    continue
                if drain(w):
                    # It sent results after the poll above and then died (or
                    # just caught up): blame the input after those, next round.
                    continue
                i = w.next
                data, desc = regenerate(i)
                rep.inputs += 1
                if dead:
                    rep.crashes += 1
                    code = w.proc.exitcode
                    sig = tally(f"worker died (exit code {code})")
                    rep.findings.append(Finding(CRASH, sig, i, desc,
                                                f"worker process died, exit code {code}", data))
                else:
                    rep.hangs += 1
                    rep.findings.append(Finding(HANG, tally("hang"), i, desc,
                                                f"no result within {timeout} s", data, timeout))
                nw = replace(w, i + 1)
                if not nw.range and pending:
                    nw.assign(*pending.pop())
            if progress and time.monotonic() - last_print > 10:
                last_print = time.monotonic()
                el = last_print - t_start
                print(f"  {rep.inputs}/{n} inputs, {el:.0f} s, {rep.inputs / max(el, 1e-9):.0f}/s, "
                      f"crashes {rep.crashes}, hangs {rep.hangs}", file=sys.stderr, flush=True)
    finally:
        for w in workers:
            w.stop()
    rep.seconds = time.monotonic() - t_start
    return rep


# ------------------------------------------------------------------ minimize

class OneShot:
    """Runs single inputs in a worker with a deadline (for minimization)."""

    def __init__(self, seeds, mem_limit, timeout, target=None):
        self.ctx, self.seeds, self.mem_limit, self.timeout = _mp_context(), seeds[:1], mem_limit, timeout
        self.target = target
        self.w = Worker(self.ctx, self.seeds, 0, mem_limit, target)

    def signature(self, data: bytes) -> str:
        self.w.parent.send(("bytes", data))
        if self.w.parent.poll(self.timeout):
            try:
                status, _, detail = self.w.parent.recv()
            except (EOFError, OSError):
                status, detail = "died", None
            if status == CRASH:
                return detail[0]
            if status != "died":
                return status
        dead = not self.w.proc.is_alive()
        code = self.w.proc.exitcode
        self.w.kill()
        self.w = Worker(self.ctx, self.seeds, 0, self.mem_limit, self.target)
        return f"worker died (exit code {code})" if dead else "hang"

    def close(self):
        self.w.stop()


def minimize(data: bytes, sig: str, oneshot: OneShot, budget_s: float = 60.0) -> bytes:
    """Chunk-deletion minimization keeping the same signature."""
    t_end = time.monotonic() + budget_s
    cur = bytes(data)
    n = max(1, len(cur) // 2)
    while n >= 1 and time.monotonic() < t_end:
        changed = False
        pos = 8 if len(cur) > 8 else 0    # try to keep the preamble first
        while pos < len(cur) and time.monotonic() < t_end:
            cand = cur[:pos] + cur[pos + n:]
            if cand != cur and oneshot.signature(cand) == sig:
                cur, changed = cand, True
            else:
                pos += n
        if not changed:
            n //= 2
    # then try simplifying bytes to 0x00 (smaller LEBs, fewer surprises)
    for pos in range(len(cur)):
        if time.monotonic() >= t_end:
            break
        if cur[pos]:
            cand = cur[:pos] + b"\0" + cur[pos + 1:]
            if oneshot.signature(cand) == sig:
                cur = cand
    return cur


# ------------------------------------------------------------------ findings

def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", s)[:80]


def save_findings(rep: Report, outdir: Path, per_signature: int = 5) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    saved, count = [], {}
    for f in rep.findings:
        c = count.get(f.signature, 0)
        count[f.signature] = c + 1
        if c >= per_signature:
            continue
        base = outdir / f"{f.kind}-{_slug(f.signature)}-{f.index}"
        base.with_suffix(".wasm").write_bytes(f.data)
        base.with_suffix(".txt").write_text(
            f"kind: {f.kind}\nsignature: {f.signature}\ninput: {f.index}\n"
            f"seed+mutations: {f.description}\nelapsed: {f.elapsed:.3f} s\nsize: {len(f.data)}\n\n"
            f"{f.traceback}\n")
        saved.append(base.with_suffix(".wasm"))
    for sig, hx in rep.minimized.items():
        (outdir / f"min-{_slug(sig)}.hex").write_text(hx + "\n")
    (outdir / "summary.json").write_text(json.dumps(rep.summary(), indent=2) + "\n")
    return saved


# ------------------------------------------------------------------ CLI

def replay(path: Path) -> int:
    data = path.read_bytes()
    decode_module, validate_module, WasmError = _target_functions()
    t0 = time.perf_counter()
    try:
        if is_component(data):
            _component_target(data)
        else:
            m = decode_module(data, str(path))
            if validate_module is not None:
                validate_module(m)
    except WasmError as e:
        print(f"rejected ({time.perf_counter() - t0:.3f} s): {e}")
        return 0
    print(f"accepted ({time.perf_counter() - t0:.3f} s)")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("-n", type=int, default=10000, help="number of inputs (default 10000)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 2, help="worker processes")
    ap.add_argument("--seed", type=int, default=0, help="campaign seed (default 0)")
    ap.add_argument("--start", type=int, default=0, help="first input index (to resume or shard)")
    ap.add_argument("--timeout", type=float, default=10.0, help="per-input deadline in s (default 10)")
    ap.add_argument("--slow", type=float, default=1.0, help="count inputs slower than this (s)")
    ap.add_argument("--mem-limit", type=int, default=3072, help="worker address-space limit, MB")
    ap.add_argument("--findings", type=Path, default=DEFAULT_FINDINGS,
                    help=f"where crashes/hangs are saved (default {DEFAULT_FINDINGS})")
    ap.add_argument("--suite", type=Path, default=SUITE, help="spec test suite directory")
    ap.add_argument("--seed-source", choices=("auto", "ours", "wasmtime"), default="auto",
                    help="how .wast modules become seed binaries (default: ours if available)")
    ap.add_argument("--no-bench-module", action="store_true",
                    help="do not add the 1 MB benchmark module to the seeds")
    ap.add_argument("--extra-seed", type=Path, action="append", default=[], help="more seed files")
    ap.add_argument("--no-minimize", action="store_true", help="do not minimize crashes")
    ap.add_argument("--target", metavar="MODULE:FUNC",
                    help="fuzz another f(data) instead of the frontend (to test the harness)")
    ap.add_argument("--replay", type=Path, help="run one file in-process and print the outcome")
    ap.add_argument("--show", type=int, metavar="I", help="write input I to stdout (hex) and exit")
    args = ap.parse_args(argv)

    if args.replay:
        return replay(args.replay)
    try:
        seeds = build_corpus(args.suite, include_bench=not args.no_bench_module,
                             seed_source=args.seed_source, extra=args.extra_seed)
    except (SetupError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.show is not None:
        data, desc = Mutator(seeds).generate(args.seed, args.show)
        print(f"# {desc}\n{data.hex()}")
        return 0
    decode_module, validate_module, _ = _target_functions()
    big = sum(len(d) > BIG_SEED for _, d in seeds)
    ncomp = sum(is_component(d) for _, d in seeds)
    print(f"seeds: {len(seeds) - ncomp} modules ({big} big) and {ncomp} components, "
          f"corpus {corpus_hash(seeds)}; "
          f"target: decode_module{' + validate_module' if validate_module else ' only (no validator yet)'}")
    print(f"inputs {args.start}..{args.start + args.n - 1}, seed {args.seed}, {args.jobs} jobs, "
          f"timeout {args.timeout} s, memory limit {args.mem_limit} MB")
    rep = run_campaign(seeds, args.n, jobs=args.jobs, base_seed=args.seed, timeout=args.timeout,
                       mem_limit=args.mem_limit, slow=args.slow, progress=True, start=args.start,
                       target=args.target)
    if rep.findings and not args.no_minimize:
        one = OneShot(seeds, args.mem_limit, args.timeout, args.target)
        try:
            for sig in rep.signatures:
                f = next((f for f in rep.findings if f.signature == sig), None)
                if f is None or f.kind != CRASH:
                    continue
                small = minimize(f.data, sig, one)
                rep.minimized[sig] = small.hex()
        finally:
            one.close()
    print()
    print(f"inputs    {rep.inputs}")
    print(f"accepted  {rep.accepted}")
    print(f"rejected  {rep.rejected}")
    print(f"crashes   {rep.crashes}")
    print(f"hangs     {rep.hangs}")
    if rep.generator_errors:
        print(f"generator errors {rep.generator_errors}")
    print(f"slow (> {args.slow} s) {rep.slow}; slowest {rep.max_elapsed:.3f} s (input {rep.max_elapsed_index})")
    print(f"time      {rep.seconds:.1f} s ({rep.inputs / max(rep.seconds, 1e-9):.0f} inputs/s)")
    if rep.findings or rep.generator_errors:
        saved = save_findings(rep, args.findings)
        print(f"\n{len(rep.signatures)} distinct signatures (saved {len(saved)} inputs to {args.findings}):")
        for sig, cnt in sorted(rep.signatures.items(), key=lambda kv: -kv[1]):
            print(f"  {cnt:6d}  {sig}")
            if sig in rep.minimized:
                print(f"          minimized: {rep.minimized[sig]}")
    return 1 if rep.crashes or rep.hangs else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
