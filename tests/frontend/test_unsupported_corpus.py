"""The class, checked on the official proposal suites beside the Wasm 2.0
one (../shared/spec-testsuite/proposals): every module of a proposal we do
not support that we reject must be rejected as *unsupported*, naming a
proposal, and a script we cannot even read must say so the same way --
never a plain "malformed"/"invalid" as if the file were corrupt.

``KNOWN`` lists the few rejections that still read as plain errors, each
with its reason; one that becomes unsupported (or accepted) fails the test,
so the list cannot go stale.
"""
import pytest

from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.errors import UnsupportedError, UnsupportedInvalidError, WasmError
from wasmaot.frontend.text import parse_wast
from wasmaot.frontend.validate import validate_module

# tail-call, wide-arithmetic, multi-memory and relaxed-simd are implemented:
# their suites run in tests/spectest/test_tail_call.py, test_wide_arithmetic.py,
# test_multi_memory.py and test_relaxed_simd.py; memory64, function-references and
# exception-handling stay here as a check that nothing in them reads as corrupt.
PROPOSALS = ["exception-handling", "function-references", "gc", "memory64",
             "threads", "custom-page-sizes"]
# (proposal/file, line) -> why it still reads as plain malformed
KNOWN = {
    ("gc/extern.wast", None): "the script uses (ref.host N) values, a script form of the GC "
                              "suite, not a module feature",
}
_UNSUPPORTED = (UnsupportedError, UnsupportedInvalidError)


def _plain_rejections(suite, prop):
    """(file, line, message) of every rejection that is not 'unsupported'."""
    out = []
    for f in sorted((suite / "proposals" / prop).glob("*.wast")):
        rel = f"{prop}/{f.name}"
        try:
            cmds = parse_wast(f.read_text(encoding="utf-8"), rel)
        except WasmError as e:
            if not isinstance(e, _UNSUPPORTED):
                out.append((rel, None, str(e)))
            continue
        for cmd in cmds:
            if cmd.kind != "module":
                continue
            try:
                validate_module(decode_module(cmd.module.to_binary()))
            except WasmError as e:
                if not isinstance(e, _UNSUPPORTED):
                    out.append((rel, e.line, str(e)))
    return out


@pytest.mark.parametrize("prop", PROPOSALS)
def test_proposal_modules_are_rejected_as_unsupported(suite, prop):
    plain = _plain_rejections(suite, prop)
    unexpected = [p for p in plain if (p[0], p[1]) not in KNOWN]
    assert not unexpected, "\n".join(f"{f}:{line}: {msg}" for f, line, msg in unexpected)
    listed = {k for k in KNOWN if k[0].startswith(prop + "/")}
    stale = listed - {(f, line) for f, line, _ in plain}
    assert not stale, f"listed but no longer a plain rejection: {sorted(stale)}"


def test_each_proposal_is_named(suite):
    """Some rejection in each proposal's suite names that proposal."""
    from wasmaot.frontend import opcodes as O
    # memory64 (table64 included) and exception handling are implemented
    # whole: nothing names them
    names = {"threads": O.THREADS, "gc": O.GC}
    for prop, feature in names.items():
        seen = set()
        for f in sorted((suite / "proposals" / prop).glob("*.wast")):
            try:
                cmds = parse_wast(f.read_text(encoding="utf-8"), f.name)
            except WasmError as e:
                seen.add(getattr(e, "feature", None))
                continue
            for cmd in cmds:
                if cmd.kind == "module":
                    try:
                        validate_module(decode_module(cmd.module.to_binary()))
                    except WasmError as e:
                        seen.add(getattr(e, "feature", None))
        assert feature in seen, (prop, seen)
