"""Shared helpers for the translator tests: translate text, verify, print.

``verify_translation`` runs the IR verifier on every function, with no
waivers: the init function is recognised by ``ir.Module.init_func``, where
the verifier allows initializing immutable globals.
"""
from __future__ import annotations

from wasmaot.frontend.load import load_module
from wasmaot.ir.printer import print_function
from wasmaot.ir.translate import INIT_NAME, Translation, translate
from wasmaot.ir.verifier import VerifierError, verifier_errors


def verify_translation(tr: Translation) -> None:
    assert tr.module.init_func == tr.init_func
    errs = []
    for f in tr.module.functions():
        errs.extend(verifier_errors(f))
    if errs:
        raise VerifierError(errs)


def translate_wat(text: str) -> Translation:
    tr = translate(load_module(text.encode(), "test.wat"))
    verify_translation(tr)
    return tr


def render(tr: Translation) -> str:
    """Defined functions' text; the init function only when it does something."""
    out = []
    for f in tr.module.functions():
        if f.name == INIT_NAME and f.num_live_insts() == 1:
            continue
        out.append(print_function(f))
    return "\n".join(out)
