"""Trap backtraces (issue 11; wasmaot_rt.h section 9, backends/ABI.md
"Trap backtraces"): a trapping executable prints ``wasm trap: MSG``, then
``wasm backtrace:`` and one line per Wasm frame, innermost first, from the
table the backend emits -- in stripped executables (the default), for
explicit traps (wasmaot_trap) and guard-page traps (signal), on x86-64 and
under qemu on the cross targets.

Frames are native frames: at -O0 every Wasm call is one; at -O2 LLVM
inlines small callees into their callers (and into the export's
trampoline), which then stand for them.  So the exact chain is checked at
-O0 and a subsequence of it at -O2.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from wasmaot.backends import CompileOptions
from wasmaot.backends.targets import get_target
from wasmaot.compile import compile_bytes

from ..cross.conftest import require_runner
from .test_build import elf_info

# $leaf traps in four ways, two calls below the export $top.
NAMED = r"""
(module
  (memory 1)
  (func $leaf (param $how i32) (param $x i32) (result i32)
    (if (i32.eq (local.get $how) (i32.const 0)) (then unreachable))
    (if (i32.eq (local.get $how) (i32.const 1))
      (then (return (i32.div_u (i32.const 10) (local.get $x)))))
    (if (i32.eq (local.get $how) (i32.const 2))
      (then (return (i32.load (local.get $x)))))
    (memory.fill (local.get $x) (i32.const 0) (i32.const 16))
    (i32.const 0))
  (func $mid (param i32 i32) (result i32)
    (i32.add (i32.const 1) (call $leaf (local.get 0) (local.get 1))))
  (func $top (export "top") (param i32 i32) (result i32)
    (call $mid (local.get 0) (local.get 1)))
  (func $rec (export "exhaust") (param i32) (result i32)
    (i32.add (i32.const 1) (call $rec (local.get 0))))
  (table funcref (elem $mid))
  (type $t (func (param i32 i32) (result i32)))
  (func $indirect (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $t) (local.get 0) (local.get 1) (i32.const 0)))
)
"""

# The same without a name section (no $identifiers): functions 0, 1, 2.
UNNAMED = r"""
(module
  (memory 1)
  (func (param i32) (result i32) (i32.div_u (i32.const 10) (local.get 0)))
  (func (param i32) (result i32) (i32.add (i32.const 1) (call 0 (local.get 0))))
  (func (export "top") (param i32) (result i32) (call 1 (local.get 0)))
)
"""

# how -> (message, bad argument)
TRAPS = {
    "unreachable": (0, "unreachable", 0),
    "divide": (1, "integer divide by zero", 0),
    "load": (2, "out of bounds memory access", 70000),
    "fill": (3, "out of bounds memory access", 70000),     # trap inside the runtime (memory.fill)
}

_FRAME = re.compile(r"^ +(\d+): +(0x[0-9a-f]+|\?) - (.*)!(.*)$")


def build(tmp_path, wat: str, name: str, *, opt: int = 0, bounds: str = "guard",
          target: str = "x86_64-linux", preloads=(), strip: bool = True, stack_check: bool = True):
    src = tmp_path / f"{name}.wat"
    src.write_text(wat)
    out = tmp_path / name
    opts = CompileOptions(target=target, opt_level=opt, bounds=bounds, stack_check=stack_check)
    compile_bytes(src.read_bytes(), str(src), opts, out=str(out), strip=strip, preloads=list(preloads))
    return out


def run(exe, *args, target="x86_64-linux"):
    prefix = require_runner(target) if get_target(target).run_command_prefix() else ()
    return subprocess.run([*prefix, str(exe), *map(str, args)], check=False, capture_output=True, text=True, timeout=120)


def frames(stderr: str) -> list[tuple[str, str, str]]:
    """(offset, instance, function) per frame; asserts the report's shape."""
    lines = stderr.splitlines()
    assert lines[0].startswith("wasm trap: "), stderr
    assert lines[1] == "wasm backtrace:", stderr
    out = []
    for k, line in enumerate(lines[2:]):
        if line.startswith("    ... "):
            break
        m = _FRAME.match(line)
        assert m, f"bad frame line {line!r} in\n{stderr}"
        assert int(m.group(1)) == k
        out.append(m.group(2, 3, 4))
    return out


def names(stderr: str) -> list[str]:
    return [f"{inst}!{fn}" for _, inst, fn in frames(stderr)]


def is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(x in it for x in small)


def section_names(path) -> set[str]:
    """Section names of an ELF64 little-endian file."""
    import struct
    data = path.read_bytes()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    def sh(i):
        return struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
    stroff = sh(shstrndx)[4]
    return {data[stroff + sh(i)[0]:data.index(b"\0", stroff + sh(i)[0])].decode() for i in range(shnum)}


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
@pytest.mark.parametrize("trap", sorted(TRAPS))
def test_three_deep_stripped(tmp_path, trap, bounds):
    exe = build(tmp_path, NAMED, "named", bounds=bounds)
    secs = section_names(exe)
    assert ".symtab" not in secs and "wasmaot_bt" in secs and "wasmaot_text" in secs
    how, msg, arg = TRAPS[trap]
    r = run(exe, "--invoke", "top", how, arg)
    assert r.returncode == 134, r.stderr
    assert r.stderr.splitlines()[0] == f"wasm trap: {msg}"
    assert names(r.stderr) == ["<unknown>!leaf", "<unknown>!mid", "<unknown>!top"], r.stderr


@pytest.mark.parametrize("target", ["x86_64-linux", "aarch64-linux"])
def test_frames_come_from_unwind_tables_on_x86_64(target):
    """x86-64 (Target.backtrace "unwind-tables"): generated functions set up
    no frame pointer (rbp is allocatable) and carry CFI, which libunwind
    walks; AArch64 keeps its frame records for the frame-pointer walk.  The
    traps above show that the walk still finds every frame."""
    opts = CompileOptions(target=target, opt_level=2)
    asm = compile_bytes(NAMED.encode(), "named.wat", opts, emit="asm").data
    asm = asm.decode() if isinstance(asm, bytes) else asm
    bodies = re.findall(r"^wasm\.f\d+:\n(.*?)^\.Lfunc_end", asm, re.S | re.M)
    assert len(bodies) >= 3, asm[:2000]
    for body in bodies:
        if target.startswith("x86_64"):
            assert ".cfi_startproc" in body and not re.search(r"movq\s+%rsp, %rbp", body), body
        else:
            assert re.search(r"mov\s+x29, sp", body) and ".cfi_" not in body, body


def test_no_name_section(tmp_path):
    exe = build(tmp_path, UNNAMED, "unnamed")
    r = run(exe, "--invoke", "top", 0)
    assert r.returncode == 134
    assert names(r.stderr) == ["<unknown>!<wasm function 0>", "<unknown>!<wasm function 1>",
                               "<unknown>!<wasm function 2>"], r.stderr


@pytest.mark.parametrize("trap", ["divide", "load"])
def test_optimized_frames_are_the_chain_or_inlined(tmp_path, trap):
    exe = build(tmp_path, NAMED, "o2", opt=2)
    how, _msg, arg = TRAPS[trap]
    r = run(exe, "--invoke", "top", how, arg)
    assert r.returncode == 134
    got = names(r.stderr)
    # The export's trampoline stands for $top: the outermost frame is always it.
    assert got and got[-1] == "<unknown>!top", r.stderr
    assert is_subsequence(got, ["<unknown>!leaf", "<unknown>!mid", "<unknown>!top"]), r.stderr


def test_call_indirect_entry_adds_no_frame(tmp_path):
    exe = build(tmp_path, NAMED, "ind")
    r = run(exe, "--invoke", "indirect", 1, 0)
    assert names(r.stderr) == ["<unknown>!leaf", "<unknown>!mid", "<unknown>!indirect"], r.stderr


@pytest.mark.parametrize("stack_check", [True, False], ids=["explicit-check", "guard-page"])
def test_stack_exhaustion_is_bounded(tmp_path, stack_check):
    """Explicit prologue check (wasmaot_trap), or the guard page (SIGSEGV on
    the alternate stack, walked from the ucontext): 64 frames, then a count."""
    exe = build(tmp_path, NAMED, "rec", stack_check=stack_check)
    r = run(exe, "--invoke", "exhaust", 0)
    assert r.returncode == 134
    assert r.stderr.splitlines()[0] == "wasm trap: call stack exhausted"
    got = names(r.stderr)
    assert len(got) == 64 and set(got) == {"<unknown>!rec"}, r.stderr[:500]
    more = r.stderr.splitlines()[-1]
    assert re.fullmatch(r"    \.\.\. \d+ more frames", more), more


def test_preload_instances_are_named(tmp_path):
    lib = tmp_path / "lib.wat"
    lib.write_text(r"""(module
      (func $boom (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
      (func $checked (export "checked") (param i32) (result i32) (call $boom (local.get 0))))""")
    app = r"""(module
      (import "lib" "checked" (func $checked (param i32) (result i32)))
      (func $run (export "run") (param i32) (result i32) (call $checked (local.get 0))))"""
    exe = build(tmp_path, app, "app", preloads=[("lib", str(lib))])
    r = run(exe, "--invoke", "run", 0)
    assert r.returncode == 134
    assert names(r.stderr) == ["lib!boom", "lib!checked", "<unknown>!run"], r.stderr


def test_no_trap_no_backtrace(tmp_path):
    exe = build(tmp_path, NAMED, "ok")
    r = run(exe, "--invoke", "top", 1, 5)
    assert r.returncode == 0 and r.stdout == "3\n" and r.stderr == ""


def test_offsets_are_printed_when_known(tmp_path, monkeypatch):
    """The plumbing from the IR to the report, with offsets supplied as the
    translator would (the IR has none yet: next test)."""
    from wasmaot.backends.llvm import backtrace
    fake = {"leaf": 0x2A, "mid": 0x1234, "top": 0xABCDEF}
    monkeypatch.setattr(backtrace, "body_offset", lambda decl: fake.get(decl.name))
    exe = build(tmp_path, NAMED, "fake-off")
    r = run(exe, "--invoke", "top", 1, 0)
    assert r.stderr.splitlines()[2:5] == ["    0:     0x2a - <unknown>!leaf",
                                          "    1:   0x1234 - <unknown>!mid",
                                          "    2: 0xabcdef - <unknown>!top"], r.stderr


def test_frames_have_wasm_offsets(tmp_path):
    """Each frame's offset is its function's body offset in the module, as
    our decoder (and `wasmaot inspect`) reports it."""
    from wasmaot.frontend.load import load_module
    exe = build(tmp_path, NAMED, "off")
    r = run(exe, "--invoke", "top", 1, 0)
    m = load_module((tmp_path / "off.wat").read_bytes(), "off.wat")
    body = {name: m.funcs[i].body_start for i, name in enumerate(["leaf", "mid", "top"])}
    got = [(off, fn) for off, _, fn in frames(r.stderr)]
    assert got == [(hex(body[fn]), fn) for fn in ("leaf", "mid", "top")], r.stderr


@pytest.mark.parametrize("target", ["aarch64-linux", "riscv64-linux"])
@pytest.mark.parametrize("trap", ["divide", "load"])
def test_cross_target(tmp_path, target, trap):
    require_runner(target)
    exe = build(tmp_path, NAMED, f"x-{target}", target=target)
    how, msg, arg = TRAPS[trap]
    r = run(exe, "--invoke", "top", how, arg, target=target)
    assert r.returncode == 134, r.stderr
    assert r.stderr.splitlines()[0] == f"wasm trap: {msg}"
    assert names(r.stderr) == ["<unknown>!leaf", "<unknown>!mid", "<unknown>!top"], r.stderr


def test_partitioned_module(tmp_path, monkeypatch):
    """A module compiled in several partitions (backends/codegen.py): the
    table lives in partition 0 and refers to functions of every partition."""
    from wasmaot.backends import codegen
    monkeypatch.setattr(codegen, "PART_BYTES", 1500)
    filler = "".join(f"(func $f{i} (export \"f{i}\") (param i32) (result i32) "
                     f"(i32.mul (local.get 0) (i32.const {i + 3})))\n" for i in range(12))
    wat = NAMED.rstrip().removesuffix(")") + filler + ")"
    llvm = compile_bytes(wat.encode(), "parts.wat", CompileOptions(opt_level=0), emit="llvm").data
    assert "---- partition 2/" in llvm          # really split
    exe = build(tmp_path, wat, "parts")
    r = run(exe, "--invoke", "top", 2, 70000)
    assert r.returncode == 134
    assert names(r.stderr) == ["<unknown>!leaf", "<unknown>!mid", "<unknown>!top"], r.stderr


def test_compiled_out(builder):
    """WASMAOT_BACKTRACE=0 (bare metal's default) builds a POSIX runtime
    without the walker and printer, warning-free; bare metal's own configs
    are built by test_build.py."""
    # The x86-64 config walks with libunwind, which needs the backtrace:
    # turning one off alone is a contradiction (test_unwind_walk_needs_a_backtrace_on_x86_64).
    build = builder.build("x86_64-linux-musl", extra_cflags=["-DWASMAOT_BACKTRACE=0",
                                                             "-UWASMAOT_BACKTRACE_UNWIND"])
    defined = set()
    for obj in build.objects:
        defined |= set(elf_info(obj)[2])
    assert "wasmaot_trap" in defined
    assert not any(s.startswith("wasmaot_backtrace_") for s in defined), defined


def test_constants_match_the_header(tmp_path):
    """backtrace.py's numbers and layout are wasmaot_rt.h's (section 9)."""
    from wasmaot.backends.llvm import backtrace as bt
    from wasmaot.runtime import root
    checks = [("WASMAOT_BT_VERSION", bt.VERSION), ("WASMAOT_BT_GLUE", bt.GLUE),
              ("WASMAOT_BT_NO_OFFSET", bt.NO_OFFSET), ("sizeof(wasmaot_bt_prefix)", 16),
              ("sizeof(wasmaot_bt_instance)", 24),   # [6 x i32] in _header
              ("offsetof(wasmaot_bt_instance, names_index)", 16),
              ("offsetof(wasmaot_bt_instance, names)", 20)]
    src = tmp_path / "bt_check.c"
    src.write_text('#include "wasmaot_rt.h"\n' + "".join(
        f'_Static_assert({c} == {v}u, "{c}");\n' for c, v in checks))
    r = subprocess.run([sys.executable, "-m", "ziglang", "cc", "-target", "x86_64-linux-musl", "-std=c11",
                        f"-I{root() / 'include'}", "-c", str(src), "-o", str(tmp_path / "bt_check.o")],
                       check=False, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("zig_target, defines, ok", [
    ("x86_64-linux-musl", ["-DWASMAOT_PLATFORM_POSIX=1", "-DWASMAOT_BACKTRACE_UNWIND=1"], True),
    ("x86_64-linux-musl", ["-DWASMAOT_PLATFORM_POSIX=1", "-DWASMAOT_BACKTRACE=0",
                           "-DWASMAOT_BACKTRACE_UNWIND=1"], False),
    ("aarch64-linux-musl", ["-DWASMAOT_PLATFORM_POSIX=1", "-DWASMAOT_BACKTRACE_UNWIND=1"], False),
])
def test_unwind_walk_needs_a_backtrace_on_x86_64(tmp_path, zig_target, defines, ok):
    """WASMAOT_BACKTRACE_UNWIND is the libunwind walk of the x86-64 POSIX
    backtrace: asked for without a backtrace or on another architecture, the
    header stops the build with #error instead of compiling a walk that
    cannot work."""
    from wasmaot.runtime import root
    src = tmp_path / "unwind_check.c"
    src.write_text('#include "wasmaot_rt.h"\nint x;\n')
    r = subprocess.run([sys.executable, "-m", "ziglang", "cc", "-target", zig_target, "-std=c11", *defines,
                        f"-I{root() / 'include'}", "-c", str(src), "-o", str(tmp_path / "u.o")],
                       check=False, capture_output=True, text=True)
    assert (r.returncode == 0) == ok, r.stderr
    if not ok:
        assert "WASMAOT_BACKTRACE_UNWIND needs WASMAOT_BACKTRACE on x86-64 POSIX" in r.stderr
