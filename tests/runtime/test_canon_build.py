"""The canon layer (runtime-c/canon, include/wasmaot_canon.h): how it is
built for the tests, its ctypes bindings (used by test_canon_strings.py and
test_canon_handles.py), and proof that it is freestanding: it compiles for
32-bit bare-metal targets and links into a -nostdlib firmware image.

For the tests the layer is built as a host shared library with the zig
toolchain and loaded with ctypes, so that hypothesis can drive it call by
call and compare it with the Python model (frontend/component/canonabi.py).
"""

from __future__ import annotations

import ctypes
import hashlib
import struct
import subprocess

import pytest

from .conftest import C_DIR, RUNTIME, zig

CANON_SOURCES = sorted((RUNTIME / "canon").glob("*.c"))
HEADER = RUNTIME / "include" / "wasmaot_canon.h"
# The manifest's flags for every config, strict; the library is for the host.
CFLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-fno-sanitize=all", f"-I{RUNTIME / 'include'}"]


# ----------------------------------------------------------- the library


_LIBS: dict[str, ctypes.CDLL] = {}


def canon_library(tmp_path_factory, defines: tuple[str, ...] = ()) -> ctypes.CDLL:
    """runtime-c/canon as a host shared library, with prototypes set; built
    once per session and set of -D flags (each test module's `lib` fixture
    calls this)."""
    key = hashlib.sha1(b"".join(p.read_bytes() for p in [*CANON_SOURCES, HEADER])
                       + "\0".join(defines).encode()).hexdigest()[:10]
    if key not in _LIBS:
        out = tmp_path_factory.mktemp("canon") / f"libwasmaot_canon-{key}.so"
        zig(["-shared", "-fPIC", *CFLAGS, *defines, *map(str, CANON_SOURCES), "-o", str(out)])
        lib = ctypes.CDLL(str(out))
        _declare(lib)
        _LIBS[key] = lib
    return _LIBS[key]


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    return canon_library(tmp_path_factory)


u32 = ctypes.c_uint32
P = ctypes.POINTER

E_BASE = 0x100
REASONS = [
    "OUT_OF_BOUNDS", "UNALIGNED", "STRING_TOO_LONG", "INVALID_UTF8", "INVALID_UTF16", "NO_REALLOC",
    "UNKNOWN_HANDLE", "WRONG_TYPE", "BORROWED", "NOT_OWN", "BORROWS_REMAIN", "TABLE_FULL",
    "MAY_NOT_LEAVE", "MAY_NOT_ENTER", "POISONED", "LENDERS_FULL",
]
#: reason name -> status value (wasmaot_canon.h, checked by test_reason_values)
E = {name: E_BASE + k for k, name in enumerate(REASONS)}
UTF8, UTF16, LATIN1_UTF16 = 0, 1, 2
ENC = {"utf8": UTF8, "utf16": UTF16, "latin1+utf16": LATIN1_UTF16}
TAG = 1 << 31


class Rtype(ctypes.Structure):
    pass


DTOR = ctypes.CFUNCTYPE(u32, P(Rtype), u32)


class Handle(ctypes.Structure):
    _fields_ = [("rt", ctypes.c_void_p), ("scope", ctypes.c_void_p), ("rep", u32),
                ("num_lends", u32), ("own", u32), ("reserved0", u32)]


GROW = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, u32, u32, P(u32))


class Table(ctypes.Structure):
    _fields_ = [("slots", P(Handle)), ("capacity", u32), ("length", u32), ("free_head", u32),
                ("reserved0", u32), ("grow", GROW), ("grow_ctx", ctypes.c_void_p)]


class Instance(ctypes.Structure):
    _fields_ = [("handles", Table), ("may_leave", u32), ("may_enter", u32), ("trap", u32)]


Rtype._fields_ = [("impl", P(Instance)), ("dtor", DTOR), ("ctx", ctypes.c_void_p)]


class Call(ctypes.Structure):
    _fields_ = [("num_borrows", u32), ("num_lenders", u32), ("lenders_capacity", u32), ("reserved0", u32),
                ("lenders", P(u32)), ("lender_inst", P(Instance))]


class Mem(ctypes.Structure):
    pass


REALLOC = ctypes.CFUNCTYPE(u32, P(Mem), u32, u32, u32, u32, P(u32))
Mem._fields_ = [("base", ctypes.c_void_p), ("size", ctypes.c_uint64), ("realloc", REALLOC),
                ("inst", P(Instance)), ("ctx", ctypes.c_void_p)]


class StringInfo(ctypes.Structure):
    _fields_ = [(n, u32) for n in ("encoding", "code_units", "code_points", "utf8_bytes", "utf16_units",
                                   "max_code_point")]


def _declare(lib) -> None:
    PI = P(Instance)
    PR = P(Rtype)
    protos = {
        "wasmaot_canon_trap_code": (u32, [u32]),
        "wasmaot_canon_message": (ctypes.c_char_p, [u32]),
        "wasmaot_canon_instance_init": (None, [PI, P(Handle), u32, GROW, ctypes.c_void_p]),
        "wasmaot_canon_poison": (u32, [PI, u32]),
        "wasmaot_canon_enter": (u32, [PI]),
        "wasmaot_canon_leave": (None, [PI]),
        "wasmaot_canon_call_init": (None, [P(Call), P(u32), u32]),
        "wasmaot_canon_call_finish": (u32, [P(Call), PI]),
        "wasmaot_canon_resource_new": (u32, [PI, PR, u32, P(u32)]),
        "wasmaot_canon_resource_rep": (u32, [PI, PR, u32, P(u32)]),
        "wasmaot_canon_resource_drop": (u32, [PI, PR, u32]),
        "wasmaot_canon_lift_own": (u32, [PI, PR, u32, P(u32)]),
        "wasmaot_canon_lift_borrow": (u32, [PI, PR, u32, P(Call), P(u32)]),
        "wasmaot_canon_lower_own": (u32, [PI, PR, u32, P(u32)]),
        "wasmaot_canon_lower_borrow": (u32, [PI, PR, u32, P(Call), P(u32)]),
        "wasmaot_canon_string_check": (u32, [P(Mem), u32, u32, u32, P(StringInfo)]),
        "wasmaot_canon_transcode": (u32, [P(Mem), u32, u32, u32, P(Mem), u32, P(u32), P(u32)]),
    }
    for name, (res, args) in protos.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args


# ------------------------------------------------------------------ tests


def elf32_symbols(path) -> tuple[set[str], set[str]]:
    """(defined, undefined) global symbols of a little-endian ELF32 file."""
    data = path.read_bytes()
    assert data[:6] == b"\x7fELF\x01\x01", f"{path}: not a little-endian ELF32 file"
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x2E)
    sections = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    defined, undefined = set(), set()
    for _, sh_type, _, _, offset, size, link, _, _, entsize in sections:
        if sh_type != 2:  # SHT_SYMTAB
            continue
        strtab = sections[link][4]
        for k in range(1, size // entsize):
            name, _, _, info, _, shndx = struct.unpack_from("<IIIBBH", data, offset + k * entsize)
            sym = data[strtab + name:data.index(b"\0", strtab + name)].decode()
            if sym and info >> 4 != 0:  # global or weak
                (undefined if shndx == 0 else defined).add(sym)
    return defined, undefined


def test_reason_values(tmp_path):
    """The Python names above are the header's values (a C program prints them)."""
    probe = tmp_path / "reasons.c"
    probe.write_text('#include <stdio.h>\n#include "wasmaot_canon.h"\nint main(void) {\n'
                     + "".join(f'    printf("%u\\n", (unsigned)WASMAOT_CANON_E_{n});\n' for n in REASONS)
                     + '    printf("%u\\n", (unsigned)WASMAOT_CANON_E_COUNT);\n    return 0;\n}\n')
    exe = tmp_path / "reasons"
    zig(["-target", "x86_64-linux-musl", *CFLAGS, str(probe), "-o", str(exe)])
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()
    assert [int(v) for v in out] == [*E.values(), E_BASE + len(REASONS)]


def test_every_reason_has_a_message_and_a_trap_code(lib):
    from wasmaot.ir.trapcodes import TrapCode
    for name, v in E.items():
        assert lib.wasmaot_canon_message(v), name
        code = lib.wasmaot_canon_trap_code(v)
        assert code == (TrapCode.memory_out_of_bounds if name == "OUT_OF_BOUNDS" else TrapCode.host), name
    # trap codes (a callback's trap) pass through unchanged and have no canon message
    assert lib.wasmaot_canon_trap_code(int(TrapCode.unreachable)) == TrapCode.unreachable
    assert lib.wasmaot_canon_message(int(TrapCode.unreachable)) is None


@pytest.mark.parametrize("value", ["0", "268435456"])
def test_bad_table_maximum_is_an_error(tmp_path, value):
    probe = tmp_path / "probe.c"
    probe.write_text('#include "wasmaot_canon.h"\n')
    proc = zig(["-target", "x86_64-linux-musl", *CFLAGS, f"-DWASMAOT_CANON_TABLE_MAX_LENGTH={value}",
                "-c", str(probe), "-o", str(tmp_path / "probe.o")], check=False)
    assert proc.returncode != 0
    assert "WASMAOT_CANON_TABLE_MAX_LENGTH must be in" in proc.stderr


BAREMETAL = {
    "thumbv7m-cortex-m3": ("thumb-freestanding-eabi", ["-mcpu=cortex_m3"]),
    "riscv32-imac": ("riscv32-freestanding", ["-mcpu=generic_rv32+m+a+c"]),
}


@pytest.mark.parametrize("name", sorted(BAREMETAL))
def test_canon_is_freestanding(tmp_path, name):
    """Compiled -ffreestanding for a 32-bit microcontroller, the layer needs
    nothing from outside but compiler helpers (__aeabi_*, __udivsi3...): not
    even memmove, so it links without the core."""
    target, cpu = BAREMETAL[name]
    undefined, defined = set(), set()
    for src in CANON_SOURCES:
        obj = tmp_path / (src.stem + ".o")
        zig(["-target", target, *cpu, "-ffreestanding", *CFLAGS, "-DWASMAOT_PLATFORM_BAREMETAL=1",
             "-DWASMAOT_BOUNDS_EXPLICIT=1", "-c", str(src), "-o", str(obj)])
        d, u = elf32_symbols(obj)
        defined |= d
        undefined |= u
    assert {s for s in undefined - defined if not s.startswith("__")} == set()
    assert {"wasmaot_canon_transcode", "wasmaot_canon_resource_drop"} <= defined


@pytest.mark.parametrize("name", sorted(BAREMETAL))
def test_canon_firmware_links_without_libc(builder, name, tmp_path):
    """The manifest's bare-metal config carries the canon layer; an embedder
    that uses it (c/canon_firmware.c) links -nostdlib with nothing undefined."""
    build = builder.build(name)
    assert any(o.name.startswith("canon_") for o in build.objects)
    stub = build.compile_program(C_DIR / "canon_firmware.c")
    image = tmp_path / "canon_firmware.elf"
    zig(["-target", build.config.target, *build.cflags, "-nostdlib", "-Wl,--gc-sections",
         str(stub), *map(str, build.objects), "-o", str(image)])
    defined, undefined = elf32_symbols(image)
    assert undefined == set()
    assert {"wasmaot_canon_transcode", "wasmaot_canon_resource_drop"} <= defined
