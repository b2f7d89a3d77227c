"""String transcoding of the canon layer (wasmaot_canon_transcode) against
the Python model of CanonicalABI.md (frontend/component/canonabi.py:
load_string_from_range, then store_string_into_range).

Both sides get the same source bytes in their own memory and the same kind
of bump realloc over their own destination memory, so everything must
match: the result (pointer, tagged length) or the trap, every realloc call
with its arguments, and every byte of the destination memory (also after a
trap: the partial copy is part of the spec's behaviour).
"""

from __future__ import annotations

import ctypes
import itertools
import subprocess

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from wasmaot.frontend.component import canonabi as cm

from .conftest import C_DIR, zig
from .test_canon_build import (
    CANON_SOURCES,
    CFLAGS,
    ENC,
    REALLOC,
    TAG,
    E,
    Instance,
    Mem,
    StringInfo,
    canon_library,
)


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    return canon_library(tmp_path_factory)


UNREACHABLE = 1  # wasmaot_trap_code a trapping realloc reports (WASMAOT_TRAP_UNREACHABLE)


class CallbackTrap(Exception):
    """The guest realloc trapped (the model sees it as an exception)."""


class Alloc:
    """A bump realloc over one bytearray (like canonabi.BumpAllocator, but it
    never grows the memory, and it can misbehave at call number `bad[0]`:
    return a misaligned or out-of-bounds pointer, or trap)."""

    def __init__(self, memory: bytearray, start: int, bad: tuple[int, str] | None = None):
        self.memory, self.next, self.bad, self.calls = memory, start, bad, []

    def __call__(self, old: int, old_size: int, align: int, new_size: int) -> int:
        k = len(self.calls)
        self.calls.append((old, old_size, align, new_size))
        if old and new_size <= old_size:
            ptr = old
        else:
            ptr = (self.next + align - 1) // align * align
            self.next = ptr + new_size
            n = max(0, min(old_size, len(self.memory) - ptr))
            if old:
                self.memory[ptr:ptr + n] = self.memory[old:old + n]
        if self.bad and self.bad[0] == k:
            kind = self.bad[1]
            if kind == "trap":
                raise CallbackTrap()
            if kind == "misalign":
                ptr += 1
            else:
                # aligned, and just past the end
                ptr = (max(0, len(self.memory) - new_size) // align + 1) * align
        return ptr & 0xFFFFFFFF


def reason_of(message: str) -> int:
    """The canon status for a trap message of the model."""
    for needle, name in [("not aligned", "UNALIGNED"), ("out of bounds", "OUT_OF_BOUNDS"),
                         ("string too long", "STRING_TOO_LONG"), ("surrogate", "INVALID_UTF16"),
                         ("utf-8", "INVALID_UTF8"), ("no realloc", "NO_REALLOC")]:
        if needle in message:
            return E[name]
    raise AssertionError(f"model trap without a canon reason: {message}")


def model(src_mem, src_enc, ptr, tagged, dst_mem, dst_enc, alloc):
    """(status, ptr, tagged) by the Python model."""
    try:
        s = cm.load_string_from_range(cm.Context(memory=src_mem, encoding=src_enc), ptr, tagged)
        cx = cm.Context(memory=dst_mem, realloc=alloc, encoding=dst_enc)
        return (0, *cm.store_string_into_range(cx, s))
    except cm.Trap as e:
        return reason_of(str(e)), None, None
    except CallbackTrap:
        return UNREACHABLE, None, None


def c_array(mem: bytearray):
    """A ctypes array sharing mem's bytes (a 1-byte dummy for an empty memory:
    its view says size 0, so it is never read)."""
    return (ctypes.c_uint8 * len(mem)).from_buffer(mem) if mem else (ctypes.c_uint8 * 1)()


class CSide:
    """One transcoding by the C library, with ctypes views of two bytearrays."""

    def __init__(self, lib, src_mem: bytearray, dst_mem: bytearray, alloc: Alloc | None,
                 src_inst=None, dst_inst=None):
        self.lib, self.alloc = lib, alloc
        self._src, self._dst = c_array(src_mem), c_array(dst_mem)
        self.seen_may_leave = []
        self._cb = REALLOC(self._realloc) if alloc is not None else REALLOC()
        self.src = Mem(ctypes.addressof(self._src), len(src_mem), REALLOC(), src_inst, None)
        self.dst = Mem(ctypes.addressof(self._dst), len(dst_mem), self._cb, dst_inst, None)

    def _realloc(self, mem, old, old_size, align, new_size, out):
        inst = mem.contents.inst
        self.seen_may_leave.append(inst.contents.may_leave if inst else None)
        try:
            out[0] = self.alloc(old, old_size, align, new_size)
        except CallbackTrap:
            return UNREACHABLE
        return 0

    def transcode(self, src_enc, ptr, tagged, dst_enc):
        out_ptr, out_tagged = ctypes.c_uint32(), ctypes.c_uint32()
        s = self.lib.wasmaot_canon_transcode(ctypes.byref(self.src), ENC[src_enc], ptr, tagged,
                                             ctypes.byref(self.dst), ENC[dst_enc],
                                             ctypes.byref(out_ptr), ctypes.byref(out_tagged))
        return (s, out_ptr.value, out_tagged.value) if s == 0 else (s, None, None)


def run_both(lib, src_bytes, src_enc, ptr, tagged, dst_enc, dst_size, start=8, bad=None, realloc=True):
    """Transcode on both sides; assert they agree; return the C side's result."""
    results = []
    for side in ("model", "c"):
        src_mem, dst_mem = bytearray(src_bytes), bytearray(dst_size)
        alloc = Alloc(dst_mem, start, bad) if realloc else None
        if side == "model":
            r = model(src_mem, src_enc, ptr, tagged, dst_mem, dst_enc, alloc)
        else:
            r = CSide(lib, src_mem, dst_mem, alloc).transcode(src_enc, ptr, tagged, dst_enc)
        results.append((r, alloc.calls if alloc else None, bytes(dst_mem)))
    (m, m_calls, m_mem), (c, c_calls, c_mem) = results
    assert c == m, f"C {c} != model {m}"
    assert c_calls == m_calls
    assert c_mem == m_mem
    return c, c_calls, c_mem


# ------------------------------------------------------------ generators

CODE_POINTS = st.one_of(
    st.integers(0, 0x7F), st.integers(0x80, 0xFF), st.integers(0x100, 0x7FF), st.integers(0x800, 0xD7FF),
    st.integers(0xD800, 0xDFFF),   # lone surrogates (only some encodings can carry them)
    st.integers(0xE000, 0xFFFF), st.integers(0x10000, 0x10FFFF))


@st.composite
def sources(draw, src_enc):
    """(memory bytes, pointer, tagged code units) of a source string."""
    cps = draw(st.lists(CODE_POINTS, max_size=24))
    text = "".join(map(chr, cps))
    form = draw(st.sampled_from(["text"] * 6 + ["latin1-only", "raw"]))
    if form == "latin1-only":
        text = "".join(chr(c & 0xFF) for c in cps)
    if form == "raw":
        data = draw(st.binary(max_size=24))
        units = len(data) if src_enc == "utf8" else len(data) // 2
        data = data[:units * (1 if src_enc == "utf8" else 2)]
        if src_enc == "latin1+utf16" and draw(st.booleans()):
            units |= TAG
    elif src_enc == "utf8":
        data = text.encode("utf-8", "surrogatepass")   # a surrogate here is invalid UTF-8
        units = len(data)
    elif src_enc == "latin1+utf16" and max(map(ord, text), default=0) < 0x100 and draw(st.booleans()):
        data = text.encode("latin-1")
        units = len(data)
    else:
        data = text.encode("utf-16-le", "surrogatepass")
        units = len(data) // 2 | (TAG if src_enc == "latin1+utf16" else 0)
    length = draw(st.sampled_from(["exact"] * 8 + ["plus", "huge"]))
    if length == "plus":
        units += draw(st.integers(1, 3))
    elif length == "huge":
        units = draw(st.sampled_from([(1 << 28) - 1, 1 << 28, (1 << 27) | TAG, 0xFFFFFFFF]))
    offset = draw(st.integers(0, 5))
    slack = draw(st.integers(0, 3))
    return bytes(offset) + data + bytes(slack), offset, units


DESTINATIONS = st.tuples(
    st.integers(0, 160),                                  # destination memory size
    st.integers(0, 9),                                    # allocator start
    st.one_of(st.none(), st.tuples(st.integers(0, 2), st.sampled_from(["misalign", "oob", "trap"]))),
)

PAIRS = list(itertools.product(cm.ENCODINGS, repeat=2))


@pytest.mark.parametrize("src_enc,dst_enc", PAIRS)
def test_transcode_matches_model(lib, src_enc, dst_enc):
    @settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(src=sources(src_enc), dst=DESTINATIONS)
    def check(src, dst):
        data, ptr, tagged = src
        size, start, bad = dst
        run_both(lib, data, src_enc, ptr, tagged, dst_enc, size, start, bad)

    check()


# ------------------------------------------------------ 32-bit (i386)


@pytest.fixture(scope="module")
def driver32(tmp_path_factory):
    """c/canon_driver.c with the canon layer, for 32-bit x86 (runs natively)."""
    exe = tmp_path_factory.mktemp("canon32") / "canon_driver"
    zig(["-target", "x86-linux-musl", "-static", *CFLAGS, "-I", str(C_DIR), str(C_DIR / "canon_driver.c"),
         *map(str, CANON_SOURCES), "-o", str(exe)])
    return exe


CASES = st.sampled_from(PAIRS).flatmap(lambda p: st.tuples(st.just(p), sources(p[0]), DESTINATIONS))


def model_case(case):
    """The model's (calls line, result line) for one driver case."""
    (src_enc, dst_enc), (data, ptr, tagged), (size, start, bad) = case
    dst_mem = bytearray(size)
    alloc = Alloc(dst_mem, start, bad)
    status, out_ptr, out_tagged = model(bytearray(data), src_enc, ptr, tagged, dst_mem, dst_enc, alloc)
    calls = ";".join(",".join(map(str, c)) for c in alloc.calls) or "-"
    return f"calls {calls}", f"{status} {out_ptr or 0} {out_tagged or 0} {dst_mem.hex() or '-'}"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases=st.lists(CASES, min_size=60, max_size=60))
def test_transcode_on_32_bit_matches_model(driver32, cases):
    lines = []
    for (src_enc, dst_enc), (data, ptr, tagged), (size, start, bad) in cases:
        k, kind = bad if bad else (0, "none")
        lines.append(f"{ENC[src_enc]} {ENC[dst_enc]} {data.hex() or '-'} {ptr} {tagged} {size} {start} {k} {kind[0]}")
    out = subprocess.run([str(driver32)], input="\n".join(lines) + "\n", capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert len(out) == 2 * len(cases)
    for k, case in enumerate(cases):
        assert tuple(out[2 * k:2 * k + 2]) == model_case(case), case


# ------------------------------------------------- hand-written, from the spec


def ok(lib, text_bytes, src_enc, tagged, dst_enc, size=64):
    (s, ptr, out), calls, mem = run_both(lib, text_bytes, src_enc, 0, tagged, dst_enc, size)
    assert s == 0
    return ptr, out, calls, mem


def test_utf16_to_utf8_grows_at_first_non_ascii_then_shrinks(lib):
    # store_string_to_utf8: allocate(1, 5); at 'é' realloc to 3 * 5; shrink to 6
    ptr, n, calls, mem = ok(lib, "héllo".encode("utf-16-le"), "utf16", 5, "utf8")
    assert calls == [(0, 0, 1, 5), (8, 5, 1, 15), (13, 15, 1, 6)]
    assert n == 6 and mem[ptr:ptr + n] == "héllo".encode()


def test_latin1_to_utf8_worst_case_is_twice(lib):
    ptr, n, calls, mem = ok(lib, b"\xe9t\xe9", "latin1+utf16", 3, "utf8")
    assert calls[1][3] == 6 and n == 5 and mem[ptr:ptr + n] == "été".encode()


def test_utf8_to_utf16_allocates_worst_case_and_shrinks(lib):
    ptr, n, calls, mem = ok(lib, "h€".encode(), "utf8", 4, "utf16")
    assert calls == [(0, 0, 2, 8), (8, 8, 2, 4)]
    assert n == 2 and mem[ptr:ptr + 4] == "h€".encode("utf-16-le")


def test_ascii_utf8_to_utf16_needs_no_shrink(lib):
    _, n, calls, _ = ok(lib, b"abc", "utf8", 3, "utf16")
    assert calls == [(0, 0, 2, 6)] and n == 3


def test_utf8_to_latin1_or_utf16_inflates_in_place(lib):
    # 'é' fits Latin-1, '€' does not: inflate "é" to UTF-16, tag the length
    ptr, n, calls, mem = ok(lib, "é€".encode(), "utf8", 5, "latin1+utf16")
    assert calls == [(0, 0, 2, 5), (8, 5, 2, 10), (14, 10, 2, 4)]
    assert n == 2 | TAG and mem[ptr:ptr + 4] == "é€".encode("utf-16-le")


def test_utf8_to_latin1_or_utf16_stays_latin1_and_shrinks(lib):
    ptr, n, calls, mem = ok(lib, "éa".encode(), "utf8", 3, "latin1+utf16")
    assert calls == [(0, 0, 2, 3), (8, 3, 2, 2)]
    assert n == 2 and mem[ptr:ptr + 2] == b"\xe9a"


def test_tagged_utf16_deflates_to_latin1(lib):
    ptr, n, calls, mem = ok(lib, "abé".encode("utf-16-le"), "latin1+utf16", 3 | TAG, "latin1+utf16")
    assert calls == [(0, 0, 2, 6), (8, 6, 1, 3)]
    assert n == 3 and mem[ptr:ptr + 3] == b"ab\xe9"


def test_tagged_utf16_stays_utf16(lib):
    _, n, calls, _ = ok(lib, "a€".encode("utf-16-le"), "latin1+utf16", 2 | TAG, "latin1+utf16")
    assert calls == [(0, 0, 2, 4)] and n == 2 | TAG


def test_latin1_to_utf16_inflates(lib):
    ptr, n, calls, mem = ok(lib, b"\xe9z", "latin1+utf16", 2, "utf16")
    assert calls == [(0, 0, 2, 4)] and n == 2 and mem[ptr:ptr + 4] == "éz".encode("utf-16-le")


def test_non_bmp_round_trip(lib):
    ptr, n, _, mem = ok(lib, "a😀".encode(), "utf8", 5, "utf16")
    assert n == 3 and mem[ptr:ptr + 6] == "a😀".encode("utf-16-le")


def test_empty_string_still_allocates(lib):
    for src, dst in PAIRS:
        _, n, calls, _ = ok(lib, b"", src, 0, dst)
        assert n == 0 and len(calls) >= 1 and calls[0][3] == 0


@pytest.mark.parametrize("data,enc,tagged,reason", [
    (b"\x00\xd8", "utf16", 1, "INVALID_UTF16"),               # lone high surrogate at the end
    (b"\x00\xdc\x41\x00", "utf16", 2, "INVALID_UTF16"),       # lone low surrogate
    (b"\x00\xd8\x41\x00", "latin1+utf16", 2 | TAG, "INVALID_UTF16"),
    (b"\xed\xa0\x80", "utf8", 3, "INVALID_UTF8"),             # an encoded surrogate
    (b"\xc0\xaf", "utf8", 2, "INVALID_UTF8"),                 # overlong
    (b"\xf4\x90\x80\x80", "utf8", 4, "INVALID_UTF8"),         # beyond U+10FFFF
    (b"\xe2\x82", "utf8", 2, "INVALID_UTF8"),                 # truncated
    (b"", "utf8", (1 << 28), "STRING_TOO_LONG"),              # MAX_STRING_BYTE_LENGTH + 1
    (b"", "utf8", (1 << 28) - 1, "OUT_OF_BOUNDS"),            # exactly the maximum: bounds next
    (b"", "utf16", 1 << 27, "STRING_TOO_LONG"),               # 2 * units > maximum
    (b"", "latin1+utf16", (1 << 27) | TAG, "STRING_TOO_LONG"),
])
def test_invalid_sources_trap_before_any_realloc(lib, data, enc, tagged, reason):
    for dst in cm.ENCODINGS:
        (s, _, _), calls, _ = run_both(lib, data, enc, 0, tagged, dst, 64)
        assert s == E[reason] and calls == []


def test_unaligned_utf16_source_traps(lib):
    (s, _, _), _, _ = run_both(lib, b"\x00a\x00", "utf16", 1, 1, "utf8", 64)
    assert s == E["UNALIGNED"]


@pytest.mark.parametrize("kind,reason", [("misalign", "UNALIGNED"), ("oob", "OUT_OF_BOUNDS"),
                                         ("trap", None)])
def test_bad_realloc_results_trap(lib, kind, reason):
    (s, _, _), calls, _ = run_both(lib, b"abc", "utf8", 0, 3, "utf16", 64, bad=(0, kind))
    assert s == (E[reason] if reason else UNREACHABLE) and len(calls) == 1


def test_no_realloc_traps(lib):
    (s, _, _), _, _ = run_both(lib, b"abc", "utf8", 0, 3, "utf16", 64, realloc=False)
    assert s == E["NO_REALLOC"]


# -------------------------------------------------- instances and views


def test_realloc_runs_with_may_leave_clear_and_a_trap_poisons(lib):
    src_i, dst_i = Instance(), Instance()
    for inst in (src_i, dst_i):
        inst.may_leave, inst.may_enter = 1, 1
    dst_mem = bytearray(64)
    side = CSide(lib, bytearray("é".encode()), dst_mem, Alloc(dst_mem, 8), ctypes.pointer(src_i),
                 ctypes.pointer(dst_i))
    s, _, n = side.transcode("utf8", 0, 2, "utf16")
    assert (s, n) == (0, 1)
    assert side.seen_may_leave == [0, 0] and dst_i.may_leave == 1   # cleared during, restored after
    assert src_i.trap == 0 and dst_i.trap == 0
    s, _, _ = side.transcode("utf8", 1, 1, "utf16")                  # a continuation byte alone
    assert s == E["INVALID_UTF8"]
    assert src_i.trap == dst_i.trap == s and src_i.may_enter == dst_i.may_enter == 0


def string_check(lib, data: bytes, enc: str, tagged: int):
    mem_bytes = bytearray(data)
    buf = c_array(mem_bytes)
    mem = Mem(ctypes.addressof(buf), len(mem_bytes), REALLOC(), None, None)
    info = StringInfo()
    s = lib.wasmaot_canon_string_check(ctypes.byref(mem), ENC[enc], 0, tagged, ctypes.byref(info))
    return s, (info.code_points, info.utf8_bytes, info.utf16_units, info.max_code_point)


def test_string_check_reports_lengths(lib):
    data = "aé€😀".encode()
    assert string_check(lib, data, "utf8", len(data)) == (0, (4, 10, 5, 0x1F600))


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=80), st.text(st.characters(max_codepoint=0x7F), max_size=80)),
       enc=st.sampled_from(cm.ENCODINGS))
@example(text="z" + "a" * 39, enc="utf8")
def test_string_check_facts_match_python(lib, text, enc):
    """Lengths and largest code point of valid strings (long ASCII runs included)."""
    if enc == "utf8":
        data, tagged = text.encode(), len(text.encode())
    elif enc == "latin1+utf16" and max(map(ord, text), default=0) < 0x100:
        data, tagged = text.encode("latin-1"), len(text)
    else:
        data = text.encode("utf-16-le")
        tagged = len(data) // 2 | (TAG if enc == "latin1+utf16" else 0)
    facts = (len(text), len(text.encode()), len(text.encode("utf-16-le")) // 2, max(map(ord, text), default=0))
    assert string_check(lib, data, enc, tagged) == (0, facts)


def test_same_memory_for_source_and_destination(lib):
    """A string copied within one memory (one view for both sides)."""
    mem = bytearray(64)
    mem[0:6] = "h€".encode("utf-16-le") + b"\0\0"
    buf = (ctypes.c_uint8 * len(mem)).from_buffer(mem)
    alloc = Alloc(mem, 16)

    def realloc(m, old, old_size, align, new_size, out):
        out[0] = alloc(old, old_size, align, new_size)
        return 0

    cb = REALLOC(realloc)
    view = Mem(ctypes.addressof(buf), len(mem), cb, None, None)
    out_ptr, out_n = ctypes.c_uint32(), ctypes.c_uint32()
    s = lib.wasmaot_canon_transcode(ctypes.byref(view), 1, 0, 2, ctypes.byref(view), 0,
                                          ctypes.byref(out_ptr), ctypes.byref(out_n))
    assert s == 0 and mem[out_ptr.value:out_ptr.value + out_n.value] == "h€".encode()
