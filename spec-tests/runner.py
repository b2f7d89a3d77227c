"""Run official .wast spec-test scripts.

One call of :func:`run_file` handles one script and returns a
:class:`FileResult`.  Files run in parallel worker processes
(:func:`run_files`); each prints as one line, in input order, and the very
last line of the run is ``N passed, N failed, N skipped``.

Counting rules (every assertion kind counts):

* ``module``: passes when it decodes and validates; so does ``module
  definition`` (its ``module instance`` commands are ``module`` commands of
  the same source).
* ``assert_malformed``: passes when decoding/parsing raises
  :class:`MalformedError` whose message contains the expected text.
* ``assert_invalid``: passes when validation raises :class:`InvalidError`
  whose message contains the expected text.
* ``assert_unlinkable`` / ``assert_uninstantiable`` / ``assert_trap`` on a
  module: in frontend-only mode the module must validate and the assertion
  itself counts as skipped (it needs execution); a module that does not
  validate is a failure.
* actions and their assertions (``invoke``, ``get``, ``assert_return``,
  ``assert_trap``, ``assert_exhaustion``): skipped in frontend-only mode.
* ``register`` is bookkeeping, not an assertion, and is not counted.

Execution mode (``Options(mode="exec")``, :mod:`.exec`) counts the same
commands, but runs them: a module passes when it compiles, links and
instantiates; ``assert_unlinkable`` / ``assert_uninstantiable`` /
``assert_trap`` on a module pass when linking fails / instantiation traps
with the expected message; actions and their assertions pass when the
native code does what they say.  ``assert_malformed`` / ``assert_invalid``
are checked as in frontend-only mode.  With ``Options(via_ir=True)``
(``--via-ir``) every module is translated, printed as IR text, and compiled
from that text, as ``wasmaot compile x.ir`` does.

Features: each script runs with ``Options.features`` (``-W``), less the
Wasm 3.0 features whose encodings contradict the scripts written before
them (multi-memory, memory64: :func:`script_features`).

Expected failures come from :mod:`.expected_failures` (and, for wasmtime's
regression suite, :mod:`.wasmtime_misc`) only; one that passes is counted as
failed ("unexpected pass").  A script whose ``;;!`` header needs a feature
we do not support is not run: it counts as one skipped item and
``FileResult.unsupported`` names the proposal.  A script that holds a
component runs through :mod:`.component_exec` (each component compiled and
its actions executed; its ``component_model*`` header features are no
reason to skip it), with the explicit list :mod:`.component_expected`.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from ..frontend.binary import decode_module
from ..frontend.features import DEFAULT, Features, using
from ..frontend.errors import (
    InvalidError,
    MalformedError,
    UnsupportedError,
    WasmError,
    expected_message_matches,
)
from ..frontend.text import Command, Register, parse_wast
from ..frontend.text.script import ComponentSource
from ..frontend.validate import validate_module
from . import component_expected, firmware_expected, wasmtime_misc
from .expected_failures import EXPECTED_FAILURES, gc_expected


@dataclass
class FileResult:
    path: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    xfailed: int = 0
    failures: list[str] = field(default_factory=list)
    unsupported: str | None = None   # why the file was not run (the proposals it needs)

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


@dataclass(frozen=True)
class Options:
    mode: str = "frontend"          # "frontend": decode/validate only; "exec": run (exec.py)
    # execution mode only:
    target: str = "x86_64-linux"
    bounds: str = "guard"
    opt_level: int = 2
    timeout: float = 60.0           # seconds per file's executable
    keep_dir: str | None = None     # keep executables here (debugging)
    via_ir: bool = False            # compile each module from its printed IR (ir_text)
    # "spec", or "wasmtime": named modules are also registered under their
    # name, as wasmtime's `wast` does (see wasmtime_misc.py)
    harness: str = "spec"
    # per module, set by exec.py: its compile-time links (spec-tests/links.py)
    links: object = None
    # per module, set by exec.py: it is the only module of the file that
    # defines a memory, so the process's %gs may hold that memory's base
    # (CompileOptions.memory_segment; backends/llvm/memory.py)
    segment: bool = False
    # the Wasm features modules are decoded and validated with (-W)
    features: Features = DEFAULT


def _load(cmd: Command):
    """The command's module -> decoded and validated module; raises WasmError."""
    binary = cmd.module.to_binary()
    m = decode_module(binary)
    validate_module(m)
    return m


def ir_text(binary: bytes) -> bytes:
    """A valid module's IR, as the text ``wasmaot compile --emit ir`` writes
    before the passes; execution mode with ``via_ir`` compiles this text
    back (``wasmaot compile x.ir``), so every spec assertion checks that the
    text form carries the whole module."""
    from ..frontend.load import load_module
    from ..ir.printer import print_module
    from ..ir.translate import translate_module
    return print_module(translate_module(load_module(binary))).encode()


def _check_rejected(cmd: Command, want: type) -> str | None:
    """None if loading the command's module fails as expected, else why not."""
    try:
        _load(cmd)
    except WasmError as e:
        if not isinstance(e, want):
            return f"expected {want.kind} ({cmd.message!r}), got {e.kind}: {e.message}"
        if not expected_message_matches(e, cmd.message):
            return f"expected {cmd.message!r}, got {e.kind}: {e.message}"
        return None
    return f"module accepted, expected {want.kind} ({cmd.message!r})"


_REJECTS = {"assert_malformed": MalformedError, "assert_invalid": InvalidError}
# Commands that pass when their module loads: ``(module definition ...)``
# needs no instance, so execution mode checks it here as well.
_LOADS = frozenset(("module", "module_definition"))
# Assertions about a *valid* module that need instantiation to check.
_NEEDS_INSTANCE = frozenset(("assert_unlinkable", "assert_uninstantiable"))


def _run_command(cmd: Command, opts: Options) -> tuple[str, str | None]:
    """Returns (outcome, detail) with outcome in pass|fail|skip|none."""
    k = cmd.kind
    want = _REJECTS.get(k)
    if want is not None:
        why = _check_rejected(cmd, want)
        return ("fail", why) if why else ("pass", None)
    if k in _LOADS or k in _NEEDS_INSTANCE or (k == "assert_trap" and cmd.module is not None):
        try:
            _load(cmd)
        except WasmError as e:
            return "fail", f"module rejected: {e.kind}: {e.message}"
        return ("pass", None) if k in _LOADS else ("skip", None)
    if k == "register":
        return "none", None
    return "skip", None                 # actions and their assertions: need execution


def run_file(path: str, opts: Options = Options()) -> FileResult:
    """One script's results, with ``opts.features`` in force throughout
    (less what :func:`script_features` takes away)."""
    with using(script_features(path, opts.features)):
        return _run_file(path, opts)


#: Features whose encodings contradict the Wasm 2.0 suite: with
#: multi-memory, a memory index is a u32 (binary.wast's long-LEB zero
#: ``memory.grow`` index is valid) and memarg flags 32..63 an *invalid*
#: alignment (align.wast says *malformed*); with memory64, a memarg offset
#: is a u64 (``offset=4294967296`` is *invalid* for a 32-bit memory,
#: address.wast says the text is *malformed*); with exceptions, opcode 0x0a
#: (throw_ref) and import kind 4 (a tag) decode (binary.wast says
#: *malformed*).
_NOT_IN_WASM2 = ("multi-memory", "memory64", "exceptions")


#: Proposals whose scripts were written with some of those features and
#: keep them: custom-page-sizes' use two memories and i64 memories.
_WRITTEN_WITH = {"custom-page-sizes": ("multi-memory", "memory64"),
                 "exception-handling": ("exceptions",)}     # the feature's name

#: Proposals beyond Wasm 3.0 whose encodings contradict its suite: with
#: custom-page-sizes, limits flag bit 3 starts a page size (wasm-3.0's
#: binary.wast calls a memory with flags 0x08 "malformed limits flags").
#: Off for every spec-suite script but the proposal's own.
_NOT_IN_WASM3 = ("custom-page-sizes",)


def script_features(path: str, fs: Features) -> Features:
    """The features a script runs with: ``fs``, except that the features
    of :data:`_NOT_IN_WASM2` are turned off for scripts written before them:
    the Wasm 2.0 suite's own (the top level of a spec test suite: a
    directory with a ``proposals`` subdirectory) and each other proposal's
    (``proposals/P/``: all but P itself and :data:`_WRITTEN_WITH`'s;
    ``proposals/wasm-3.0`` keeps them all), and those of
    :data:`_NOT_IN_WASM3` for all of them but the proposal's own.
    wasmtime's suite and other scripts run with ``fs``."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(os.path.join(folder, "proposals")):
        keep = ()
    elif os.path.basename(os.path.dirname(folder)) == "proposals":
        name = os.path.basename(folder)
        keep = (name, *_WRITTEN_WITH.get(name, ())) if name != "wasm-3.0" else _NOT_IN_WASM2
    else:
        return fs
    for name in (*_NOT_IN_WASM2, *_NOT_IN_WASM3):
        if name in fs and name not in keep:
            fs = fs.switched(name, False)
    return fs


def _run_file(path: str, opts: Options) -> FileResult:
    res = FileResult(path)
    name = res.name
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        res.unsupported = wasmtime_misc.unsupported_reason(text, component_model=False,
                                                           path=path)
        if res.unsupported:
            res.skipped += 1        # counted and named (cli prints the reason), not run
            return res
        commands = parse_wast(text, path)
    except UnsupportedError as e:
        res.unsupported = e.message
        res.skipped += 1
        return res
    except (OSError, UnicodeDecodeError, WasmError) as e:
        if isinstance(e, WasmError) and gc_expected(path) is not None:
            # a GC script whose text already needs GC (extern.wast's ref.host)
            res.xfailed += 1
            return res
        res.failed += 1
        res.failures.append(f"{name}: cannot read script: {e}")
        return res
    components = any(_is_component(cmd) for cmd in commands)
    if opts.harness == "wasmtime" and not components:
        commands = wasmtime_registrations(commands)
    whole_file = None           # a whole-file expected-failure entry, if one applies
    for cmd, outcome, detail in (_component_outcomes(commands, path, opts) if components
                                 else _outcomes(commands, path, opts)):
        expected, whole = _expected(path, name, cmd.line, opts)
        if whole:
            whole_file = expected
        if expected is not None:
            if outcome == "fail":
                res.xfailed += 1
                continue
            if outcome == "pass" and not whole:
                outcome, detail = "fail", f"unexpected pass (listed: {expected.reason})"
        if outcome == "pass":
            res.passed += 1
        elif outcome == "skip":
            res.skipped += 1
        elif outcome == "fail":
            res.failed += 1
            res.failures.append(f"{name}:{cmd.line}: {cmd.kind}: {detail}")
    if whole_file is not None and not res.xfailed:
        res.failed += 1
        res.failures.append(f"{name}: unexpected pass of the whole file (listed: {whole_file.reason})")
    return res


def _component_outcomes(commands, path: str, opts: Options):
    """A script with components (issue 13): :mod:`.component_exec`."""
    from .component_exec import outcomes
    try:
        yield from list(outcomes(commands, path, opts))
    except Exception as e:  # noqa: BLE001 -- a bug in wasmaot: every command fails, the run goes on
        for cmd in commands:
            yield cmd, "none" if cmd.kind == "register" else "fail", \
                f"internal error: {type(e).__name__}: {e}"


def _is_component(cmd: Command) -> bool:
    return isinstance(getattr(cmd, "module", None), ComponentSource)


def _expected(path: str, name: str, line: int, opts: Options):
    """The expected-failure entry that covers this command in this run:
    ``(entry or None, whether it covers the whole file)``."""
    e, whole = EXPECTED_FAILURES.get((name, line)), False
    if e is not None and not e.covers(path):
        e = None
    if e is None:
        e = gc_expected(path)
        whole = e is not None
    if e is None:
        e, whole = wasmtime_misc.expected(path, line)
    if e is None:
        e, whole = component_expected.expected(path, line)
    if e is None:
        e, whole = firmware_expected.expected(path, line)
    return (e, whole) if e is not None and e.applies(opts) else (None, False)


def wasmtime_registrations(commands: list) -> list:
    """``commands`` with a ``register`` after every named module, as
    wasmtime's ``wast`` makes ``(module $m ...)`` importable as ``"m"``."""
    out = []
    for cmd in commands:
        out.append(cmd)
        if cmd.kind == "module" and cmd.name:
            out.append(Register(cmd.name[1:], cmd.name, cmd.line))
    return out


def _outcomes(commands, path: str, opts: Options):
    """(command, outcome, detail) for every command, by the selected mode."""
    if opts.mode == "exec":
        from .exec import execute
        try:
            results = list(execute(commands, path, opts))
        except Exception as e:   # a bug in wasmaot: every command fails, the run goes on
            results = [(cmd, "none" if cmd.kind == "register" else "fail",
                        f"internal error: {type(e).__name__}: {e}") for cmd in commands]
        yield from results
        return
    for cmd in commands:
        try:
            outcome, detail = _run_command(cmd, opts)
        except Exception as e:   # a bug in wasmaot: report it as a failure, keep going
            outcome, detail = "fail", f"internal error: {type(e).__name__}: {e}"
        yield cmd, outcome, detail


def collect(paths: list[str], excludes: list[str] = (), recursive: bool = False) -> list[str]:
    """.wast files named, or inside named folders (sorted; directly inside,
    or at any depth with ``recursive``), minus excludes (globs on the file
    name, and with ``recursive`` also on each folder name under the root)."""
    import fnmatch
    files: list[str] = []
    for p in paths:
        if os.path.isdir(p) and recursive:
            for d, subdirs, names in os.walk(p):
                subdirs[:] = sorted(s for s in subdirs
                                    if not any(fnmatch.fnmatch(s, pat) for pat in excludes))
                files.extend(os.path.join(d, n) for n in sorted(names) if n.endswith(".wast"))
        elif os.path.isdir(p):
            files.extend(os.path.join(p, n) for n in sorted(os.listdir(p)) if n.endswith(".wast"))
        else:
            files.append(p)
    return [f for f in files
            if not any(fnmatch.fnmatch(os.path.basename(f), pat) for pat in excludes)]


def run_files(files: list[str], opts: Options, jobs: int):
    """Yield FileResults in input order, computed by ``jobs`` worker processes."""
    if jobs <= 1 or len(files) <= 1:
        for f in files:
            yield run_file(f, opts)
        return
    # Big files first would balance better, but results are yielded in input
    # order; map() with a small chunksize keeps both workers busy.
    with ProcessPoolExecutor(max_workers=jobs) as ex:
        yield from ex.map(run_file, files, [opts] * len(files), chunksize=1)
