"""Firmware images for Cortex-M3, Cortex-M4F, Cortex-M33 and RV32IMAC: what
the image contains (no qemu needed), then running them on qemu's boards
(mps2-an385, mps2-an386, mps2-an505, lm3s6965evb, riscv32 virt) with
output, exit status and traps over semihosting."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from wasmaot.backends.firmware import boards, hexfile, served_functions
from wasmaot.backends.firmware.linker import FLASH_SECTIONS
from wasmaot.backends.firmware.size import measure

from .conftest import RUN_BOARDS, compile_image, run_image, wasmaot

REPO = Path(__file__).resolve().parents[2]
HELLO = REPO / "examples" / "hello.wat"
#: Issue 17's footprint goal for a WASI hello world on Cortex-M3.
FLASH_BUDGET, RAM_BUDGET = 4096, 1024
#: rv32imac images also carry the misaligned-access emulation (about 520
#: bytes, backends/firmware/riscv_misaligned.c; the issue's 4 KiB budget is
#: Cortex-M3's, the other targets are reported).
FLASH_BUDGET_RV32 = 4096 + 640

TRAP = """(module (memory (export "memory") 1)
  (func $f (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "_start") (drop (call $f (i32.const 0)))))"""

EXHAUST = """(module (func $r (param i32) (result i32) (i32.add (call $r (local.get 0)) (i32.const 1)))
  (func (export "_start") (drop (call $r (i32.const 0)))))"""

# memory.grow within the declared maximum (4 pages), -1 beyond; the exit
# status says which check failed (7: all passed, the last byte read back).
GROW = """(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1 4)
  (func (export "_start")
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const 1)) (then (call $exit (i32.const 11))))
    (if (i32.ne (memory.grow (i32.const 2)) (i32.const 2)) (then (call $exit (i32.const 12))))
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then (call $exit (i32.const 13))))
    (if (i32.ne (memory.size) (i32.const 4)) (then (call $exit (i32.const 14))))
    (if (i32.ne (i32.load8_u (i32.const 262143)) (i32.const 0)) (then (call $exit (i32.const 15))))
    (i32.store8 (i32.const 262143) (i32.const 7))
    (call $exit (i32.load8_u (i32.const 262143)))))"""

# No memory at all: fits boards with little RAM (64 KiB pages do not).
NO_MEMORY = """(module (func (export "_start") unreachable))"""

PATH_OPEN = """(module
  (import "wasi_snapshot_preview1" "path_open"
    (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1) (func (export "_start")))"""


def _wat(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / f"{name}.wat"
    p.write_text(text)
    return p


@pytest.fixture(scope="module")
def hello_image(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("hello")
    return compile_image(HELLO, d / "hello.elf", "--board", "mps2-an385")


targets = pytest.mark.parametrize("target", sorted(RUN_BOARDS))


# ------------------------------------------------------------ the image

def test_image_files_and_layout(hello_image):
    """ELF + .bin + .hex; code in flash at its final address, executed in
    place: a static ET_EXEC with no dynamic section and no relocations left;
    the vector table at the flash origin (initial SP in RAM, reset handler
    a Thumb address in flash)."""
    from elftools.elf.elffile import ELFFile
    board = boards.BOARDS["mps2-an385"]
    assert hello_image.with_suffix(".bin").is_file() and hello_image.with_suffix(".hex").is_file()
    with open(hello_image, "rb") as f:
        elf = ELFFile(f)
        assert elf["e_type"] == "ET_EXEC" and elf["e_machine"] == "EM_ARM"
        names = [s.name for s in elf.iter_sections()]
        assert not any(n.startswith((".rel", ".dynamic", ".dynsym", ".interp")) for n in names), names
        assert not any(seg["p_type"] == "PT_DYNAMIC" for seg in elf.iter_segments())
        assert all(elf.get_section_by_name(n) is not None for n in FLASH_SECTIONS)
        for sec in elf.iter_sections():   # every loaded section but .data runs from flash
            if sec["sh_flags"] & 2 and sec["sh_type"] == "SHT_PROGBITS" and sec.name != ".data":
                end = sec["sh_addr"] + sec["sh_size"]
                assert board.flash.origin <= sec["sh_addr"] <= end <= board.flash.origin + board.flash.size, sec.name
        vectors = elf.get_section_by_name(".vectors")
        assert vectors["sh_addr"] == board.flash.origin
        sp, reset = int.from_bytes(vectors.data()[:4], "little"), int.from_bytes(vectors.data()[4:8], "little")
    assert board.ram.origin < sp <= board.ram.origin + board.ram.size
    assert reset & 1 and board.flash.origin <= reset < board.flash.origin + board.flash.size


def test_rv32_image_layout(tmp_path):
    """rv32imac: soft-float ilp32 RVC objects, the entry (reset handler) at
    the flash origin, no relocations left."""
    from elftools.elf.elffile import ELFFile
    board = boards.BOARDS["virt-rv32"]
    elf = compile_image(HELLO, tmp_path / "rv.elf", target="rv32imac")
    with open(elf, "rb") as f:
        e = ELFFile(f)
        assert (e["e_type"], e["e_machine"]) == ("ET_EXEC", "EM_RISCV")
        assert e["e_flags"] & 0x7 == 0x1          # EF_RISCV_RVC, float ABI soft (ilp32)
        assert e["e_entry"] == e.get_section_by_name(".vectors")["sh_addr"] == board.flash.origin
        assert not any(s.name.startswith((".rel", ".dynamic")) for s in e.iter_sections())


@pytest.mark.parametrize("target, hard_float", [("cortex-m4f", True), ("cortex-m33", False)])
def test_fpu_targets_float_abi(tmp_path, target, hard_float):
    """cortex-m4f: the hard-float EABI; cortex-m33: FPU instructions with the
    soft-float calling convention (lld refuses to mix the two).  Linked at
    the board's flash origin.  That reset enables the FPU is shown by
    test_float_instructions: its VFP code would fault otherwise."""
    from elftools.elf.elffile import ELFFile
    elf = compile_image(HELLO, tmp_path / "fpu.elf", target=target)
    with open(elf, "rb") as f:
        e = ELFFile(f)
        assert bool(e["e_flags"] & 0x400) == hard_float            # EF_ARM_ABI_FLOAT_HARD
        assert bool(e["e_flags"] & 0x200) == (not hard_float)      # EF_ARM_ABI_FLOAT_SOFT
        board = boards.BOARDS[RUN_BOARDS[target]]
        assert e.get_section_by_name(".vectors")["sh_addr"] == board.flash.origin


@targets
def test_hello_world_footprint_per_target(tmp_path, target):
    """The issue's footprint budget holds on every firmware target."""
    s = measure(compile_image(HELLO, tmp_path / "h.elf", target=target))
    assert s.flash["data segments"] == len("hello, world\n")
    budget = FLASH_BUDGET_RV32 if target == "rv32imac" else FLASH_BUDGET
    assert s.flash_total <= budget and s.ram_static <= RAM_BUDGET, (s.flash, s.ram)


def test_bin_and_hex_hold_the_loaded_bytes(hello_image):
    chunks = hexfile.load_chunks(hello_image)
    blob = hello_image.with_suffix(".bin").read_bytes()
    assert blob == hexfile.binary(chunks) and blob[:8] == chunks[0][1][:8]
    assert _read_hex(hello_image.with_suffix(".hex").read_text()) == {
        a + i: b for a, data in chunks for i, b in enumerate(data)}


def _read_hex(text: str) -> dict[int, int]:
    """Intel HEX -> {address: byte}, checking every record's checksum."""
    mem, upper = {}, 0
    for line in text.split():
        rec = bytes.fromhex(line[1:])
        assert sum(rec) & 0xFF == 0, line
        n, addr, kind, data = rec[0], rec[1] << 8 | rec[2], rec[3], rec[4:-1]
        assert len(data) == n
        if kind == 4:
            upper = int.from_bytes(data, "big") << 16
        elif kind == 0:
            mem.update({upper + addr + i: b for i, b in enumerate(data)})
    return mem


def test_hello_world_footprint(hello_image):
    """Issue 17: a WASI hello world in <= 4 KiB of flash and <= 1 KiB of RAM
    besides linear memory and stack; every part is accounted for."""
    s = measure(hello_image)
    assert s.flash_total == len(hello_image.with_suffix(".bin").read_bytes())
    assert s.flash["vector table"] == 64 and s.flash["data segments"] == len("hello, world\n")
    assert s.ram["linear memory"] == 65536 and s.ram["stack"] == boards.BOARDS["mps2-an385"].stack
    assert s.flash_total <= FLASH_BUDGET, s.flash
    assert s.ram_static <= RAM_BUDGET, s.ram


def test_size_command(hello_image):
    r = wasmaot("size", hello_image)
    assert r.returncode == 0, r.stderr
    assert re.search(r"^  data segments\s+13$", r.stdout, re.MULTILINE) and "linear memory" in r.stdout
    bad = wasmaot("size", HELLO)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "not a readable ELF" in bad.stderr


def test_real_board_is_linked_at_its_flash(tmp_path):
    """stm32f103c8 (not run here): flash at 0x08000000, 20 KiB of RAM."""
    from elftools.elf.elffile import ELFFile
    elf = compile_image(_wat(tmp_path, "nomem", NO_MEMORY), tmp_path / "bp.elf", "--board", "stm32f103c8")
    with open(elf, "rb") as f:
        assert ELFFile(f).get_section_by_name(".vectors")["sh_addr"] == 0x0800_0000
    r = wasmaot("compile", "--target", "cortex-m3", "--board", "stm32f103c8", HELLO, "-o", tmp_path / "x.elf")
    assert r.returncode == 2 and "needs" in r.stderr and "has 20 KiB" in r.stderr


def test_unserved_import_is_a_compile_error(tmp_path):
    r = wasmaot("compile", "--target", "cortex-m3", _wat(tmp_path, "po", PATH_OPEN), "-o", tmp_path / "po.elf")
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert "'path_open': not available on firmware target cortex-m3" in r.stderr


@pytest.mark.parametrize("flags, why", [
    (("--board", "nope"), "unknown board 'nope'"),
    (("--max-memory", "100K"), "not a multiple of 64 KiB"),
    (("--flash", "0x0"), "expected ORIGIN:SIZE"),
    (("--invoke", "fac"), "no --invoke"),
])
def test_bad_firmware_options_are_usage_errors(tmp_path, flags, why):
    r = wasmaot("compile", "--target", "cortex-m3", HELLO, "-o", tmp_path / "x.elf", *flags)
    assert r.returncode == 2 and why in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_firmware_flags_need_a_firmware_target(tmp_path):
    r = wasmaot("compile", HELLO, "-o", tmp_path / "x", "--board", "mps2-an385")
    assert r.returncode == 2 and "only for firmware targets" in r.stderr


def test_served_table_matches_the_shim():
    """Each row of the firmware WASI list has its function in the object,
    with the signature the full shim gives the same WASI function."""
    from elftools.elf.elffile import ELFFile
    from wasmaot.backends.buildcache import wasi_objects
    from wasmaot.compile import wasi_p1_functions
    rows = served_functions()
    assert {"fd_write", "proc_exit", "args_get", "environ_get", "clock_time_get",
            "random_get"} <= set(rows)
    full = wasi_p1_functions()
    assert {n: full[n] for n in rows} == rows
    (obj,) = wasi_objects("cortex-m3", "explicit")
    with open(obj, "rb") as f:
        defined = {s.name for s in ELFFile(f).get_section_by_name(".symtab").iter_symbols()
                   if s["st_shndx"] != "SHN_UNDEF"}
    assert {f"wasmaot_fw_p1_{n}" for n in rows} <= defined


def test_regions_and_sizes_parse():
    assert boards.parse_region("0x08000000:64K", "--flash") == boards.Region(0x0800_0000, 64 << 10)
    assert boards.parse_size("1MiB", "x") == 1 << 20 and boards.parse_size("0x400", "x") == 1024
    with pytest.raises(ValueError, match="4-byte aligned region"):
        boards.parse_region("0xFFFFFFF0:64K", "--ram")


# ------------------------------------------------------------ under qemu

@targets
def test_hello_world_runs(tmp_path, target):
    r = run_image(compile_image(HELLO, tmp_path / "hello.elf", target=target), RUN_BOARDS[target])
    assert (r.returncode, r.stdout) == (0, "hello, world\n"), r.stderr


@targets
def test_trap_prints_its_message_and_exits_non_zero(tmp_path, target):
    elf = compile_image(_wat(tmp_path, "trap", TRAP), tmp_path / "trap.elf", target=target)
    r = run_image(elf, RUN_BOARDS[target])
    assert (r.returncode, r.stderr) == (134, "wasm trap: integer divide by zero\n")


@targets
def test_stack_exhaustion_is_a_trap(tmp_path, target):
    elf = compile_image(_wat(tmp_path, "rec", EXHAUST), tmp_path / "rec.elf", target=target)
    r = run_image(elf, RUN_BOARDS[target])
    assert (r.returncode, r.stderr) == (134, "wasm trap: call stack exhausted\n")


@targets
@pytest.mark.parametrize("flags, status", [((), 7), (("--max-memory", "128K"), 12)])
def test_memory_grow_within_the_static_region(tmp_path, target, flags, status):
    """Linear memory is a static RAM region of the declared maximum (or
    --max-memory): memory.grow succeeds within it and returns -1 beyond."""
    elf = compile_image(_wat(tmp_path, "grow", GROW), tmp_path / "grow.elf", *flags, target=target)
    r = run_image(elf, RUN_BOARDS[target])
    assert r.returncode == status, r.stderr


# No maximum, no --max-memory: the image gives the memory its initial
# size, so it cannot grow; the last byte reads, the next one traps (the
# function's base is loaded once: firmware.image_options, fixed_base).
FIXED = """(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1)
  (func $ld (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "_start")
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then (call $exit (i32.const 11))))
    (if (i32.ne (memory.size) (i32.const 1)) (then (call $exit (i32.const 12))))
    (i32.store8 (i32.const 65535) (i32.const 5))
    (if (i32.ne (call $ld (i32.const 65535)) (i32.const 5)) (then (call $exit (i32.const 13))))
    (drop (call $ld (i32.const 65536)))))"""


@targets
def test_memory_without_maximum_is_fixed_in_an_image(tmp_path, target):
    elf = compile_image(_wat(tmp_path, "fixed", FIXED), tmp_path / "fixed.elf", target=target)
    r = run_image(elf, RUN_BOARDS[target])
    assert (r.returncode, r.stderr) == (134, "wasm trap: out of bounds memory access\n")


def test_second_qemu_board(tmp_path):
    """lm3s6965evb: another memory map (256 KiB flash, 64 KiB RAM)."""
    elf = compile_image(_wat(tmp_path, "nomem", NO_MEMORY), tmp_path / "lm.elf", "--board", "lm3s6965evb")
    r = run_image(elf, "lm3s6965evb")
    # (qemu's model of the board adds "Timer with period zero" on stderr)
    assert r.returncode == 134 and r.stderr.endswith("\nwasm trap: unreachable\n"), r.stderr


@pytest.fixture(scope="module")
def c_hello(tmp_path_factory) -> Path:
    """printf from C through wasi-libc (fd_fdstat_get, fd_seek, fd_write,
    fd_close, proc_exit), one 64 KiB page of memory, a 16 KiB shadow stack."""
    d = tmp_path_factory.mktemp("c_hello")
    src = d / "hello.c"
    src.write_text('#include <stdio.h>\nint main(void) { printf("Hello, %s!\\n", "MCU"); return 0; }\n')
    wasm = d / "hello.wasm"
    subprocess.run([sys.executable, "-m", "ziglang", "cc", "-target", "wasm32-wasi", "-Os", str(src),
                    "-o", str(wasm), "-Wl,--initial-memory=65536", "-Wl,-z,stack-size=16384"], check=True)
    return wasm


@targets
def test_c_hello_world_through_wasi_libc(tmp_path, target, c_hello):
    r = run_image(compile_image(c_hello, tmp_path / "hello.elf", target=target), RUN_BOARDS[target])
    assert (r.returncode, r.stdout) == (0, "Hello, MCU!\n"), r.stderr


def test_run_says_firmware_runs_on_a_board():
    r = wasmaot("run", "--target", "cortex-m3", HELLO)
    assert r.returncode == 1 and "builds firmware images" in r.stderr and "Traceback" not in r.stderr


LIB = """(module (memory (export "mem") 1 2)
  (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"""
MAIN = """(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "lib" "inc" (func $inc (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (call $inc (i32.const 41)))))"""


def test_link_plan_of_two_instances(tmp_path):
    """--preload: both instances in one image; the RAM region holds both
    memories (lib's maximum, 2 pages, and main's 1)."""
    lib = _wat(tmp_path, "lib", LIB)
    elf = compile_image(_wat(tmp_path, "main", MAIN), tmp_path / "pl.elf", "--preload", f"lib={lib}")
    assert measure(elf).ram["linear memory"] == 3 * 65536
    assert run_image(elf, "mps2-an385").returncode == 42


# The rest of the served WASI subset; the exit status names the first check
# that failed (100: all passed).
WASI_SUBSET = """(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $check (param i32 i32) (if (i32.eqz (local.get 0)) (then (call $exit (local.get 1)))))
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 99))
    (call $check (i32.eqz (call $args (i32.const 0) (i32.const 4))) (i32.const 1))
    (call $check (i32.eqz (i32.load (i32.const 0))) (i32.const 2))
    (call $check (i32.eqz (call $env (i32.const 0) (i32.const 4))) (i32.const 3))
    (call $check (i32.eqz (i32.load (i32.const 0))) (i32.const 4))
    (call $check (i32.eqz (call $clock (i32.const 1) (i64.const 0) (i32.const 16))) (i32.const 5))
    (call $check (i32.eqz (call $clock (i32.const 1) (i64.const 0) (i32.const 24))) (i32.const 6))
    (call $check (i64.ge_u (i64.load (i32.const 24)) (i64.load (i32.const 16))) (i32.const 7))
    (call $check (i64.ne (i64.load (i32.const 24)) (i64.const 0)) (i32.const 13))
    (call $check (i32.eq (call $clock (i32.const 9) (i64.const 0) (i32.const 16)) (i32.const 28)) (i32.const 8))
    (call $check (i32.eq (call $random (i32.const 32) (i32.const 8)) (i32.const 52)) (i32.const 9))
    (call $check (i32.eq (call $write (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 40)) (i32.const 8))
                 (i32.const 10))
    (call $check (i32.eqz (call $fdstat (i32.const 1) (i32.const 48))) (i32.const 11))
    (call $check (i32.eq (i32.load8_u (i32.const 48)) (i32.const 2)) (i32.const 12))
    (call $exit (i32.const 100))))"""


@targets
def test_wasi_subset(tmp_path, target):
    """Arguments and environment are empty, the monotonic clock (semihosting's
    elapsed time) runs and does not go back, an unknown clock is EINVAL, random_get without a board source is
    ENOSYS, fd 3 is EBADF, stdout is a character device."""
    elf = compile_image(_wat(tmp_path, "wasi", WASI_SUBSET), tmp_path / "wasi.elf", target=target)
    r = run_image(elf, RUN_BOARDS[target])
    assert r.returncode == 100, r.stderr


@pytest.mark.parametrize("target", ["cortex-m3", "rv32imac"])
@pytest.mark.parametrize("trap", ["unreachable", "div0", "overflow", "badconv", "oob", "tableoob",
                                  "sigmismatch", "undefined", "uninit", "exhaust"])
def test_every_trap_kind(tmp_path, target, trap):
    """The CLI tests' trap module, each trapping export as the image's
    _start: the message the spec suite expects, status 134."""
    from tests.cli.test_compile import EXPECTED_TRAPS, TRAPS
    wat = _wat(tmp_path, trap, TRAPS.replace(f'(export "{trap}")', '(export "_start")'))
    r = run_image(compile_image(wat, tmp_path / "t.elf", target=target), RUN_BOARDS[target])
    assert (r.returncode, r.stderr) == (134, f"wasm trap: {EXPECTED_TRAPS[trap]}\n")


# Soft float: arithmetic in compiler-rt, nearest/min/max in libm_min.c
# (compiler-rt lacks roundeven and fminimum).  Operands come from a data
# segment, so LLVM cannot fold the result.
FLOATS = """(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\\66\\66\\26\\40\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\49\\40")
  (func $f (param f32 f64) (result i32)
    (i32.add
      (i32.trunc_f32_s (f32.nearest (f32.mul (local.get 0) (f32.const 2.5))))
      (i32.add (i32.trunc_sat_f64_u (f64.ceil (f64.sqrt (local.get 1))))
        (i32.add (i32.trunc_f32_s (f32.floor (f32.div (local.get 0) (f32.const 3))))
          (i32.add (i32.trunc_f64_s (f64.trunc (f64.min (local.get 1) (f64.const 7.9))))
            (i32.add (i32.trunc_f32_s (f32.max (f32.neg (local.get 0)) (f32.const -9)))
              (i32.trunc_f64_s (f64.nearest (f64.copysign (f64.const 2.5) (local.get 1))))))))))
  (func (export "_start")
    (call $exit (call $f (f32.load (i32.const 0)) (f64.load (i32.const 8))))))"""


@targets
def test_float_instructions(tmp_path, target):
    """f32 2.6, f64 50: nearest(6.5)=6, ceil(sqrt 50)=8, floor(0.87)=0,
    trunc(min(50, 7.9))=7, max(-2.6, -9)=-2, nearest(2.5)=2: 21."""
    elf = compile_image(_wat(tmp_path, "fl", FLOATS), tmp_path / "fl.elf", target=target)
    assert run_image(elf, RUN_BOARDS[target]).returncode == 21


def test_custom_board_regions(tmp_path):
    """--flash/--ram without --board: linked for that memory map."""
    from elftools.elf.elffile import ELFFile
    elf = compile_image(_wat(tmp_path, "nomem", NO_MEMORY), tmp_path / "c.elf",
                        "--flash", "0x10000000:128K", "--ram", "0x30000000:16K")
    with open(elf, "rb") as f:
        vectors = ELFFile(f).get_section_by_name(".vectors")
        assert vectors["sh_addr"] == 0x1000_0000
        sp = int.from_bytes(vectors.data()[:4], "little")
    assert 0x3000_0000 < sp <= 0x3000_4000


def test_board_help_names_every_board():
    """`compile --help` lists the boards by hand: it must name each one."""
    import re
    import subprocess
    import sys

    from wasmaot.backends.firmware.boards import BOARDS
    out = subprocess.run([sys.executable, "-m", "wasmaot", "compile", "--help"], check=True,
                         capture_output=True, text=True).stdout
    text = re.sub(r"-\s+", "-", " ".join(out.split()))       # click wraps at hyphens
    missing = [b for b in BOARDS if not re.search(rf"\b{re.escape(b)}\b", text)]
    assert not missing, missing
