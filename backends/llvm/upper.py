"""The AVX upper state between generated code and C (x86-64 with AVX).

Legacy SSE code runs slowly while the upper halves of the ymm registers are
dirty (on the bench's Zen 2, SQLite 12% slower when nothing cleaned them:
the C runtime's and libc's ``memcpy`` use ``movups``), so LLVM ends every
function that used them with a ``vzeroupper`` on every path, and puts one
before every call it makes while they may be dirty.  That ``vzeroupper``
costs about 1.2 ns there (1.49 ns against 0.30 ns a turn in a loop of them), and LLVM puts it in the return block that a
function's fast paths share with the one loop that used ymm: Lua's
``l_alloc`` (its inlined ``realloc`` copies with ymm) paid it on every
allocation, ``moveresults`` on every return of results.

Generated code calls generated code far more often than it calls C, and
needs no clean state for that: all of it is VEX-encoded.  So where
:func:`enabled`, the internal functions and the C entries are compiled
with ``-vzeroupper``, no ``vzeroupper`` of LLVM's own, and the generated
code puts its own

* before each call into C (:func:`calls_c`: a call in the C convention of
  a named function, the runtime's, or of an import through its slot, the
  WASI shim's or a host's), and
* before the return to C of the trampolines and the start function, the
  ways a host enters an instance.

An indirect call (``call_indirect``) gets none, and a C entry (a funcref's
``func``, an export's symbol) does not clean before it returns: both are
the way generated code calls generated code through a table (every Lua C
function is called so, and Lua's ``l_alloc`` through ``frealloc``), far
more often than a host function is called or a host calls an export.  A
host function entered dirty, or a C caller of an export returned to
dirty, runs slower, not wrong: no ``vzeroupper`` changes a value the
program sees (the upper halves are dead at every call and return of these
conventions), so what this misses costs speed, never correctness.

Only when the features name AVX (``--cpu native`` on an AVX machine,
``--features +avx``): for a named CPU the features are LLVM's own and not
looked up here, so such a build keeps LLVM's placement.
"""
from __future__ import annotations

import re

#: What the internal functions add to their target features.
FEATURE = "-vzeroupper"
#: The instruction, as an intrinsic call (needs AVX).
CALL = "call void @llvm.x86.avx.vzeroupper()"
DECL = "declare void @llvm.x86.avx.vzeroupper() nounwind"

#: The name calls.func_callee gives an import's function pointer (loaded
#: from its funcref slot): a host function, C.
IMPORT_FUNC = "%impf"

_CALL = re.compile(r"^(?:%[\w.]+ = )?(?:(?:tail|musttail|notail) )?(?:call|invoke) (.*)$")


def enabled(target, features: str) -> bool:
    """x86-64 with AVX named in the features (the last ``+avx``/``-avx`` wins)."""
    if target.arch != "x86_64":
        return False
    avx = None
    for f in features.split(","):
        if f.strip() in ("+avx", "-avx"):
            avx = f.strip() == "+avx"
    return bool(avx)


def internal_ccs(target) -> tuple[str, ...]:
    """The conventions of Wasm-to-Wasm calls (Target.internal_cc,
    tail_call_cc) as they begin a call's text: a call in neither is a call
    into C."""
    return tuple(f"{cc} " for cc in (target.internal_cc, target.tail_call_cc) if cc)


def calls_c(line: str, internal_cc: tuple[str, ...]) -> bool:
    """Is the emitted ``line`` a call into C: a call or invoke in the C
    convention (no ``internal_cc`` keyword) of a named function or of an
    import's slot (IMPORT_FUNC), not an LLVM intrinsic nor inline asm?"""
    m = _CALL.match(line)
    if m is None:
        return False
    rest = m.group(1)
    if rest.startswith(internal_cc) or " asm " in f" {rest}" or "@llvm." in rest:
        return False
    callee = re.match(r"[^(]*?([@%][\w.$\"-]+)\(", rest)
    return callee is not None and callee.group(1).startswith(("@", IMPORT_FUNC))


def clean_call(mc) -> str:
    """The ``vzeroupper`` call line, its intrinsic declared in ``mc``."""
    mc.declare("llvm.x86.avx.vzeroupper", DECL)
    return CALL
