"""Firmware images of WASI 0.2 command *components*: the component's link
plan (backends/component) linked as for a module (:func:`.build_image`'s
parts), with three differences:

* the startup is ``fw_component_main.c`` (handle tables, the root
  imports' and resource built-ins' host functions, then ``wasi:cli/run``)
  instead of ``fw_main.c``'s module main; ``fw_main.c`` is still linked for
  its hooks (trap handler, exit, the WASI embedder hooks), its
  ``wasmaot_fw_main`` renamed away at compile time so the component's wins;
* the WASI functions come from ``wasi-shim/component/p2_firmware.c``, the
  subset a device serves, whose one list (``WASMAOT_FW_P2_FUNCS``) is read
  here: each root import of the component is bound to its function by
  position in a generated table (``wasmaot_fw_cm_hostfns``), so the device
  compares no names and only what the program imports is linked;
* the component-export table (backends/component/emit.py) is linked in.

Refused at compile time, one line naming it: a root import function the
device does not serve (sockets, http...), calls between component
instances that need the hosted adapter (fused ones are direct core calls
and link), a component without ``wasi:cli/run``.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..manifest import wasi_root
from ..targets import get_target
from . import (
    HERE,
    PAGE,
    _check_fits,
    check_options,
    include_flags,
    link_image,
    program_needs,
    startup_object,
)

#: Room to grow given by default to a component's memories that declare no
#: maximum (a module's get none): the preview1 adapter allocates its state
#: with memory.grow (one page), and C's malloc grows a page at a time for
#: stdio and the arguments (a C program that sleeps, reads stdin and
#: prints to both streams needs three pages; one more to spare).
GROW_ROOM = 4 * PAGE
#: The C function serving a WASI 0.2 function on firmware (p2_firmware.c).
P2_SYMBOL = "wasmaot_fw_p2_{}"
_ROW = re.compile(r'^\s*F\("([^"]+)",\s*"([^"]+)",\s*(\w+)\)\s*\\?\s*$', re.MULTILINE)


@lru_cache(maxsize=1)
def served_p2_functions() -> dict[tuple[str, str], str]:
    """(interface, function) -> C name of every WASI 0.2 function a
    firmware image serves, parsed from ``WASMAOT_FW_P2_FUNCS`` in
    p2_firmware.c (interfaces without their version)."""
    src = (wasi_root() / "component" / "p2_firmware.c").read_text()
    start = src.index("#define WASMAOT_FW_P2_FUNCS(F)")
    rows = _ROW.findall(src[start:])
    if not rows:
        raise RuntimeError("cannot read the firmware WASI 0.2 table from p2_firmware.c")
    return {(iface, func): name for iface, func, name in rows}


def _refuse(message: str, filename: str):
    from ..component.plan import ComponentCompileError
    return ComponentCompileError(message, None, filename=filename)


def check_component(flat, target: str, filename: str) -> None:
    """Before planning: the component exports wasi:cli/run, and every
    lowered root import is a function the firmware serves."""
    from ...frontend.component.flatten import Lifted
    from ..component.wasi import interface_of
    if not any(e.path[0].split("@")[0] == "wasi:cli/run" for e in flat.exports):
        raise _refuse("a firmware image runs the component's wasi:cli/run export; this component "
                      "exports none", filename)
    served = served_p2_functions()
    for low in flat.lowerings:
        if isinstance(low.func, Lifted):
            continue                    # between component instances: check_plan
        name, func = low.func.path[0], low.func.path[-1]
        if len(low.func.path) != 2 or (interface_of(name), func) not in served:
            raise _refuse(f"component import {name}#{func} is not available on firmware target "
                          f"{target} (WASI 0.2 served: cli, io, clocks, random, "
                          f"filesystem preopens only)", filename)


def check_plan(table, filename: str) -> None:
    """After planning: no adapter (a call between component instances that
    is not fused into a direct core call needs the hosted adapter, which
    allocates with malloc)."""
    if table.adapters:
        raise _refuse("calls between the component's instances that need an adapter are not "
                      "supported on firmware yet", filename)


def bound_scratch(plan, table) -> None:
    """Make the adapter module's scratch memory (plan instance 0 when the
    table names one) exactly the bytes it uses, with 1-byte pages: one
    8-byte slot per core parameter of a lowered function (at most
    MAX_FLAT_PARAMS, then the out-pointer), a fixed size.  It never grows,
    so a 64 KiB page would be RAM wasted; and a memory without a maximum
    would take all of the image's linear-memory region (runtime-c/platform/
    baremetal: a memory gets what is left, up to its maximum), leaving none
    for the memories instantiated after it."""
    from ..component.cm_abi import MAX_FLAT_PARAMS
    if table.scratch:
        scratch = plan.instances[0].module.memories[0]
        scratch.page_size_log2 = 0
        scratch.min = scratch.max = -(-8 * (MAX_FLAT_PARAMS + 1) // 16) * 16


def host_table_object(table, target: str) -> bytes:
    """An object defining ``const wasmaot_cm_hostfn wasmaot_fw_cm_hostfns[]``:
    for each root import of ``table`` (wasmaot_cm_import, in order), the
    p2_firmware.c function serving it."""
    from llvmlite import ir

    from ..component.wasi import interface_of
    from ..helper_objects import emit_llvm_object, helper_module
    served = served_p2_functions()
    mod = helper_module("wasmaot_fw_cm_hostfns", target)
    fn_t = ir.FunctionType(ir.VoidType(), [])
    ptr = ir.PointerType(ir.IntType(8))
    funcs, row = {}, []
    for imp in table.imports:
        iface, func = table.string_of(imp["name"], imp["name_len"]).split("#", 1)
        c_name = P2_SYMBOL.format(served[(interface_of(iface), func)])
        if c_name not in funcs:
            funcs[c_name] = ir.Function(mod, fn_t, c_name).bitcast(ptr)
        row.append(funcs[c_name])
    arr_t = ir.ArrayType(ptr, max(1, len(row)))
    tab = ir.GlobalVariable(mod, arr_t, "wasmaot_fw_cm_hostfns")
    tab.global_constant = True
    tab.initializer = ir.Constant(arr_t, row or [ir.Constant(ptr, None)])
    return emit_llvm_object(str(mod), target)


def _with_grow_room(plan, fw):
    """``fw`` with ``--max-memory`` defaulted, when not given and a defined
    memory declares no maximum, to that memory's initial size plus
    :data:`GROW_ROOM` (the largest such), and never below a declared
    maximum (the cap applies to every memory: it must not shrink one)."""
    if fw.max_memory:
        return fw
    unbounded, declared = [], [0]
    for inst in plan.instances:
        for d in inst.module.memories:
            if d.import_ is None:
                size = (d.min if d.max is None else d.max) << d.page_size_log2
                (unbounded if d.max is None else declared).append(size)
    if not unbounded:
        return fw
    cap = max(max(unbounded) + GROW_ROOM, max(declared))
    return replace(fw, max_memory=str(-(-cap // PAGE) * PAGE))


def build_component_image(plan, table, objects, out, opts, fw, cache_dir=None):
    """Link the component's ``objects`` (its generated code and table) into
    the firmware image ``out`` (with ``.bin``/``.hex``), as
    :func:`.build_image` does for a module."""
    from ..buildcache import compile_host_c, runtime_objects
    t = get_target(opts.target)
    board = check_options(t.name, fw)
    fw = _with_grow_room(plan, fw)
    needs = program_needs(plan, t, fw.max_memory)
    _check_fits(board, needs)
    size = f"-DWASMAOT_FW_INSTANCE_SIZE={needs.instance_size}"
    counts = [size, f"-DWASMAOT_FW_CM_COMPONENTS={table.n_components}",
              f"-DWASMAOT_FW_CM_RESOURCES={len(table.resources)}",
              f"-DWASMAOT_FW_CM_IMPORTS={len(table.imports)}", f"-I{wasi_root() / 'include'}"]
    fw_objs = [startup_object(t, opts.bounds, cache_dir),
               compile_host_c(HERE / "fw_component_main.c", t.name, opts.bounds, cache=cache_dir,
                              extra_flags=[*include_flags(), *counts]),
               # fw_main.c for its hooks only: its module main renamed out of the way.
               compile_host_c(HERE / "fw_main.c", t.name, opts.bounds, cache=cache_dir,
                              extra_flags=[*include_flags(), size,
                                           "-Dwasmaot_fw_main=wasmaot_fw_module_main"])]
    rt = runtime_objects(t.name, opts.bounds, cache_dir,
                         extra_cflags=[f"-DWASMAOT_MAX_SIGNATURES={needs.signatures}"])
    # The WASI part is p2_firmware.c alone: a component's only core imports
    # are its adapter module's, never preview1 (no wasi_objects).
    p2 = compile_host_c(wasi_root() / "component" / "p2_firmware.c", t.name, opts.bounds,
                        cache=cache_dir, extra_flags=[f"-I{wasi_root() / 'include'}"])
    return link_image(t, opts.bounds, board, needs.ram, out,
                      {"gen": [*objects, host_table_object(table, t.name)], "wasi": [p2],
                       "fw": fw_objs, "rt": rt})
