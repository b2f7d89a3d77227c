"""Small data-only objects emitted with llvmlite beside the generated code:
the baked-in default export, the baked-in WASI grants (and the spec
runner's command table, ``spectest/table.py``).

Each is an LLVM module for the target's triple carrying the target's float
ABI (:func:`helper_module`), compiled by :func:`emit_llvm_object` with the
backend's one LLVM initialization.
"""
from __future__ import annotations

from typing import Sequence

from .targets import Target, get_target


def helper_module(name: str, target: str):
    """An empty ``llvmlite.ir.Module`` for ``target``: its triple, and its
    float ABI (:func:`abi_flag`)."""
    import llvmlite.ir as ir
    t = get_target(target)
    mod = ir.Module(name=name)
    mod.triple = t.triple
    abi_flag(mod, t)
    return mod


def abi_flag(mod, t: Target) -> None:
    """Targets whose linker checks the float ABI of every object (RISC-V):
    these objects are built without the target's features, so LLVM would
    not infer it."""
    if t.abi:
        import llvmlite.ir as ir
        mod.add_named_metadata("llvm.module.flags",
                               [ir.IntType(32)(1), ir.MetaDataString(mod, "target-abi"),
                                ir.MetaDataString(mod, t.abi)])


def emit_llvm_object(llvm_ir: str, target: str = "x86_64-linux") -> bytes:
    """Compile textual LLVM IR (a data-only helper module) to an ELF object
    for ``target``."""
    from .codegen import llvm_binding
    llvm = llvm_binding()
    tm = llvm.Target.from_triple(get_target(target).triple).create_target_machine(
        reloc="pic", codemodel="default")
    m = llvm.parse_assembly(llvm_ir)
    m.verify()
    return tm.emit_object(m)


def default_invoke_object(export: str, target: str = "x86_64-linux") -> bytes:
    """An object defining ``const char *const wasmaot_default_invoke`` =
    ``export``: linked into a standalone executable, it makes that export
    the function to call when no ``--invoke`` / ``WASMAOT_INVOKE`` is given
    (see runtime-c/host/standalone_main.c)."""
    import llvmlite.ir as ir
    mod = helper_module("wasmaot_default_invoke", target)
    p = ir.GlobalVariable(mod, ir.PointerType(ir.IntType(8)), "wasmaot_default_invoke")
    p.global_constant = True
    p.initializer = _c_string(mod, "wasmaot_default_invoke.str", export)
    return emit_llvm_object(str(mod), target)


def wasi_options_object(options: Sequence[str], target: str = "x86_64-linux") -> bytes:
    """An object defining ``const char *const wasmaot_wasi_baked_options[]``
    (NULL-terminated): grants baked in at compile time (``--dir``, ``--env``
    ...), parsed by the shim before the command line's own (see
    wasi-shim/include/wasmaot_wasi.h)."""
    import llvmlite.ir as ir
    mod = helper_module("wasmaot_wasi_baked_options", target)
    i8p = ir.PointerType(ir.IntType(8))
    ptrs = [_c_string(mod, f"wasmaot_wasi_baked_options.{k}", opt) for k, opt in enumerate(options)]
    ptrs.append(ir.Constant(i8p, None))
    arr_t = ir.ArrayType(i8p, len(ptrs))
    tab = ir.GlobalVariable(mod, arr_t, "wasmaot_wasi_baked_options")
    tab.global_constant = True
    tab.initializer = ir.Constant(arr_t, ptrs)
    return emit_llvm_object(str(mod), target)


def _c_string(mod, name: str, text: str):
    """A private NUL-terminated UTF-8 constant ``name`` in ``mod``, as an
    ``i8*`` constant expression."""
    import llvmlite.ir as ir
    data = bytearray(text.encode("utf-8") + b"\0")
    arr = ir.ArrayType(ir.IntType(8), len(data))
    g = ir.GlobalVariable(mod, arr, name)
    g.global_constant = True
    g.linkage = "private"
    g.initializer = ir.Constant(arr, data)
    return g.bitcast(ir.PointerType(ir.IntType(8)))
