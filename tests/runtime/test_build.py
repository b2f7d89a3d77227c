"""The runtime builds for every manifest configuration, its configuration
macros default and conflict as documented, the ABI layout is what the header
promises, and bare-metal objects depend on nothing but the embedder's trap
handler (and the weak mem* routines they carry themselves)."""

import struct
import subprocess

import pytest

from wasmaot.backends import abi
from wasmaot.backends.targets import get_target, target_names

from .conftest import C_DIR, LDFLAGS, RUNTIME, parse_manifest, run, zig

# ---------------------------------------------------------------- helpers

EM_X86_64, EM_AARCH64, EM_ARM, EM_RISCV, EM_386 = 62, 183, 40, 243, 3


def elf_info(path):
    """(elf class bits, e_machine, defined symbols, undefined symbols) of an
    ELF relocatable object; only what the tests need."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF", path
    is64 = data[4] == 2
    endian = "<" if data[5] == 1 else ">"
    machine = struct.unpack_from(endian + "H", data, 18)[0]
    if is64:
        shoff, = struct.unpack_from(endian + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(endian + "HH", data, 0x3A)
    else:
        shoff, = struct.unpack_from(endian + "I", data, 0x20)
        shentsize, shnum = struct.unpack_from(endian + "HH", data, 0x2E)
    sections = []
    for i in range(shnum):
        off = shoff + i * shentsize
        if is64:
            _, sh_type, _, _, sh_offset, sh_size, sh_link, _, _, sh_entsize = struct.unpack_from(
                endian + "IIQQQQIIQQ", data, off)
        else:
            _, sh_type, _, _, sh_offset, sh_size, sh_link, _, _, sh_entsize = struct.unpack_from(
                endian + "IIIIIIIIII", data, off)
        sections.append((sh_type, sh_offset, sh_size, sh_link, sh_entsize))
    defined, undefined = set(), set()
    for sh_type, sh_offset, sh_size, sh_link, sh_entsize in sections:
        if sh_type != 2:  # SHT_SYMTAB
            continue
        str_off = sections[sh_link][1]
        for k in range(1, sh_size // sh_entsize):
            off = sh_offset + k * sh_entsize
            if is64:
                name, info, _, shndx = struct.unpack_from(endian + "IBBH", data, off)
            else:
                name, _, _, info, _, shndx = struct.unpack_from(endian + "IIIBBH", data, off)
            end = data.index(b"\0", str_off + name)
            sym = data[str_off + name:end].decode()
            bind = info >> 4
            if not sym or bind == 0:  # local
                continue
            (undefined if shndx == 0 else defined).add(sym)
    return (64 if is64 else 32), machine, defined, undefined


def header_probe(target, flags, source='#include "wasmaot_rt.h"\n', tmp_path=None):
    src = tmp_path / "probe.c"
    src.write_text(source)
    # (zig cc mishandles -fsyntax-only, so really compile)
    return zig(["-target", target, *flags, f"-I{RUNTIME / 'include'}", "-c", str(src),
                "-o", str(tmp_path / "probe.o")], check=False)


# ---------------------------------------------------------------- manifest


def test_manifest_lists_every_runtime_source(manifest):
    listed = {f for files in manifest.layers.values() for f in files}
    # host/ holds executables' main()s (standalone, spec driver glue), linked
    # by backends/link.py beside the runtime, not part of it.
    on_disk = {str(p.relative_to(RUNTIME)) for p in RUNTIME.rglob("*.c")
               if p.relative_to(RUNTIME).parts[0] != "host"}
    assert listed == on_disk
    assert set(manifest.layers) == {"core", "posix", "baremetal", "semihost", "canon"}


def test_manifest_parser_rejects_unknown_keywords(tmp_path):
    bad = tmp_path / "sources.txt"
    bad.write_text("layer core a.c\nbogus x y\n")
    with pytest.raises(ValueError, match="unknown keyword 'bogus'"):
        parse_manifest(bad)


# -------------------------------------------------- every config compiles

EM_BY_ARCH = {"x86_64": EM_X86_64, "aarch64": EM_AARCH64, "riscv": EM_RISCV, "thumb": EM_ARM}


def _em(arch: str) -> int:
    """ELF e_machine of an architecture (every thumbv*/riscv* variant alike)."""
    return next(em for prefix, em in EM_BY_ARCH.items() if arch.startswith(prefix))


def expected_machine():
    """config -> (ELF class bits, e_machine): the configs every registered
    target links, plus the bare-metal ones no target links yet."""
    out = {"thumbv7m-cortex-m3": (32, EM_ARM), "riscv32-imac": (32, EM_RISCV)}
    for name in target_names():
        t = get_target(name)
        for config in t.runtime_configs.values():
            out[config] = (8 * t.pointer_bytes, _em(t.arch))
    return out


EXPECTED_MACHINE = expected_machine()


@pytest.mark.parametrize("name", sorted(EXPECTED_MACHINE))
def test_config_compiles_warning_free(builder, manifest, name):
    build = builder.build(name)  # -Werror in tests
    for obj in build.objects:
        bits, machine, _, _ = elf_info(obj)
        assert (bits, machine) == EXPECTED_MACHINE[name], obj


def test_manifest_configs_are_all_covered(manifest):
    assert set(manifest.configs) == set(EXPECTED_MACHINE)


@pytest.mark.parametrize("name", ["thumbv7m-cortex-m3", "riscv32-imac"])
def test_baremetal_objects_need_only_the_embedder_trap(builder, name):
    build = builder.build(name)
    defined, undefined = set(), set()
    for obj in build.objects:
        _, _, d, u = elf_info(obj)
        defined |= d
        undefined |= u
    missing = undefined - defined
    # Compiler-runtime helpers (__aeabi_*, __udivdi3...) come with every
    # toolchain; nothing else may be needed from outside.
    assert {s for s in missing if not s.startswith("__")} == {"wasmaot_embedder_trap"}
    assert {"memcpy", "memmove", "memset", "memcmp"} <= defined


@pytest.mark.parametrize("name", ["thumbv7m-cortex-m3", "riscv32-imac"])
def test_baremetal_firmware_links_without_libc(builder, name, tmp_path):
    # The embedder stub + runtime objects, -nostdlib, gc-sections: the image
    # must link with nothing left undefined.
    build = builder.build(name)
    stub = build.compile_program(C_DIR / "firmware.c")
    image = tmp_path / "firmware.elf"
    zig(["-target", build.config.target, *build.cflags, "-nostdlib", "-Wl,--gc-sections",
         str(stub), *map(str, build.objects), "-o", str(image)])
    bits, _, defined, undefined = elf_info(image)
    assert bits == 32
    assert undefined == set()
    assert {"wasmaot_memory_fill", "wasmaot_table_fill", "wasmaot_embedder_trap"} <= defined


@pytest.mark.parametrize("name", ["x86_64-linux-musl", "x86_64-linux-musl-explicit"])
def test_posix_objects_define_the_abi(builder, name):
    defined = set()
    for obj in builder.build(name).objects:
        defined |= elf_info(obj)[2]
    functions = {
        "wasmaot_trap", "wasmaot_trap_message", "wasmaot_memory_new", "wasmaot_memory_attach",
        "wasmaot_memory_free", "wasmaot_memory_grow", "wasmaot_memory_fill", "wasmaot_memory_copy",
        "wasmaot_memory_init", "wasmaot_memory_checked_ptr", "wasmaot_table_new", "wasmaot_table_attach",
        "wasmaot_table_free", "wasmaot_table_get", "wasmaot_table_set", "wasmaot_table_grow",
        "wasmaot_table_fill", "wasmaot_table_copy", "wasmaot_table_init", "wasmaot_call_indirect_check",
        "wasmaot_rt_intern_signature", "wasmaot_rt_signature_string", "wasmaot_stack_limit",
        "wasmaot_rt_init", "wasmaot_rt_try", "wasmaot_rt_run", "wasmaot_rt_report_trap_and_exit",
        "wasmaot_rt_argc", "wasmaot_rt_argv", "wasmaot_memory_segment",
    }
    assert functions <= defined, functions - defined
    marker = abi.bounds_marker(name == "x86_64-linux-musl")
    other = abi.bounds_marker(name != "x86_64-linux-musl")
    assert marker in defined and other not in defined


# -------------------------------------------------------- mode marker link


def test_mode_marker_links_same_mode_and_rejects_the_other(builder, tmp_path):
    guard = builder.build("x86_64-linux-musl")
    explicit = builder.build("x86_64-linux-musl-explicit")
    user_guard = guard.compile_program(C_DIR / "marker_user.c")
    exe = tmp_path / "ok"
    zig(["-target", "x86_64-linux-musl", *LDFLAGS, str(user_guard), *map(str, guard.objects), "-o", str(exe)])
    assert run(exe).returncode == 0
    proc = zig(["-target", "x86_64-linux-musl", *LDFLAGS, str(user_guard), *map(str, explicit.objects),
                "-o", str(tmp_path / "bad")], check=False)
    assert proc.returncode != 0
    assert abi.bounds_marker(True) in proc.stderr


# ------------------------------------------------------------- ABI layout
# backends/abi.py is the compiler's copy of the header's numbers.  We turn it
# into _Static_asserts and compile them against the header for every runtime
# configuration a registered target links (64-bit, both bounds modes), for
# the 32-bit bare-metal configurations and for i386 (uint64_t aligned to 4):
# any difference is a compile error that names the field or constant.

# 32-bit configurations no registered target uses yet: config -> pointer size
EXTRA_ABI_CONFIGS = {"thumbv7m-cortex-m3": 4, "riscv32-imac": 4}


def abi_cases():
    cases = dict(EXTRA_ABI_CONFIGS)
    for name in target_names():
        t = get_target(name)
        for bounds in t.bounds_modes:
            cases[t.runtime_config(bounds)] = t.pointer_bytes
    return cases


def abi_static_asserts(ptr_bytes):
    """C source asserting every number of backends/abi.py for one pointer size."""
    out = ['#include "wasmaot_rt.h"',
           f'_Static_assert(sizeof(void *) == {ptr_bytes}, "abi.py: pointer size");']
    for layout in abi.STRUCTS:
        st = layout(ptr_bytes)
        for f, off in st.fields.items():
            out.append(f'_Static_assert(offsetof({st.c_name}, {f}) == {off}, "abi.py: {st.c_name}.{f}");')
        out.append(f'_Static_assert(sizeof({st.c_name}) == {st.sizeof}, "abi.py: sizeof {st.c_name}");')
        out.append(f'_Static_assert({st.alignof} % _Alignof({st.c_name}) == 0, "abi.py: alignof {st.c_name}");')
    ext = abi.ref_size(abi.REF_EXTERNREF, ptr_bytes)
    out.append(f'_Static_assert(sizeof(wasmaot_externref) == {ext}, "abi.py: externref size");')
    out.append('_Static_assert(sizeof(wasmaot_trap_code) == 4, "abi.py: trap codes are i32");')
    for name, value in abi.C_CONSTANTS.items():
        out.append(f'_Static_assert({name} == {value}ull, "abi.py: {name}");')
    # The header declares only the marker of the configured mode: naming the
    # other one, or a misspelt one, does not compile.
    out += ["#if WASMAOT_BOUNDS_GUARD",
            f'_Static_assert(sizeof({abi.bounds_marker(True)}) == 4, "abi.py: guard marker");',
            "#else",
            f'_Static_assert(sizeof({abi.bounds_marker(False)}) == 4, "abi.py: explicit marker");',
            "#endif"]
    return "\n".join(out) + "\n"


def test_abi_cases_cover_every_config(manifest):
    assert set(abi_cases()) == set(manifest.configs)


@pytest.mark.parametrize("name", sorted(abi_cases()))
def test_abi_py_matches_the_header(manifest, name, tmp_path):
    cfg = manifest.configs[name]
    proc = header_probe(cfg.target, [*manifest.all_cflags, *cfg.cflags],
                        source=abi_static_asserts(abi_cases()[name]), tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_abi_py_matches_the_header_on_i386(manifest, tmp_path):
    proc = header_probe("x86-linux-musl", list(manifest.all_cflags),
                        source=abi_static_asserts(4), tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_abi_check_can_fail(manifest, tmp_path):
    # A wrong number in abi.py must break the check, with the field named.
    src = abi_static_asserts(8).replace("offsetof(wasmaot_memory, size_bytes) == 8",
                                        "offsetof(wasmaot_memory, size_bytes) == 16")
    proc = header_probe("x86_64-linux-musl", list(manifest.all_cflags), source=src, tmp_path=tmp_path)
    assert proc.returncode != 0
    assert "abi.py: wasmaot_memory.size_bytes" in proc.stderr


# ------------------------------------------------- configuration macros


def predefined(target, flags, tmp_path):
    src = tmp_path / "m.c"
    src.write_text('#include "wasmaot_rt.h"\n')
    out = zig(["-target", target, *flags, f"-I{RUNTIME / 'include'}", "-E", "-dM", str(src)]).stdout
    macros = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[1].startswith("WASMAOT_"):
            macros[parts[1]] = parts[2]
    return macros


@pytest.mark.parametrize(
    "target,flags,platform,bounds",
    [
        ("x86_64-linux-musl", [], "POSIX", "GUARD"),
        ("aarch64-linux-musl", [], "POSIX", "GUARD"),
        ("x86-linux-musl", [], "POSIX", "EXPLICIT"),  # 32-bit: no room for guard
        ("x86_64-linux-musl", ["-ffreestanding"], "BAREMETAL", "EXPLICIT"),
        ("thumb-freestanding-eabi", ["-mcpu=cortex_m3", "-ffreestanding"], "BAREMETAL", "EXPLICIT"),
        ("riscv32-freestanding", ["-ffreestanding"], "BAREMETAL", "EXPLICIT"),
    ],
)
def test_configuration_defaults(target, flags, platform, bounds, tmp_path):
    m = predefined(target, flags, tmp_path)
    other_platform = {"POSIX": "BAREMETAL", "BAREMETAL": "POSIX"}[platform]
    other_bounds = {"GUARD": "EXPLICIT", "EXPLICIT": "GUARD"}[bounds]
    assert m[f"WASMAOT_PLATFORM_{platform}"] == "1"
    assert m[f"WASMAOT_PLATFORM_{other_platform}"] == "0"
    assert m[f"WASMAOT_BOUNDS_{bounds}"] == "1"
    assert m[f"WASMAOT_BOUNDS_{other_bounds}"] == "0"
    assert m["WASMAOT_TRAP_EXIT_CODE"] == "134"


@pytest.mark.parametrize(
    "target,flags,message",
    [
        ("thumb-freestanding-eabi", ["-mcpu=cortex_m3", "-ffreestanding", "-DWASMAOT_BOUNDS_GUARD=1"],
         "WASMAOT_BOUNDS_GUARD needs 64-bit pointers"),
        ("riscv32-freestanding", ["-ffreestanding", "-DWASMAOT_BOUNDS_GUARD=1"],
         "WASMAOT_BOUNDS_GUARD needs 64-bit pointers"),
        ("x86_64-linux-musl", ["-ffreestanding", "-DWASMAOT_BOUNDS_GUARD=1"],
         "WASMAOT_BOUNDS_GUARD needs virtual memory"),
        ("x86_64-linux-musl", ["-DWASMAOT_BOUNDS_GUARD=1", "-DWASMAOT_BOUNDS_EXPLICIT=1"],
         "exactly one of WASMAOT_BOUNDS_GUARD / WASMAOT_BOUNDS_EXPLICIT"),
        ("x86_64-linux-musl", ["-DWASMAOT_BOUNDS_GUARD=0"],
         "exactly one of WASMAOT_BOUNDS_GUARD / WASMAOT_BOUNDS_EXPLICIT"),
        ("x86_64-linux-musl", ["-DWASMAOT_PLATFORM_POSIX=1", "-DWASMAOT_PLATFORM_BAREMETAL=1"],
         "exactly one of WASMAOT_PLATFORM_POSIX / WASMAOT_PLATFORM_BAREMETAL"),
        ("x86_64-linux-musl", ["-ffreestanding", "-DWASMAOT_PLATFORM_POSIX=1"],
         "WASMAOT_PLATFORM_POSIX needs a hosted compiler"),
        ("x86_64-linux-musl", ["-DWASMAOT_STACK_RESERVE=4096"], "WASMAOT_STACK_RESERVE must be at least 16 KiB"),
        ("x86_64-linux-musl", ["-DWASMAOT_TRAP_EXIT_CODE=256"], "WASMAOT_TRAP_EXIT_CODE must be an exit status"),
    ],
)
def test_contradictory_configuration_is_an_error(target, flags, message, tmp_path):
    proc = header_probe(target, flags, tmp_path=tmp_path)
    assert proc.returncode != 0
    assert message in proc.stderr


def test_platform_layers_refuse_the_wrong_platform(manifest, tmp_path):
    posix_src = RUNTIME / "platform/posix/posix_trap.c"
    proc = zig(["-target", "thumb-freestanding-eabi", "-mcpu=cortex_m3", "-ffreestanding",
                f"-I{RUNTIME / 'include'}", "-c", str(posix_src), "-o", str(tmp_path / "p.o")], check=False)
    assert proc.returncode != 0
    assert "only for WASMAOT_PLATFORM_POSIX builds" in proc.stderr
    bm_src = RUNTIME / "platform/baremetal/baremetal.c"
    proc = zig(["-target", "x86_64-linux-musl", f"-I{RUNTIME / 'include'}", "-c", str(bm_src),
                "-o", str(tmp_path / "b.o")], check=False)
    assert proc.returncode != 0
    assert "only for WASMAOT_PLATFORM_BAREMETAL builds" in proc.stderr
