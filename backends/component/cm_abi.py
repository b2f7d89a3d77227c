"""The compiler's one copy of ``runtime-c/include/wasmaot_cm.h``'s numbers.

The header is authoritative; ``tests/component/test_compile_descriptors.py``
compiles ``_Static_assert``s generated from this module against it, so a
drift fails a test instead of a run.  The structs are all ``uint32_t``
words (pointers only in the top-level ``wasmaot_cm_component``), so their
layouts are listed as field names in order.
"""
from __future__ import annotations

VERSION = 5

#: Type kinds, by the WIT name of the type (primitives) or its class.
KINDS = {
    "bool": 0, "s8": 1, "u8": 2, "s16": 3, "u16": 4, "s32": 5, "u32": 6,
    "s64": 7, "u64": 8, "f32": 9, "f64": 10, "char": 11, "string": 12,
    "list": 13, "record": 14, "tuple": 15, "variant": 16, "enum": 17,
    "option": 18, "result": 19, "flags": 20, "own": 21, "borrow": 22,
}
KIND_COUNT = 23

#: Flat core types (frontend.types' I32.. numbering is not the header's).
FLAT = {"i32": 0, "i64": 1, "f32": 2, "f64": 3}

ENCODINGS = {"utf8": 0, "utf16": 1, "latin1+utf16": 2}

NONE = 0xFFFFFFFF
MAX_FLAT_PARAMS = 16
MAX_FLAT_RESULTS = 1

#: Field order of the all-uint32 structs.
TYPE_FIELDS = ("kind", "size", "align", "flat_count", "flat", "n", "children", "labels",
               "offsets", "disc_size", "payload_offset", "resource")
FUNC_FIELDS = ("name", "name_len", "n_params", "params", "result", "encoding", "core",
               "core_len", "memory", "memory_len", "realloc", "realloc_len", "post_return",
               "post_return_len", "component")
#: wasmaot_cm_adapter: a function record (the callee), then the caller's options.
ADAPTER_FIELDS = FUNC_FIELDS + ("caller_memory", "caller_memory_len", "caller_realloc",
                                "caller_realloc_len", "caller_encoding", "caller_component",
                                "callee_component", "reserved")
RESOURCE_FIELDS = ("defined_by", "dtor", "dtor_len", "reserved")
BUILTIN_FIELDS = ("op", "resource", "component", "reserved")
BUILTIN_OPS = {"resource.new": 0, "resource.rep": 1, "resource.drop": 2}
#: wasmaot_cm_import: the lowering as a function record (its component:
#: the caller's component instance), then the host function's index.
IMPORT_FIELDS = FUNC_FIELDS + ("host", "reserved")
#: wasmaot_cm_component: twelve uint32 then nine pointers.
COMPONENT_WORDS = ("version", "n_funcs", "n_types", "has_run", "n_adapters", "scratch",
                   "scratch_len", "n_components", "n_resources", "n_builtins", "n_imports",
                   "pair_type")
COMPONENT_POINTERS = ("funcs", "types", "pool", "strings", "adapters", "resources", "builtins",
                      "imports", "parents")

#: The host function adapters call (import module, name): the header's
#: WASMAOT_CM_ADAPT_MODULE / _NAME (a string: checked by reading the header).
ADAPT_IMPORT = ("wasmaot:component", "adapt")
BUILTIN_IMPORT = ("wasmaot:component", "builtin")
#: ... and the one root imports' lowerings call (WASMAOT_CM_HOST_NAME).
HOST_IMPORT = ("wasmaot:component", "host")

#: The symbol of the table (weak in the standalone main).
SYMBOL = "wasmaot_component"


def header_checks() -> str:
    """C ``_Static_assert``s of every number above against the header."""
    out = ['#include <stddef.h>', '#include "wasmaot_cm.h"']
    pairs = [(f"WASMAOT_CM_{k.upper()}", v) for k, v in KINDS.items()]
    pairs += [(f"WASMAOT_CM_FLAT_{k.upper()}", v) for k, v in FLAT.items()]
    pairs += [("WASMAOT_CM_UTF8", 0), ("WASMAOT_CM_UTF16", 1), ("WASMAOT_CM_LATIN1_UTF16", 2),
              ("WASMAOT_CM_KIND_COUNT", KIND_COUNT), ("WASMAOT_CM_VERSION", VERSION),
              ("WASMAOT_CM_NONE", NONE), ("WASMAOT_CM_MAX_FLAT_PARAMS", MAX_FLAT_PARAMS),
              ("WASMAOT_CM_MAX_FLAT_RESULTS", MAX_FLAT_RESULTS)]
    out += [f'_Static_assert({c} == {v}u, "{c}");' for c, v in pairs]
    for struct, fields in (("wasmaot_cm_type", TYPE_FIELDS), ("wasmaot_cm_func", FUNC_FIELDS)):
        out.append(f'_Static_assert(sizeof({struct}) == {4 * len(fields)}, "{struct}");')
        out += [f'_Static_assert(offsetof({struct}, {f}) == {4 * k}, "{struct}.{f}");'
                for k, f in enumerate(fields)]
    out.append(f'_Static_assert(sizeof(wasmaot_cm_adapter) == {4 * len(ADAPTER_FIELDS)}, "adapter");')
    out += [f'_Static_assert(offsetof(wasmaot_cm_adapter, {f}) == {4 * k}, "adapter.{f}");'
            for k, f in enumerate(ADAPTER_FIELDS) if f not in FUNC_FIELDS]
    for struct, fields in (("wasmaot_cm_resource", RESOURCE_FIELDS),
                           ("wasmaot_cm_builtin", BUILTIN_FIELDS)):
        out.append(f'_Static_assert(sizeof({struct}) == {4 * len(fields)}, "{struct}");')
        out += [f'_Static_assert(offsetof({struct}, {f}) == {4 * k}, "{struct}.{f}");'
                for k, f in enumerate(fields)]
    out.append(f'_Static_assert(sizeof(wasmaot_cm_import) == {4 * len(IMPORT_FIELDS)}, "import");')
    out += [f'_Static_assert(offsetof(wasmaot_cm_import, {f}) == {4 * k}, "import.{f}");'
            for k, f in enumerate(IMPORT_FIELDS) if f not in FUNC_FIELDS]
    out += [f'_Static_assert(WASMAOT_CM_{op.upper().replace(".", "_")} == {v}u, "{op}");'
            for op, v in BUILTIN_OPS.items()]
    out += [f'_Static_assert(offsetof(wasmaot_cm_component, {f}) == {4 * k}, "{f}");'
            for k, f in enumerate(COMPONENT_WORDS)]
    out.append(f'_Static_assert(offsetof(wasmaot_cm_component, funcs) == {4 * len(COMPONENT_WORDS)}, '
               '"funcs");')
    return "\n".join(out) + "\n"
