"""Parallel code generation (backends/codegen.py): a module split into
partitions compiles to the same bytes for any -j, runs correctly, and the
splitter keeps symbols local unless another partition uses them."""
from __future__ import annotations

import subprocess
import sys

import pytest

from wasmaot.backends import CompileOptions, codegen

N_FUNCS = 40


def _wat() -> str:
    """A chain of functions (each calls the previous one, so calls cross
    partitions), a data segment and a table for call_indirect."""
    funcs = ["(func $f0 (type $t) (i32.add (local.get 0) (i32.load8_u (i32.const 16))))"]
    for i in range(1, N_FUNCS):
        funcs.append(
            f"(func $f{i} (type $t) (local $y i32)\n"
            f"  (local.set $y (call $f{i - 1} (i32.xor (local.get 0) (i32.const {i}))))\n"
            f"  (local.set $y (i32.add (i32.mul (local.get $y) (i32.const 31)) (i32.const {i})))\n"
            f"  (local.set $y (i32.rotl (local.get $y) (i32.const {i % 31})))\n"
            f"  (i32.xor (local.get $y) (i32.shr_u (local.get $y) (i32.const 7))))")
    return ("(module\n  (type $t (func (param i32) (result i32)))\n  (memory 1)\n"
            '  (data (i32.const 16) "\\01\\02")\n  (table 4 funcref)\n'
            "  (elem (i32.const 0) $f0 $f1 $f2 $f3)\n  " + "\n  ".join(funcs) +
            f'\n  (func (export "main") (result i32)\n'
            f"    (i32.add (call $f{N_FUNCS - 1} (i32.const 5))\n"
            "      (call_indirect (type $t) (i32.const 3) (i32.const 2)))))\n")


def _expected() -> int:
    def f(i, x):
        if i == 0:
            return (x + 1) & 0xFFFFFFFF
        y = f(i - 1, x ^ i)
        y = (y * 31 + i) & 0xFFFFFFFF
        r = i % 31
        y = ((y << r) | (y >> (32 - r))) & 0xFFFFFFFF if r else y
        return y ^ (y >> 7)
    v = (f(N_FUNCS - 1, 5) + f(2, 3)) & 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v       # printed as a signed i32


@pytest.fixture
def small_parts(monkeypatch):
    """Partitions of a few KB, so the test module has several."""
    monkeypatch.setattr(codegen, "PART_BYTES", 12_000)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("WASMAOT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cg-cache"))


def _compile(emit, jobs, out=None, opt=2):
    from wasmaot.compile import compile_bytes
    return compile_bytes(_wat().encode(), "chain.wat", CompileOptions(opt_level=opt, jobs=jobs),
                         emit=emit, out=out, invoke="main")


def test_module_is_split_into_several_partitions(small_parts):
    res = _compile("llvm", 1)
    assert res.codegen_report.startswith("codegen: ")
    k = int(res.codegen_report.split()[1])
    assert k >= 3
    # --emit llvm prints every partition, in order, after a marker line.
    for i in range(k):
        assert f"; ---- partition {i}/{k} ----\n" in res.data
    chunks = res.data.split("; ---- partition ")[1:]
    assert len(chunks) == k and all("\ndefine " in c for c in chunks)
    asm = _compile("asm", 2).data
    assert asm.count("# ---- partition ") == k and "wasm_module:" in asm


def test_objects_and_executables_identical_for_any_jobs(small_parts, tmp_path):
    objs = {j: _compile("obj", j).data for j in (1, 2)}
    assert objs[1] == objs[2]
    assert objs[1][:4] == b"\x7fELF"
    exes = {}
    for j in (1, 2):
        _compile("exe", j, out=str(tmp_path / f"chain-j{j}"))
        exes[j] = (tmp_path / f"chain-j{j}").read_bytes()
    assert exes[1] == exes[2]
    p = subprocess.run([str(tmp_path / "chain-j2")], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [str(_expected())]


def test_split_and_whole_module_compute_the_same(small_parts, tmp_path, monkeypatch):
    _compile("exe", 2, out=str(tmp_path / "split"), opt=0)
    monkeypatch.setattr(codegen, "PART_BYTES", 10**9)
    res = _compile("exe", 2, out=str(tmp_path / "whole"), opt=0)
    assert res.codegen_report.startswith("codegen: 1 partition(s)")
    outs = [subprocess.run([str(tmp_path / n)], capture_output=True, text=True, timeout=60).stdout
            for n in ("split", "whole")]
    assert outs[0] == outs[1] == f"{_expected()}\n"


LL = """target triple = "x86_64-unknown-linux-musl"

@g.private = private unnamed_addr constant [4 x i8] c"abc\\00", align 1
@g.table = internal constant [2 x ptr] [
  ptr @a,
  ptr @b
], align 8
@g.ext = global i32 0
@rt.limit = external global i64
declare void @rt.trap(i32) noreturn nounwind
define internal i32 @a(i32 %x) #0 {
entry:
  %y = call i32 @a.helper(i32 %x)
  ret i32 %y
}
define internal i32 @a.helper(i32 %x) #0 {
entry:
  %p = load i8, ptr @g.private
  %z = zext i8 %p to i32
  %r = add i32 %x, %z
  ret i32 %r
}
define internal i32 @b(i32 %x) #0 {
entry:
  %y = call i32 @a(i32 %x)
  %l = load i64, ptr @rt.limit
  ret i32 %y
}
define i32 @b.exported(i32 %x) #0 {
entry:
  %y = call i32 @b(i32 %x)
  %t = load ptr, ptr @g.table
  ret i32 %y
}
attributes #0 = { nounwind }
"""


def _defs(text: str) -> dict[str, str]:
    """name -> the line defining or declaring it."""
    out = {}
    for line in text.splitlines():
        for word in ("define ", "declare ", "@"):
            if line.startswith(word) and "@" in line:
                name = line.split("@", 1)[1].split("(")[0].split(" ")[0]
                out.setdefault(name, line)
    return out


def test_splitter_makes_only_cross_partition_symbols_hidden():
    parts = codegen.split_module(LL, part_bytes=len(LL) // 2)
    assert [p.functions for p in parts] == [2, 2]
    p0, p1 = (_defs(p.text) for p in parts)
    # a.helper is used only beside its definition: it stays internal.
    assert p0["a.helper"].startswith("define internal i32 @a.helper")
    assert "a.helper" not in p1
    # a is called from partition 1, the table (partition 0) takes b's address.
    assert p0["a"].startswith("define hidden i32 @a(")
    assert p1["a"].startswith("declare hidden i32 @a(")
    assert p1["b"].startswith("define hidden i32 @b(")
    assert p0["b"].startswith("declare hidden i32 @b(")
    # globals live in partition 0; a private one used elsewhere would be
    # declared there, this one is not used elsewhere and stays private.
    assert p0["g.private"].startswith("@g.private = private")
    assert p0["g.table"].startswith("@g.table = hidden constant")
    assert p1["g.table"] == "@g.table = external hidden constant [2 x ptr]"
    assert "g.ext" not in p1
    # declarations of outside symbols go to every partition.
    assert "@rt.limit = external global i64" in parts[1].text
    assert "declare void @rt.trap" in parts[0].text
    llvm = codegen.llvm_binding()
    for p in parts:                      # every partition is a valid module
        llvm.parse_assembly(p.text).verify()


def test_small_module_is_compiled_whole_and_unchanged():
    (part,) = codegen.split_module(LL)
    assert part.text is LL and part.functions == 4


def test_unknown_top_level_construct_is_not_split():
    text = LL + "@alias = alias i32 (i32), ptr @a\n"
    (part,) = codegen.split_module(text, part_bytes=len(text) // 3)
    assert part.text is text


def _tree_module(n: int) -> str:
    """``n`` functions, f(k) calling f(2k+1) and f(2k+2) (a binary tree in
    breadth-first index order: its subtrees are not contiguous in text
    order), and a wrapper after all of them calling f0."""
    out = []
    for k in range(n):
        calls = "".join(f"  call void @f{c}()\n" for c in (2 * k + 1, 2 * k + 2) if c < n)
        out.append(f"define internal void @f{k}() {{\nentry:\n{calls}  ret void\n}}\n")
    out.append("define void @main() {\nentry:\n  call void @f0()\n  ret void\n}\n")
    return "".join(out)


def test_partitions_follow_the_call_graph_not_the_index_order():
    """Partitions are contiguous in affinity order (depth first through
    calls), so most calls stay inside a partition, where LLVM may inline
    them and drop the callee; in index order nearly every call of a
    breadth-first tree crosses partitions."""
    text = _tree_module(127)
    parts = codegen.split_module(text, part_bytes=len(text) // 4)
    assert len(parts) == 4 and sum(p.functions for p in parts) == 128
    hidden = sum(p.text.count("define hidden") for p in parts)
    assert hidden <= 8                     # in index order: 102 are
    names = [ln.split("@")[1].split("(")[0] for p in parts for ln in p.text.splitlines()
             if ln.startswith("define")]
    assert names[:4] == ["f0", "f1", "f3", "f7"]          # preorder: depth first
    assert names == [it.name for it in codegen.affinity_order(
        [it for it in codegen.scan_items(text) if it.kind == "define"],
        {it.name: set(codegen._REF_RE.findall(it.text)) for it in codegen.scan_items(text)
         if it.kind == "define"})]


def test_affinity_order_groups_callers_with_their_callee():
    """A wrapper that calls a function (an export entry, a trampoline)
    follows it, wherever it was in the text."""
    text = ("".join(f"define internal void @f{k}() {{\nentry:\n  ret void\n}}\n" for k in range(3))
            + "".join(f"define void @w{k}() {{\nentry:\n  call void @f{k}()\n  ret void\n}}\n"
                      for k in range(3)))
    items = [it for it in codegen.scan_items(text) if it.kind == "define"]
    refs = {it.name: set(codegen._REF_RE.findall(it.text)) for it in items}
    assert [it.name for it in codegen.affinity_order(items, refs)] == ["f0", "w0", "f1", "w1", "f2", "w2"]


def test_cuts_are_balanced_and_contiguous():
    assert codegen._cuts([1] * 10, 2) == [5]
    assert codegen._cuts([9, 1, 1, 1, 1, 1, 1, 1, 1, 1], 2) == [1]
    assert codegen._cuts([1, 1, 1, 1, 1, 1, 1, 1, 1, 9], 2) == [9]
    assert codegen._cuts([3, 3, 3], 3) == [1, 2]


def test_jobs_is_not_part_of_the_cache_key():
    a, b = CompileOptions(jobs=1), CompileOptions(jobs=2)
    assert a.cache_key() == b.cache_key() and a == b
    with pytest.raises(ValueError):
        CompileOptions(jobs=-1)


def test_cli_jobs_and_time_passes_report(tmp_path):
    src = tmp_path / "m.wat"
    src.write_text('(module (func (export "f") (result i32) (i32.const 7)))')
    cmd = [sys.executable, "-m", "wasmaot", "compile", str(src), "--emit", "obj",
           "-o", str(tmp_path / "m.o")]
    p = subprocess.run([*cmd, "-j", "2", "--time-passes"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "codegen: 1 partition(s), 1 worker(s)" in p.stderr
    assert "llvm:optimize" in p.stderr
    p = subprocess.run([*cmd, "-j", "0"], capture_output=True, text=True)
    assert p.returncode == 2 and p.stderr.startswith("wasmaot: error:")


def test_partition_count_is_even_once_split():
    """An odd count would leave one of 2 workers compiling the last
    partition alone; the count still depends on the text size only."""
    assert [codegen.partition_count(n, 100) for n in (10, 149, 150, 250, 260, 449, 450, 5000)] == \
        [1, 1, 2, 2, 4, 4, 4, 50]


def test_many_tiny_functions_count_towards_a_split():
    """FUNC_BYTES: 1,000 exports (3,005 functions in 1.1 MB) split in 2,
    a bench kernel (a few hundred functions, 0.8 MB) does not, and the
    same 1.1 MB of a few large functions does not either."""
    assert codegen.partition_count(1_160_000, None, 3005) == 2
    assert codegen.partition_count(800_000, None, 300) == 1
    assert codegen.partition_count(1_160_000, None, 20) == 1
