"""Run a .wast script's commands against translated IR (see ``interp.py``).

Returns counts; failures are collected with their line.  Only what the IR
oracle can check is run: ``assert_return``, ``assert_trap`` (actions and
instantiation), bare actions, ``register``.  ``assert_exhaustion`` is
skipped (Python recursion is not the native stack); v128 is not supported.
"""
from __future__ import annotations

from wasmaot.frontend.load import load_module
from wasmaot.frontend.text import (ActionCommand, AssertReturn, AssertTrap, Either, Get,
                                   ModuleCommand, NanPattern, RefExtern, RefFunc, RefNull,
                                   Register, Value, parse_wast)
from wasmaot.ir.translate import translate
from wasmaot.ir.wasm_numerics import Trap

from .interp import Instance, Spectest, Unlinkable


def _arg(v):
    if isinstance(v, Value):
        if v.type == "v128":
            raise NotImplementedError("v128")
        return v.bits
    if isinstance(v, RefNull):
        return None
    if isinstance(v, RefExtern):
        return ("ext", v.value)
    raise NotImplementedError(repr(v))


def _match(exp, got) -> bool:
    if isinstance(exp, Either):
        return any(_match(o, got) for o in exp.options)
    if isinstance(exp, Value):
        return exp.bits == got
    if isinstance(exp, NanPattern):
        w = 32 if exp.type == "f32" else 64
        exp_bits, quiet = (0xFF, 1 << 22) if w == 32 else (0x7FF, 1 << 51)
        mant = got & ((1 << (w - 1 - (8 if w == 32 else 11))) - 1)
        if (got >> (w - 1 - (8 if w == 32 else 11))) & exp_bits != exp_bits or mant == 0:
            return False
        return mant == quiet if exp.kind == "canonical" else bool(mant & quiet)
    if isinstance(exp, RefNull):
        return got is None
    if isinstance(exp, RefExtern):
        return got is not None and got[0] == "ext" and (exp.value is None or got[1] == exp.value)
    if isinstance(exp, RefFunc):
        return got is not None and got[0] != "ext"
    raise NotImplementedError(repr(exp))


def run_script(path: str, counts, failures) -> None:
    cmds = parse_wast(open(path).read(), path)
    registry = {"spectest": Spectest()}
    named = {}
    cur = None

    def inst_of(name):
        return named.get(name) if name else cur

    def act(a):
        inst = inst_of(a.module)
        if inst is None:
            raise NotImplementedError("no instance")
        target = inst.exports[a.field]
        if isinstance(a, Get):
            return [target[0]]
        return inst_call(target, [_arg(x) for x in a.args])

    for c in cmds:
        try:
            if isinstance(c, ModuleCommand):
                cur = None
                m = load_module(c.module.to_binary())
                cur = Instance(translate(m), m, registry)
                if c.name:
                    named[c.name] = cur
            elif isinstance(c, Register):
                inst = inst_of(c.module)
                if inst is not None:
                    registry[c.as_name] = inst
            elif isinstance(c, ActionCommand):
                act(c.action)
            elif isinstance(c, AssertReturn):
                try:
                    got = act(c.action)
                except Trap as t:
                    got = f"trap {t.code.message}"
                if len(got) == len(c.expected) and all(map(_match, c.expected, got)):
                    counts["pass"] += 1
                else:
                    counts["fail"] += 1
                    failures.append(f"{path}:{c.line}: got {got}, expected {c.expected}")
            elif isinstance(c, AssertTrap):
                try:
                    if c.action is not None:
                        act(c.action)
                    else:
                        m = load_module(c.module.to_binary())
                        Instance(translate(m), m, registry)
                except Trap as t:
                    if c.message.startswith(t.code.message) or t.code.message.startswith(c.message):
                        counts["pass"] += 1
                    else:
                        counts["fail"] += 1
                        failures.append(f"{path}:{c.line}: trap {t.code.message!r}, "
                                        f"expected {c.message!r}")
                else:
                    counts["fail"] += 1
                    failures.append(f"{path}:{c.line}: no trap, expected {c.message!r}")
        except (NotImplementedError, Unlinkable, RecursionError, KeyError) as e:
            counts["skip"] += 1


def inst_call(ref, args):
    from .interp import call_ref
    return call_ref(ref, args)
