"""Execution mode of the spec runner: one native executable per .wast file.

For a parsed script, :func:`execute`

1. checks ``assert_malformed`` / ``assert_invalid`` exactly as frontend-only
   mode does (they need no execution);
2. decodes and validates every other module (``module``,
   ``assert_unlinkable``, ``assert_uninstantiable``, ``assert_trap`` on a
   module), resolves the script's links at compile time (:mod:`.links`:
   which module's function each import is, from the script's
   ``register`` commands), and compiles each module with the symbol prefixes
   ``m0``, ``m1``, ... in script order: an import bound to another module's
   function is a direct call into that module's object;
3. builds the command table (:mod:`.table`), emits it as an object, and links
   table + module objects + the driver (``spec-tests/driver/``) + the runtime
   into one static executable (:mod:`wasmaot.backends.link`);
4. runs it with a timeout and maps its ``<line> ok`` / ``<line>: why``
   lines back to the commands.

The driver still links every import by name when a module's command runs
(``wasmaot_host_link_import``: it fills the slots, checks types and limits
against the exporters' current sizes, and reports ``unknown import`` /
``incompatible import type`` as ever); the direct calls rely on it having
done so before any of the module's code runs (backends/ABI.md, "Linking
between separately compiled modules").  A module that fails to load or
compile fails its own command with the compiler's message; the driver then
fails every action aimed at it, and the rest of the file still runs.  A
custom ``compiler`` (tests) gets each module's links in ``opts.links`` and
may ignore them (objects that call through their slots link as well).  If the executable dies (signal, timeout)
every command without a result yet fails, naming the signal.

Per-file work is sequential; :func:`wasmaot.spectest.runner.run_files`
runs files in parallel processes.
"""
from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import tempfile
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .links import script_links
from .table import EXEC_KINDS, build_table, carries_module, table_object

DRIVER_DIR = Path(__file__).resolve().parent / "driver"

_OK = re.compile(r"^(\d+) ok$")
_FAIL = re.compile(r"^(\d+): (.*)$")
_SUMMARY = re.compile(r"^summary: (\d+) passed, (\d+) failed$")


def driver_sources() -> list[Path]:
    """The C files of the spec driver (main, the spectest host module) and
    the shared host helpers."""
    from ..runtime import root
    return [DRIVER_DIR / "spectest_driver.c", DRIVER_DIR / "spectest_host.c",
            root() / "host" / "host_link.c"]


def backend_available() -> str | None:
    """None if modules can be compiled here, else why not (one line)."""
    try:
        from ..backends import CompileOptions, compile_ir  # noqa: F401
        from ..ir.translate import translate_module  # noqa: F401
    except ImportError as e:
        return f"the native backend is not available ({e})"
    return None


def compile_module(binary: bytes, name: str, prefix: str, opts) -> list[bytes]:
    """Default module compiler: Wasm binary -> [ELF object] with ``prefix``,
    through the driver's pipeline (translate, IR passes, emit), so spec runs
    see exactly what `wasmaot compile` produces."""
    from ..backends import CompileOptions
    from ..compile import compile_bytes
    # The objects go into one static executable that we link
    # (link_executable), as `wasmaot compile`'s do, and the driver
    # instantiates each compiled module once (a ``module instance`` command
    # is a module of its own), in its own block (host_link.c).
    copts = CompileOptions(target=opts.target, opt_level=opts.opt_level, bounds=opts.bounds,
                           prefix=prefix, links=getattr(opts, "links", None)
                           ).for_executable(segment=getattr(opts, "segment", False))
    if getattr(opts, "via_ir", False):      # `wasmaot spectest --via-ir`: print -> parse
        from .runner import ir_text
        binary, name = ir_text(binary), name + ".ir"
    return [compile_bytes(binary, name, copts, emit="obj").data]


# (binary, script name, prefix, options) -> objects; raises on failure
Compiler = Callable[[bytes, str, str, object], Sequence]


@dataclass
class _Slot:
    outcome: str | None = None
    detail: str | None = None


def execute(commands: list, path: str, opts, compiler: Compiler | None = None,
            extra_c: Sequence[str | os.PathLike] = ()) -> Iterator[tuple[object, str, str | None]]:
    """Yield ``(command, outcome, detail)`` for every command, in order;
    outcome is pass|fail|skip|none (``none``: not counted, e.g. register).

    ``compiler`` replaces :func:`compile_module` (tests pass one that
    returns no objects and supply hand-written modules in ``extra_c``)."""
    from . import runner
    compiler = compiler or compile_module
    name = os.path.basename(path)
    slots = [_Slot() for _ in commands]
    objects: dict[int, list] = {}
    module_index: dict[int, int | None] = {}
    n_modules = 0
    compiled: set[int] = set()
    loaded = _load_modules(commands, slots)
    links = script_links(commands, {idx: m for idx, (m, _) in loaded.items()})
    sole = _sole_memory_module(loaded)
    for i, cmd in enumerate(commands):
        k = cmd.kind
        if k not in EXEC_KINDS:
            try:
                slots[i].outcome, slots[i].detail = runner._run_command(cmd, runner.Options())
            except Exception as e:   # a bug in wasmaot: a failure, keep going
                slots[i].outcome, slots[i].detail = "fail", f"internal error: {type(e).__name__}: {e}"
            continue
        if k == "register":
            slots[i].outcome = "none"
        if not carries_module(cmd):
            continue
        idx = n_modules
        n_modules += 1
        module_index[id(cmd)] = None
        if idx not in loaded:
            continue                        # _load_modules failed the command
        binary = loaded[idx][1]
        mod_links = links.for_module(idx, compiled)
        mopts = dataclasses.replace(opts, links=mod_links) if mod_links else opts
        if idx == sole:
            mopts = dataclasses.replace(mopts, segment=True)
        try:
            objs = compiler(binary, name, f"m{idx}", mopts)
        except Exception as e:
            slots[i].outcome, slots[i].detail = "fail", f"compile failed: {type(e).__name__}: {_one_line(e)}"
            continue
        objects[idx] = list(objs)
        module_index[id(cmd)] = idx
        compiled.add(idx)

    pending = [i for i, c in enumerate(commands) if c.kind in EXEC_KINDS and c.kind != "register"]
    if any(slots[i].outcome is None for i in pending):
        _run_driver(commands, slots, pending, module_index, n_modules, compiled, objects, opts, name,
                    extra_c, links)
    for cmd, s in zip(commands, slots):
        yield cmd, s.outcome or "fail", s.detail


def _load_modules(commands: list, slots: list) -> dict[int, tuple[object, bytes]]:
    """Module index -> (decoded and validated module, binary) of every
    module-carrying command whose module loads; the others fail here."""
    from . import runner
    loaded = {}
    idx = 0
    for i, cmd in enumerate(commands):
        if cmd.kind not in EXEC_KINDS or not carries_module(cmd):
            continue
        idx += 1
        try:
            binary = cmd.module.to_binary()
            loaded[idx - 1] = (runner._load(cmd), binary)
        except Exception as e:
            kind = getattr(e, "kind", type(e).__name__)
            slots[i].outcome, slots[i].detail = "fail", f"module rejected: {kind}: {getattr(e, 'message', e)}"
    return loaded


def _sole_memory_module(loaded: dict[int, tuple[object, bytes]]) -> int | None:
    """The index of the only loaded module that defines a memory, or None.
    Only that module may address its memory through the segment register
    (CompileOptions.memory_segment), which holds one base for the whole
    process: an instance of another module, or a second instance of it,
    would need another."""
    definers = [idx for idx, (m, _) in loaded.items() if m.mems]   # defined ones only
    return definers[0] if len(definers) == 1 else None


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else ""


def _run_driver(commands, slots, pending, module_index, n_modules, compiled, objects, opts, name,
                extra_c, links) -> None:
    from ..backends.link import LinkError, link_executable
    from . import firmware

    def fail_rest(why: str):
        for i in pending:
            if slots[i].outcome is None:
                slots[i].outcome, slots[i].detail = "fail", why

    keep = getattr(opts, "keep_dir", None)
    with tempfile.TemporaryDirectory(prefix="wasmaot-spec-") as td:
        outdir = Path(keep) if keep else Path(td)
        outdir.mkdir(parents=True, exist_ok=True)
        exe = outdir / (Path(name).stem + ".exe")
        host = [*driver_sources(), *extra_c]

        def link(ok: set[int]):
            index = {k: (v if v in ok else None) for k, v in module_index.items()}
            blob = build_table(commands, index, n_modules)
            tobj = table_object(blob, n_modules, opts.target, ok)
            objs = [o for i in sorted(ok) for o in objects.get(i, ())]
            if firmware.is_firmware(opts.target):      # an image for qemu-system
                firmware.link([tobj, *objs], exe, opts.target, opts.bounds, extra_c)
            else:
                link_executable([tobj, *objs], exe, opts.target, opts.bounds, host)

        try:
            try:
                link(compiled)
            except LinkError:
                # One bad object must not sink the whole file: link each
                # module alone, drop those that cannot link, and retry.
                bad = _unlinkable_modules(link, compiled, links)
                if not bad:
                    raise
                for cmd_i, c in enumerate(commands):
                    idx = module_index.get(id(c))
                    if idx in bad and slots[cmd_i].outcome is None:
                        slots[cmd_i].outcome, slots[cmd_i].detail = "fail", bad[idx]
                link(compiled - set(bad))
        except LinkError as e:
            fail_rest(str(e))
            return
        except Exception as e:
            fail_rest(f"cannot build the test executable: {type(e).__name__}: {_one_line(e)}")
            return
        timeout = getattr(opts, "timeout", 300)
        try:
            cmd = (firmware.command(exe, opts.target) if firmware.is_firmware(opts.target)
                   else [*run_prefix(opts.target), str(exe)])
        except Exception as e:            # emulator missing: one clear line per command
            fail_rest(str(e))
            return
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout,
                                  preexec_fn=_stack_limit)
            out, rc, timed_out = proc.stdout, proc.returncode, False
        except subprocess.TimeoutExpired as e:
            out, rc, timed_out = e.stdout or b"", None, True

    by_line: dict[int, deque] = defaultdict(deque)
    for i in pending:
        by_line[commands[i].line].append(i)
    summary = False
    last_line = None
    for raw in out.decode("utf-8", "replace").splitlines():
        m = _OK.match(raw)
        if m:
            line, outcome, detail = int(m.group(1)), "pass", None
        else:
            m = _FAIL.match(raw)
            if not m:
                summary = summary or bool(_SUMMARY.match(raw))
                continue
            line, outcome, detail = int(m.group(1)), "fail", m.group(2)
        q = by_line.get(line)
        if not q:
            continue
        i = q.popleft()
        last_line = line
        if slots[i].outcome is None:          # a Python-side failure (compile error) wins
            slots[i].outcome, slots[i].detail = outcome, detail
    if timed_out:
        fail_rest(f"timeout after {timeout}s" + (f" (last result: line {last_line})" if last_line else ""))
    elif rc is not None and rc < 0:
        try:
            sig = signal.Signals(-rc).name
        except ValueError:
            sig = f"signal {-rc}"
        fail_rest(f"driver crashed: {sig}" + (f" after line {last_line}" if last_line else ""))
    elif not summary:
        fail_rest(f"driver exited with status {rc} before this command")
    else:
        fail_rest("no result from the driver")


def run_prefix(target: str) -> tuple[str, ...]:
    """Command prefix that runs ``target``'s executables on this machine:
    ``()`` when native, else its emulator from the target registry
    (``Target.run_prefix``, e.g. ``qemu-aarch64``; qemu-user runs our static
    executables with no sysroot).  Raises with a one-line message naming
    the package to install if the emulator is missing.  qemu-user sizes the
    guest's (fixed) main stack from its own RLIMIT_STACK, which
    :func:`_stack_limit` sets, so the runtime's stack-limit arithmetic holds
    under emulation too."""
    from ..backends.targets import get_target
    return get_target(target).check_runnable()


def _unlinkable_modules(link, compiled: set[int], links) -> dict[int, str]:
    """Modules whose object does not link even alone (with the objects it
    calls directly, see links.py) -> the link error."""
    from ..backends.link import LinkError
    bad = {}
    for i in sorted(compiled):
        group, todo = set(), [i]
        while todo:
            k = todo.pop()
            if k not in group:
                group.add(k)
                todo += links.deps(k) & compiled
        try:
            link(group)
        except LinkError as e:
            bad[i] = str(e)
    return bad


def _stack_limit():
    """Children get a known 8 MiB stack: the runtime's stack limit (and so
    assert_exhaustion depth) derives from RLIMIT_STACK."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    want = 8 << 20
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    try:
        resource.setrlimit(resource.RLIMIT_STACK, (want, hard))
    except (ValueError, OSError):
        pass
