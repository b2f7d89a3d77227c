"""Shared helpers for the translator tests: translate text, verify, print.

``verify_translation`` runs the IR verifier on every function.  One rule is
waived, for ``__wasmaot_init`` only: I7 "global_set of an immutable global".
The init function *initializes* immutable globals, which the IR (as of this
writing) has no way to express; the requested IR change (an
``init_func`` field on ``ir.Module`` and an I7 exemption for it) is in the
translator's report.  Any other error fails.
"""
from __future__ import annotations

from wasmaot.frontend.load import load_module
from wasmaot.ir.printer import print_function
from wasmaot.ir.translate import INIT_NAME, Translation, translate
from wasmaot.ir.verifier import VerifierError, verifier_errors


def _waived(fname: str, err: str) -> bool:
    return fname == INIT_NAME and "global_set of immutable global" in err


def verify_translation(tr: Translation) -> None:
    errs = []
    for f in tr.module.functions():
        errs.extend(e for e in verifier_errors(f) if not _waived(f.name, e))
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
