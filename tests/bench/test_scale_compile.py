"""What the scale fixes changed in generated code, checked end to end:

* data segments live in one byte array ``P.data``; above
  ``BLOB_INLINE_MAX`` its bytes are an object of their own
  (``codegen.data_object``), not LLVM text;
* element segments of ``ref.func``/``ref.null`` items are a table of
  offsets and a loop in ``instantiate``; other items stay code;
* ``instantiate`` and ``__wasmaot_init`` are cut into blocks of 64 items.

Each program computes something from every byte or entry, compared with
the value computed here."""
from __future__ import annotations

import random
import struct
import subprocess
import sys

import pytest
from wasmaot.backends import CompileOptions, codegen, compile_ir
from wasmaot.backends.llvm.common import BLOB_INLINE_MAX
from wasmaot.frontend.load import load_module
from wasmaot.ir.translate import translate_module


def _wat_bytes(data: bytes) -> str:
    return "".join(f"\\{b:02x}" for b in data)


def _checksum(mem: bytes) -> int:
    """The ``sum`` export's result, as the executable prints an i32 (signed)."""
    acc = 0
    for b in mem:
        acc = (acc * 31 + b) & 0xFFFFFFFF
    return acc - (1 << 32) if acc >> 31 else acc


def _compile_run(tmp_path, wat: str, *args: str, emit: str | None = None) -> subprocess.CompletedProcess:
    src = tmp_path / "m.wat"
    src.write_text(wat)
    exe = tmp_path / "m"
    cmd = [sys.executable, "-m", "wasmaot", "compile", str(src), "-o", str(exe), "-j", "1"]
    subprocess.run(cmd, check=True, capture_output=True)
    return subprocess.run([str(exe), *args], check=False, capture_output=True, text=True)


SUM = """
  (func (export "sum") (param $lo i32) (param $hi i32) (result i32) (local $acc i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $lo) (local.get $hi)))
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31))
                               (i32.load8_u (local.get $lo))))
      (local.set $lo (i32.add (local.get $lo) (i32.const 1)))
      (br $l)))
    (local.get $acc))"""


@pytest.mark.parametrize("big", [BLOB_INLINE_MAX + 1000, 3000])
def test_data_segments_arrive_byte_exact(tmp_path, big):
    """A big segment (its own object) or a small one (LLVM text), 200 tiny
    segments (several blocks of __wasmaot_init), one overwriting another
    (order), and a passive one copied by memory.init."""
    rnd = random.Random(big)
    blob = rnd.randbytes(big)
    small = [rnd.randbytes(1 + k % 7) for k in range(200)]
    passive = rnd.randbytes(33)
    mem = bytearray(4 * 65536)
    segs = [f'(data (i32.const 16) "{_wat_bytes(blob)}")']
    base = 16 + big + 64
    for k, d in enumerate(small):
        segs.append(f'(data (i32.const {base + 8 * k}) "{_wat_bytes(d)}")')
    segs.append(f'(data (i32.const 20) "{_wat_bytes(b"overwrite")}")')   # after the big one
    segs.append(f'(data $p "{_wat_bytes(passive)}")')
    mem[16:16 + big] = blob
    for k, d in enumerate(small):
        mem[base + 8 * k:base + 8 * k + len(d)] = d
    mem[20:29] = b"overwrite"
    end = base + 8 * len(small) + 8
    mem[end:end + 33] = passive
    wat = (f"(module (memory 4) {' '.join(segs)} {SUM}\n"
           f'  (func (export "init") (memory.init $p (i32.const {end}) (i32.const 0) (i32.const 33))))')
    r = _compile_run(tmp_path, wat, "--invoke", "sum", "0", str(end))
    assert (r.returncode, r.stdout.strip()) == (0, str(_checksum(mem[:end])))
    # memory.init from the passive segment, then the checksum: one run per
    # invoke, so check the passive bytes through a start-less second module
    wat2 = wat.replace('(func (export "init")', '(start $init) (func $init')
    r = _compile_run(tmp_path, wat2, "--invoke", "sum", "0", str(end + 33))
    assert (r.returncode, r.stdout.strip()) == (0, str(_checksum(mem[:end + 33])))


def test_big_data_is_bytes_in_an_object_not_llvm_text():
    data = bytes(range(256)) * (BLOB_INLINE_MAX // 256 + 1)
    wat = f'(module (memory 2) (data (i32.const 0) "{_wat_bytes(data)}"))'
    em = compile_ir(translate_module(load_module(wat.encode(), "big.wat")), CompileOptions())
    assert "external hidden constant" in em.source and len(em.source) < len(data)
    objs = em.objects
    assert len(objs) == 2 and data in objs[1]
    assert em.object[:4] == b"\x7fELF"          # ld -r merges them (--emit obj)


def test_small_data_stays_llvm_text():
    em = compile_ir(translate_module(load_module(
        b'(module (memory 1) (data (i32.const 0) "hi\\00") (data (i32.const 9) "yo"))', "s.wat")),
        CompileOptions())
    blob = next(line for line in em.source.splitlines() if line.startswith("@wasm.data ="))
    assert "internal constant" in blob and 'hi\\00yo' in blob
    assert len(em.objects) == 1


def _elf_sections(obj: bytes):
    shoff, = struct.unpack_from("<Q", obj, 40)
    shnum, shstrndx = struct.unpack_from("<HH", obj, 60)
    hdrs = [struct.unpack_from("<IIQQQQIIQQ", obj, shoff + 64 * i) for i in range(shnum)]
    names = hdrs[shstrndx]
    def name(off):
        s = names[4] + off
        return obj[s:obj.index(b"\0", s)].decode()
    return {name(h[0]): h for h in hdrs[1:]}


@pytest.mark.parametrize("like", [
    b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHI", 1, 243, 1) + bytes(24) + struct.pack("<I", 5),
    b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHI", 1, 183, 1) + bytes(24) + struct.pack("<I", 0),
])
def test_data_object_copies_machine_and_flags(like):
    like = like + bytes(64 - len(like))
    obj = codegen.data_object(like, "P.data", [b"abc", b"", b"defg"])
    assert obj[18:20] == like[18:20] and obj[48:52] == like[48:52]      # e_machine, e_flags
    secs = _elf_sections(obj)
    ro = secs[".rodata"]
    assert obj[ro[4]:ro[4] + ro[5]] == b"abcdefg" and ro[8] == 16 and ro[4] % 16 == 0
    sym = secs[".symtab"]
    st_name, info, other, shndx, value, size = struct.unpack_from("<IBBHQQ", obj, sym[4] + 24)
    strtab = secs[".strtab"]
    assert obj[strtab[4] + st_name:].split(b"\0")[0] == b"P.data"
    assert (info, other, shndx, value, size) == (0x11, 2, 1, 0, 7)


def test_data_object_refuses_non_elf64():
    with pytest.raises(ValueError):
        codegen.data_object(b"\x7fELF\x01\x01" + bytes(58), "P.data", [b"x"])


ELEM_FUNCS = """
  (type $t (func (result i32)))
  (func $a (result i32) (i32.const 11))
  (func $b (result i32) (i32.const 22))
  (func $c (result i32) (i32.const 33))
  (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))"""


def _elem_module(n: int) -> tuple[str, list[int | None]]:
    """Table of n + 10: an index-form segment of n entries at 0 (several
    blocks' worth), then an expression segment with nulls over part of it;
    an externref table's segment of 70 nulls (stays code, in blocks)."""
    names, vals = ["$a", "$b", "$c"], [11, 22, 33]
    first = [k % 3 for k in range(n)]
    expect: list[int | None] = [vals[k] for k in first] + [None] * 10
    over = []
    for j in range(40):
        if j % 4 == 0:
            over.append("(ref.null func)")
            expect[100 + j] = None
        else:
            over.append(f"(ref.func {names[j % 3]})")
            expect[100 + j] = vals[j % 3]
    wat = (f"(module (table {n + 10} funcref) (table $x 80 externref) {ELEM_FUNCS}\n"
           f'  (func (export "isnull") (param i32) (result i32) (ref.is_null (table.get $x (local.get 0))))\n'
           f"  (elem (i32.const 0) func {' '.join(names[k] for k in first)})\n"
           f"  (elem (i32.const 100) funcref {' '.join(over)})\n"
           f"  (elem (table $x) (i32.const 5) externref {' '.join(['(ref.null extern)'] * 70)}))")
    return wat, expect


def test_element_segments_fill_the_table(tmp_path):
    n = 300
    wat, expect = _elem_module(n)
    src = tmp_path / "e.wat"
    src.write_text(wat)
    exe = tmp_path / "e"
    subprocess.run([sys.executable, "-m", "wasmaot", "compile", str(src), "-o", str(exe), "-j", "1"],
                   check=True, capture_output=True)
    r = subprocess.run([str(exe), "--invoke", "isnull", "74"], check=False, capture_output=True, text=True)
    assert (r.returncode, r.stdout.strip()) == (0, "1")
    for i in (0, 1, 2, 63, 64, 65, 99, 100, 101, 104, 139, 140, 299, n + 2):
        r = subprocess.run([str(exe), "--invoke", "call", str(i)], check=False, capture_output=True, text=True)
        if expect[i] is None:
            assert r.returncode == 134 and "uninitialized element" in r.stderr, i
        else:
            assert (r.returncode, r.stdout.strip()) == (0, str(expect[i])), i


def test_funcref_segments_are_a_loop_not_code_per_item():
    wat, _ = _elem_module(2000)
    src = compile_ir(translate_module(load_module(wat.encode(), "e.wat")), CompileOptions()).source
    inst = src[src.index("@wasm.instantiate("):]
    inst = inst[:inst.index("\n}\n")]
    assert inst.count("llvm.memcpy") < 10          # two loops
    assert "elem0.loop:" in inst and "elem1.loop:" in inst and "elem2.loop:" not in inst
    assert "elem2.64:" in inst                      # the externref items: code, in blocks


def test_partition_zero_counts_the_globals():
    """Globals all go to partition 0; they count towards its size, so a
    module with megabytes of tables does not give it a full share of
    functions as well."""
    glob = '@big = internal constant [4 x i8] c"' + "a" * 3000 + '"\n'
    funcs = "".join(f"define internal void @f{i}() {{\nentry:\n  ret void\n}}\n" for i in range(40))
    parts = codegen.split_module(glob + funcs, part_bytes=1500)
    assert len(parts) == 4                 # 3.2 shares, rounded to an even count
    n = [p.functions for p in parts]       # f0..f9 have shorter texts than f10..f39
    assert n[0] == 0 and sum(n) == 40 and max(n[1:]) - min(n[1:]) <= 2
    small = codegen.split_module('@g = internal global i32 0\n' + funcs, part_bytes=1000)
    n = [p.functions for p in small]       # a small global: about an equal share
    assert len(n) == 2 and abs(n[0] - n[1]) <= 2


@pytest.mark.parametrize("target,qemu", [("aarch64-linux", "qemu-aarch64"), ("riscv64-linux", "qemu-riscv64")])
def test_big_data_object_links_and_runs_on_other_targets(tmp_path, target, qemu):
    """The data object copies e_machine/e_flags from the target's own
    objects (RISC-V: lld refuses to mix float ABIs)."""
    import shutil
    if shutil.which(qemu) is None:
        pytest.skip(f"{qemu} not installed (Debian: qemu-user)")
    data = random.Random(3).randbytes(BLOB_INLINE_MAX + 5000)
    src = tmp_path / "m.wat"
    src.write_text(f'(module (memory 2) (data (i32.const 8) "{_wat_bytes(data)}") {SUM})')
    exe = tmp_path / "m"
    subprocess.run([sys.executable, "-m", "wasmaot", "compile", str(src), "--target", target, "-o", str(exe)],
                   check=True, capture_output=True)
    end = 8 + len(data)
    r = subprocess.run([qemu, str(exe), "--invoke", "sum", "0", str(end)], check=False,
                       capture_output=True, text=True)
    assert (r.returncode, r.stdout.strip()) == (0, str(_checksum(bytes(8) + data)))


def test_init_function_is_cut_into_blocks_and_not_optimized():
    """__wasmaot_init of 200 data segments: blocks of INIT_BLOCK_SEGMENTS
    segments (LLVM's code generation is superlinear in block size), compiled
    optnone (#3) so LLVM does not merge them back."""
    from wasmaot.ir.translate.module import INIT_BLOCK_SEGMENTS
    segs = " ".join(f'(data (i32.const {8 * k}) "ab")' for k in range(200))
    ir = translate_module(load_module(f"(module (memory 1) {segs})".encode(), "d.wat"))
    init = ir.funcs[ir.init_func].body
    assert len(list(init.layout.blocks())) == -(-200 // INIT_BLOCK_SEGMENTS)
    src = compile_ir(ir, CompileOptions()).source
    header = next(line for line in src.splitlines() if line.startswith("define") and f".f{ir.init_func}(" in line)
    assert ") #3 " in header
    # one table loop per block, not a call per segment
    assert src.count("call void @wasmaot_memory_init") == -(-200 // INIT_BLOCK_SEGMENTS)


def test_data_init_runs_keep_segment_order(tmp_path):
    """Constant segments become table loops, one run per memory: a segment
    of memory 1 between segments of memory 0 splits them into two runs,
    which must stay in order (each segment overwrites part of the one
    before)."""
    from wasmaot.backends.llvm.instance import SEGMENT_LOOP_MIN as n
    segs = " ".join(f'(data (i32.const {100 + k}) "{chr(97 + k) * 4}")' for k in range(n))
    segs += ' (data (memory $m1) (i32.const 0) "XY")'
    segs += " ".join(f' (data (i32.const {100 + n + k}) "{chr(65 + k) * 2}")' for k in range(n))
    wat = f"(module (memory 1) (memory $m1 1) {segs} {SUM})"
    size = 100 + 2 * n + 4
    mem = bytearray(size)
    for k in range(n):
        mem[100 + k:104 + k] = bytes([97 + k]) * 4
    for k in range(n):
        mem[100 + n + k:102 + n + k] = bytes([65 + k]) * 2
    r = _compile_run(tmp_path, wat, "--invoke", "sum", "0", str(size))
    assert (r.returncode, r.stdout.strip()) == (0, str(_checksum(mem)))
    ir = translate_module(load_module(wat.encode(), "o.wat"))
    # two runs of memory 0 as loops, the lone memory-1 segment as a call
    assert compile_ir(ir, CompileOptions()).source.count("call void @wasmaot_memory_init") == 3


def test_few_segments_and_entries_stay_code_per_item():
    """Below SEGMENT_LOOP_MIN the tables and loops are not worth their
    bytes (a firmware hello world): a call and a store pair per item."""
    from wasmaot.backends.llvm.instance import SEGMENT_LOOP_MIN as n
    segs = " ".join(f'(data (i32.const {8 * k}) "ab")' for k in range(n - 1))
    ir = translate_module(load_module(f"(module (memory 1) {segs})".encode(), "d.wat"))
    src = compile_ir(ir, CompileOptions()).source
    assert src.count("call void @wasmaot_memory_init") == n - 1
    assert "datas.loop" not in src
