"""The runtime ABI as the compiler sees it: every number that generated code
and the C runtime (``runtime-c/include/wasmaot_rt.h``) must agree on.

The header is authoritative for C, this module for Python; nothing else in
Python spells a runtime struct offset, struct size, trap number, flag bit or
the ABI version.  ``tests/runtime/test_build.py`` generates ``_Static_assert``s
from this module and compiles them against the header for every registered
target (64-bit) and for 32-bit targets, so the two cannot drift apart.

* :data:`ABI_VERSION` -- ``WASMAOT_RT_ABI_VERSION``.
* :class:`TrapCode` -- the trap codes, their numbers and messages.  Defined
  in ``ir/trapcodes.py`` (the IR stores them as immediates and must not
  import the backend) and re-exported here; ``TrapCode.x`` IS
  ``WASMAOT_TRAP_X``, so the emitter passes IR codes to ``wasmaot_trap``
  unchanged.
* Struct layouts as functions of the pointer size (4 or 8):
  :func:`memory`, :func:`table`, :func:`funcref`, :func:`segment`,
  :func:`import_desc`, :func:`export_desc`, :func:`module_desc`.
  ``memory(8).size_bytes`` is the offset of ``wasmaot_memory.size_bytes``.
* Flag bits, reference kinds, extern kinds, fixed sizes, and the names of
  the bounds-mode marker symbols (header section 8).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..ir.module import EXTERN_FUNC, EXTERN_GLOBAL, EXTERN_MEMORY, EXTERN_TABLE, EXTERN_TAG
from ..ir.trapcodes import TRAP_NONE, TrapCode

__all__ = ["ABI_VERSION", "TRAP_NONE", "TrapCode", "Struct", "memory", "table", "funcref",
           "segment", "import_desc", "export_desc", "module_desc", "STRUCTS", "ref_size",
           "bounds_marker"]

#: ``WASMAOT_RT_ABI_VERSION`` (2: byte lengths of descriptor names; 3: the
#: module descriptor's ``static_instance``).  Bump it together with the
#: header whenever anything in this file changes meaning.
ABI_VERSION = 3

# ---- fixed sizes ("not configurable: the backend relies on them") ---------------

PAGE_SIZE = 65536                       # WASMAOT_PAGE_SIZE
MAX_PAGES = 65536                       # WASMAOT_MAX_PAGES (4 GiB, wasm32)
MAX_MEMORY_BYTES = (1 << 32) - 65536    # WASMAOT_MAX_MEMORY_BYTES: no memory grows past it
GUARD_RESERVATION = (8 << 30) + 65536   # WASMAOT_GUARD_RESERVATION
TRAP_EXIT_CODE = 134                    # default of WASMAOT_TRAP_EXIT_CODE

# ---- flag bits and kinds ----------------------------------------------------------

MEMORY_HAS_MAX = 1 << 0     # WASMAOT_MEMORY_HAS_MAX
MEMORY_EXTERNAL = 1 << 1    # WASMAOT_MEMORY_EXTERNAL
MEMORY_MAPPED = 1 << 2      # WASMAOT_MEMORY_MAPPED
MEMORY_GUARD = 1 << 3       # WASMAOT_MEMORY_GUARD
MEMORY_PAGE_SIZE_1 = 1 << 4  # WASMAOT_MEMORY_PAGE_SIZE_1 (memory_new's argument: 1-byte pages)
TABLE_HAS_MAX = 1 << 0      # WASMAOT_TABLE_HAS_MAX
TABLE_EXTERNAL = 1 << 1     # WASMAOT_TABLE_EXTERNAL

REF_FUNCREF = 0             # WASMAOT_REF_FUNCREF: table of wasmaot_funcref
REF_EXTERNREF = 1           # WASMAOT_REF_EXTERNREF: table of pointers

# WASMAOT_EXTERN_*, the descriptor's `kind`: the IR's extern kinds (the Wasm
# binary's numbering), imported above and checked against the header.

#: Name -> value of every integer constant above, with its C macro/enumerator
#: name; the layout test asserts each against the header.
C_CONSTANTS = {
    "WASMAOT_RT_ABI_VERSION": ABI_VERSION,
    "WASMAOT_PAGE_SIZE": PAGE_SIZE,
    "WASMAOT_MAX_PAGES": MAX_PAGES,
    "WASMAOT_MAX_MEMORY_BYTES": MAX_MEMORY_BYTES,
    "WASMAOT_GUARD_RESERVATION": GUARD_RESERVATION,
    "WASMAOT_TRAP_EXIT_CODE": TRAP_EXIT_CODE,
    "WASMAOT_MEMORY_HAS_MAX": MEMORY_HAS_MAX,
    "WASMAOT_MEMORY_EXTERNAL": MEMORY_EXTERNAL,
    "WASMAOT_MEMORY_MAPPED": MEMORY_MAPPED,
    "WASMAOT_MEMORY_GUARD": MEMORY_GUARD,
    "WASMAOT_MEMORY_PAGE_SIZE_1": MEMORY_PAGE_SIZE_1,
    "WASMAOT_TABLE_HAS_MAX": TABLE_HAS_MAX,
    "WASMAOT_TABLE_EXTERNAL": TABLE_EXTERNAL,
    "WASMAOT_REF_FUNCREF": REF_FUNCREF,
    "WASMAOT_REF_EXTERNREF": REF_EXTERNREF,
    "WASMAOT_EXTERN_FUNC": EXTERN_FUNC,
    "WASMAOT_EXTERN_TABLE": EXTERN_TABLE,
    "WASMAOT_EXTERN_MEMORY": EXTERN_MEMORY,
    "WASMAOT_EXTERN_GLOBAL": EXTERN_GLOBAL,
    "WASMAOT_EXTERN_TAG": EXTERN_TAG,
    "WASMAOT_TRAP_NONE": TRAP_NONE,
    **{c.c_name: int(c) for c in TrapCode},
    "WASMAOT_TRAP_COUNT": len(TrapCode) + 1,
}


def bounds_marker(guard: bool) -> str:
    """The symbol a runtime built in this bounds mode defines and generated
    code of the same mode must reference (header section 8)."""
    return "wasmaot_rt_abi_v1_guard" if guard else "wasmaot_rt_abi_v1_explicit"


# ---- struct layouts ---------------------------------------------------------------

@dataclass(frozen=True)
class Struct:
    """Layout of one runtime struct for one pointer size.  Field offsets are
    attributes (``table(4).size`` == 8); ``sizeof`` is the C ``sizeof``;
    ``alignof`` is the alignment generated code gives the struct, a multiple
    of C's ``_Alignof`` on every target (i386 aligns uint64_t to 4 only)."""
    c_name: str
    sizeof: int
    alignof: int
    fields: dict[str, int]

    def __getattr__(self, name: str) -> int:
        try:
            return self.__dict__["fields"][name]
        except KeyError:
            raise AttributeError(f"{self.__dict__.get('c_name')} has no field {name!r}") from None


# field kinds -> (size, alignment); "slot" is a pointer in a zero-padded
# 8-byte union slot, which keeps the offsets after it equal on 32 and 64 bit.
def _kinds(ptr: int) -> dict[str, tuple[int, int]]:
    return {"u32": (4, 4), "u64": (8, 8), "ptr": (ptr, ptr), "slot": (8, 8)}


def _layout(c_name: str, ptr: int, fields: str) -> Struct:
    """Natural C layout of ``fields`` ("name:kind ..."), as every target we
    support lays it out."""
    assert ptr in (4, 8), ptr
    kinds = _kinds(ptr)
    off, align, offsets = 0, 1, {}
    for f in fields.split():
        name, kind = f.split(":")
        size, a = kinds[kind]
        off = -(-off // a) * a
        offsets[name] = off
        off += size
        align = max(align, a)
    return Struct(c_name, -(-off // align) * align, align, offsets)


@lru_cache(maxsize=None)
def memory(ptr: int) -> Struct:
    """``wasmaot_memory``: same offsets on 32- and 64-bit (header section 3)."""
    return _layout("wasmaot_memory", ptr, "base:slot size_bytes:u64 pages:u32 max_pages:u32 "
                   "capacity_bytes:u64 flags:u32 page_size_log2:u32")


@lru_cache(maxsize=None)
def table(ptr: int) -> Struct:
    """``wasmaot_table``: same offsets on 32- and 64-bit (header section 5)."""
    return _layout("wasmaot_table", ptr, "elements:slot size:u32 max_size:u32 kind:u32 "
                   "capacity:u32 flags:u32 reserved0:u32")


@lru_cache(maxsize=None)
def funcref(ptr: int) -> Struct:
    """``wasmaot_funcref``: natural layout, 24 bytes (12 on 32-bit)."""
    return _layout("wasmaot_funcref", ptr, "func:ptr type_id:u32 instance:ptr")


@lru_cache(maxsize=None)
def segment(ptr: int) -> Struct:
    """``wasmaot_segment`` (data and element segments): 16 bytes (12)."""
    return _layout("wasmaot_segment", ptr, "data:ptr size:u32 dropped:u32")


@lru_cache(maxsize=None)
def import_desc(ptr: int) -> Struct:
    return _layout("wasmaot_import_desc", ptr, "module:ptr name:ptr kind:u32 offset:u32 "
                   "type:ptr min:u32 max:u32 has_max:u32 module_len:u32 name_len:u32")


@lru_cache(maxsize=None)
def export_desc(ptr: int) -> Struct:
    return _layout("wasmaot_export_desc", ptr, "name:ptr kind:u32 offset:u32 type:ptr "
                   "trampoline:ptr name_len:u32")


@lru_cache(maxsize=None)
def module_desc(ptr: int) -> Struct:
    return _layout("wasmaot_module_desc", ptr, "abi_version:u32 instance_size:u32 "
                   "n_imports:u32 n_exports:u32 imports:ptr exports:ptr instantiate:ptr "
                   "static_instance:ptr")


#: Every struct the generated code or a host reads, for the layout test.
STRUCTS = (memory, table, funcref, segment, import_desc, export_desc, module_desc)


def ref_size(kind: int, ptr: int) -> int:
    """Bytes of one table element of ``kind`` (``wasmaot_ref_size``)."""
    return funcref(ptr).sizeof if kind == REF_FUNCREF else ptr
