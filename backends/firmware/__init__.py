"""Firmware images: a compiled module as an ELF for a microcontroller, plus
its ``.bin`` and ``.hex``.

What :func:`build_image` links, for a target of output kind "firmware"
(``Target.firmware``, a :class:`~..targets.FirmwareRecipe`):

* the generated objects (one module, or a link plan of several);
* the bare-metal runtime with semihosting (``runtime-c/sources.txt``
  config of the target), its signature registry sized for this program;
* the firmware WASI preview1 subset (``wasi-shim/preview1/p1_firmware.c``)
  when the program imports WASI;
* the startup file of the CPU family (vector table, reset handler) and
  ``fw_main.c`` (instance, import binding, instantiate, ``_start``), both
  in this folder;
* a linker script made from the board's memory map (:mod:`.linker`,
  :mod:`.boards`) with the RAM regions the runtime hands out for defined
  memories and tables (backends/ABI.md "Firmware").

Imports are checked at compile time against what the firmware serves
(:func:`host_provides`): anything else is a one-line error naming it.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ...ir.plan import HostProvides
from ..manifest import parse_manifest, runtime_root, wasi_root
from ..targets import Target, TargetError, get_target
from . import boards, hexfile, linker

HERE = Path(__file__).resolve().parent
WASI_P1 = "wasi_snapshot_preview1"
PAGE = 65536


@dataclass(frozen=True)
class FirmwareOptions:
    """The firmware flags of ``wasmaot compile`` (None: not given)."""
    board: str | None = None
    flash: str | None = None        # ORIGIN:SIZE
    ram: str | None = None          # ORIGIN:SIZE
    max_memory: str | None = None   # bytes (64K, 1M ...): linear memory capacity


def check_options(target: str, fw: FirmwareOptions) -> boards.Board:
    """The board ``fw`` names for ``target``, after checking every option
    (a :class:`TargetError` for the first bad one): before compiling, so a
    typo costs no compile."""
    board = boards.resolve_board(target, get_target(target).firmware.default_board,
                                 fw.board, fw.flash, fw.ram)
    if fw.max_memory:
        _max_memory(fw.max_memory)
    return board


# ------------------------------------------------------------------ imports

_ROW = re.compile(r'^\s*F\((\w+),\s*"([^"]+)"\)\s*\\?\s*$', re.MULTILINE)
#: The C function serving WASI preview1 function NAME on firmware.
P1_SYMBOL = "wasmaot_fw_p1_{}"


def served_functions() -> dict[str, str]:
    """name -> signature of every WASI preview1 function a firmware image
    serves, parsed from the one list (``WASMAOT_FW_P1_FUNCS`` in
    p1_firmware.c)."""
    src = (wasi_root() / "preview1" / "p1_firmware.c").read_text()
    start = src.index("#define WASMAOT_FW_P1_FUNCS(F)")
    rows = dict(_ROW.findall(src[start:src.index("\n\n", start)]))
    if not rows:
        raise RuntimeError("cannot read the firmware WASI table from p1_firmware.c")
    return rows


class FirmwareProvides(HostProvides):
    """:class:`HostProvides` whose refusals say what a device cannot serve."""

    def __init__(self, target: str):
        super().__init__({(WASI_P1, n): s for n, s in served_functions().items()})
        self.target = target

    def why_not(self, kind, imp, decl) -> str:
        why = super().why_not(kind, imp, decl)
        if why.startswith("unknown import") and imp.module == WASI_P1:
            names = ", ".join(sorted(f for _, f in self.funcs))
            return f"not available on firmware target {self.target} (it serves: {names})"
        return why


def host_provides(target: str) -> HostProvides:
    return FirmwareProvides(target)


def import_table_object(plan, target: str) -> bytes:
    """An object defining ``const void *const wasmaot_fw_import_funcs[]``:
    for each import of the descriptor (the plan's host imports, in the
    descriptor's order), the function that serves it.  Binding by position
    means the device compares no names, and only the WASI functions the
    program imports are linked (``--gc-sections`` drops the others)."""
    from llvmlite import ir

    from ..helper_objects import emit_llvm_object, helper_module
    mod = helper_module("wasmaot_fw_import_funcs", target)
    fn_t = ir.FunctionType(ir.VoidType(), [])
    ptr = ir.PointerType(ir.IntType(8))
    funcs = [ir.Function(mod, fn_t, P1_SYMBOL.format(imp.field)).bitcast(ptr)
             for _, _, _, imp in plan.host_imports()]
    arr_t = ir.ArrayType(ptr, len(funcs))
    tab = ir.GlobalVariable(mod, arr_t, "wasmaot_fw_import_funcs")
    tab.global_constant = True
    tab.initializer = ir.Constant(arr_t, funcs)
    return emit_llvm_object(str(mod), target)


# ------------------------------------------------------------------ sizing

@dataclass(frozen=True)
class ProgramNeeds:
    instance_size: int          # the program's instance block (descriptor's)
    signatures: int             # capacity of the runtime's signature registry
    ram: linker.RamNeeds


def program_needs(plan, target: Target, max_memory: str | None) -> ProgramNeeds:
    """What the image must reserve for ``plan``: computed from the same
    layout the emitter uses (:class:`..llvm.instance.InstanceLayout`)."""
    from .. import abi
    from ..llvm.instance import InstanceLayout, canonical_sig
    P = target.pointer_bytes
    cap = _max_memory(max_memory) if max_memory else None
    instance = heap = memory = 0
    sigs: set[str] = set()
    for inst in plan.instances:
        m = inst.module
        instance += InstanceLayout(m, P).size
        sigs |= {canonical_sig(s) for s in m.sigs} | {canonical_sig(f.sig) for f in m.funcs}
        for t in m.tables:
            if t.import_ is None and t.min:
                # baremetal.c's heap: 16-byte aligned blocks after a 4-byte size
                heap += _round(t.min * abi.ref_size(0 if t.elem == _funcref() else 1, P), 16) + 16
        for d in m.memories:
            if d.import_ is None:
                memory += _memory_capacity(d, cap)
    return ProgramNeeds(instance, max(8, _round(len(sigs), 8)), linker.RamNeeds(heap, memory))


def image_options(opts):
    """The compile options of a firmware image: it links baremetal.c, which
    gives each defined memory a fixed capacity and grows it in place, so a
    memory's ``base`` never moves (``fixed_base``).  Not for objects other
    hosts link (the firmware spec driver's platform grows by realloc).

    Not done, measured: lowering a memory's maximum to that capacity (a
    memory without a maximum then has constant bounds) saves 9% on
    ``packet`` but costs 9% on ``sort`` (cortex-m3): LLVM rematerializes
    the constant limits inside hot loops."""
    import dataclasses
    return dataclasses.replace(opts, fixed_base=True)


def _funcref() -> int:
    from ...ir.types import FUNCREF
    return FUNCREF


def _max_memory(text: str) -> int:
    cap = boards.parse_size(text, "--max-memory")
    if cap % PAGE:
        raise TargetError(f"--max-memory {text}: not a multiple of 64 KiB (a Wasm page)")
    return cap


def _memory_capacity(d, cap: int | None) -> int:
    """Bytes of RAM for a defined memory: its declared maximum, at most
    ``--max-memory``; without a maximum, ``--max-memory`` or its initial
    size (memory.grow then returns -1)."""
    page = 1 << d.page_size_log2
    initial = d.min * page
    if cap is not None and cap < initial:
        raise TargetError(f"--max-memory {_kib(cap)}: the module's memory starts at {_kib(initial)}")
    declared = None if d.max is None else d.max * page
    if declared is None:
        return cap if cap is not None else initial
    return min(declared, cap) if cap is not None else declared


def _round(n: int, k: int) -> int:
    return (n + k - 1) // k * k


def _kib(n: int) -> str:
    return f"{n // 1024} KiB" if n % 1024 == 0 else f"{n} bytes"


# ------------------------------------------------------------------ linking

def build_image(plan, objects, out: str | os.PathLike, opts, fw: FirmwareOptions,
                cache_dir: str | os.PathLike | None = None) -> Path:
    """Link ``objects`` (the program's, bytes or paths) into the firmware
    image ``out`` and write ``out`` with ``.bin`` / ``.hex`` beside it (its
    suffix replaced).  Raises :class:`TargetError` for bad options or a
    program that does not fit the board, :class:`LinkError` otherwise."""
    from ..buildcache import compile_host_c, runtime_objects, wasi_objects
    t = get_target(opts.target)
    board = check_options(t.name, fw)
    needs = program_needs(plan, t, fw.max_memory)
    _check_fits(board, needs)
    wasi = any(imp.module == WASI_P1 for _, _, _, imp in plan.host_imports())
    fw_objs = [startup_object(t, opts.bounds, cache_dir),
               compile_host_c(HERE / "fw_main.c", t.name, opts.bounds, cache=cache_dir,
                              extra_flags=[*include_flags(),
                                           f"-DWASMAOT_FW_INSTANCE_SIZE={needs.instance_size}"])]
    rt = runtime_objects(t.name, opts.bounds, cache_dir,
                         extra_cflags=[f"-DWASMAOT_MAX_SIGNATURES={needs.signatures}"])
    shim = wasi_objects(t.name, opts.bounds, cache_dir) if wasi else []
    return link_image(t, opts.bounds, board, needs.ram, out,
                      {"gen": [*objects, import_table_object(plan, t.name)], "wasi": shim,
                       "fw": fw_objs, "rt": rt})


def include_flags() -> list[str]:
    """-I flags of the firmware C files: the bare-metal runtime headers
    (semihosting) and the WASI shim's."""
    return [f"-I{runtime_root() / 'platform' / 'baremetal'}", f"-I{wasi_root() / 'include'}"]


def startup_object(t: Target, bounds: str, cache_dir=None) -> Path:
    """The target's startup file (vector table or entry, reset), compiled."""
    from ..buildcache import compile_host_c
    return compile_host_c(HERE / t.firmware.startup, t.name, bounds, cache=cache_dir,
                          extra_flags=[*include_flags(), f"-DWASMAOT_FW_FPU={int(t.firmware.fpu)}"])


#: Code compiled with this feature relies on misaligned loads and stores
#: working; RV32 cores may trap on them instead (riscv_misaligned.c).
UNALIGNED_FEATURE = "+unaligned-scalar-mem"


def misaligned_objects(t: Target, bounds: str, cache_dir=None) -> list[Path]:
    """The misaligned-access emulation of RV32 images whose code assumes
    misaligned accesses work (``UNALIGNED_FEATURE``), else nothing."""
    from ..buildcache import compile_host_c
    if t.firmware.startup != "riscv_startup.c" or UNALIGNED_FEATURE not in t.features.split(","):
        return []
    return [compile_host_c(HERE / "riscv_misaligned.c", t.name, bounds, cache=cache_dir)]


def link_image(t: Target, bounds: str, board: boards.Board, ram: linker.RamNeeds,
               out: str | os.PathLike, parts: dict) -> Path:
    """Link ``parts`` (``{"gen"|"wasi"|"fw"|"rt": [object bytes or path]}``:
    the linker script places and the size report counts each part by these
    names) into the image ``out`` for ``board``, with ``.bin``/``.hex``
    beside it.  Also the spec suite's firmware link (spec-tests/firmware.py)."""
    from ..toolchain import run_zig
    # Every image whose code assumes misaligned accesses work gets their
    # emulation (modules, components and the spec suite's images alike).
    parts = {**parts, "fw": [*misaligned_objects(t, bounds), *parts.get("fw", ())]}
    out = Path(out)
    if out.suffix in (".bin", ".hex"):
        raise TargetError(f"-o {out}: name the ELF image (app.elf); the .bin and .hex "
                          "are written beside it")
    with tempfile.TemporaryDirectory(prefix="wasmaot-fw-") as td:
        d = Path(td)
        paths = [_named(d, f"{kind}_{i}.o", o) for kind in ("gen", "wasi", "fw", "rt")
                 for i, o in enumerate(parts.get(kind, ()))]
        (d / "image.ld").write_text(linker.script(board, ram))
        elf = d / "image.elf"
        # -Os: zig builds compiler-rt small for it; -g: and keeps the symbol
        # table (the size report reads it; debug info never reaches flash).
        run_zig(["-target", t.zig_target, *_cpu_flags(t, bounds), "-Os", "-g",
                 "-T", str(d / "image.ld"),
                 "-Wl,--gc-sections", "-Wl,--no-undefined",
                 "-Wl,--entry=wasmaot_reset_handler", *paths, "-o", str(elf)],
                f"firmware link failed (board {board.name})")
        hexfile.write_bin_and_hex(elf, d / "image.bin", d / "image.hex")
        # Each output appears complete or not at all (renamed into place),
        # the ELF last: its presence means the set is new.
        for src, dst in (("image.bin", ".bin"), ("image.hex", ".hex"), ("image.elf", None)):
            _publish(d / src, out.with_suffix(dst) if dst else out)
    return out


def _publish(src: Path, dst: Path) -> None:
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        if tmp.exists():
            tmp.unlink()


def _check_fits(board: boards.Board, needs: ProgramNeeds) -> None:
    """The RAM regions must fit the board before the linker says it less
    clearly (.data and .bss come on top; the linker checks the total)."""
    fixed = board.stack + needs.ram.heap + needs.ram.memory + needs.instance_size
    if fixed > board.ram.size:
        raise TargetError(f"board {board.name}: the program needs {_kib(fixed)} of RAM "
                          f"(linear memory {_kib(needs.ram.memory)}, stack {_kib(board.stack)}), "
                          f"the board has {_kib(board.ram.size)}; --max-memory or a smaller "
                          f"initial memory may help")


def _cpu_flags(t: Target, bounds: str) -> list[str]:
    """The runtime config's -mcpu: zig builds compiler-rt for it, and the
    helpers must be code the core can run (Thumb-only on Cortex-M)."""
    cfg = parse_manifest(runtime_root() / "sources.txt").config(t.runtime_config(bounds))
    return [f for f in cfg.cflags if f.startswith("-mcpu=")]


def _named(d: Path, name: str, obj) -> str:
    """``obj`` (bytes or a path) as ``d/name``: the linker script tells the
    parts of the image apart by these names."""
    p = d / name
    if isinstance(obj, (bytes, bytearray, memoryview)):
        p.write_bytes(bytes(obj))
    else:
        os.symlink(os.path.abspath(obj), p)
    return str(p)
