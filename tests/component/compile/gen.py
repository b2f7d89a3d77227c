"""Components for comparing compiled components with ``wasmtime run --invoke``.

Every case becomes one exported function of one component, so each side
compiles once (our executable; wasmtime's ``.cwasm``) and is invoked many
times.  The functions, for a value type T:

* ``r{k}() -> T``: returns a constant laid out by canonabi.py (the same
  memory image wave/differential.py builds): lifting, flat and from memory;
* ``s{k}(x: T, pad: option<tuple<u64 x 16>>) -> T``: 17+ flat parameters
  are *spilled*, so the core function receives a pointer to the tuple
  ``(x, pad)``, whose first field is ``x`` at offset 0; it returns that
  pointer (or the loaded value when T has one flat value).  So lowering into
  memory (``store``) and lifting from memory (``load``) of T are both
  exercised, with the 16-flat-parameter and 1-flat-result limits.  The call
  leaves ``pad`` out (omitted trailing options are ``none``);
* ``d{k}(x: T) -> list<u64>``: for T with at most 16 flat values, the core
  function writes its flat arguments as u64s into a list: the printed list
  *is* the flat lowering (``lower_flat``, variant joins, the pointers the
  guest's bump realloc handed out), compared with wasmtime's.
"""
from __future__ import annotations

import re
import subprocess
import sys

from wasmaot.frontend import types as core
from wasmaot.frontend.component import canonabi as abi
from wasmaot.frontend.component.types import Option, Tuple, elem_size, flatten

from ..wave.differential import _CORE, _ENV, _component, _const, _data, _opts, _Types

PAD = Option(Tuple(("u64",) * 16))
#: Where ``d{k}`` writes its list (below the bump allocator's 32 KiB start,
#: above the constant image of ``r{k}``).
DUMP_RET, DUMP_DATA = 0x6FF0, 0x7000
_LOAD = {(core.I32, 1): "i32.load8_u", (core.I32, 2): "i32.load16_u", (core.I32, 4): "i32.load",
         (core.I64, 8): "i64.load", (core.F32, 4): "f32.load", (core.F64, 8): "f64.load"}
_AS_I64 = {core.I32: "i64.extend_i32_u", core.I64: "", core.F32: "i32.reinterpret_f32 i64.extend_i32_u",
           core.F64: "i64.reinterpret_f64"}


class Builder:
    """One component text, function by function."""

    def __init__(self, encoding: str = "utf8"):
        self.types, self.core, self.lifts = _Types(), [], []
        self.encoding = encoding
        self.mem = bytearray(DUMP_RET)
        self.alloc = abi.BumpAllocator(self.mem, 16)

    def _lift(self, name: str, params: str, result: str) -> None:
        self.lifts.append(f'(func ${name} {params} {result} (canon lift (core func $i "{name}")'
                          f'{_opts(self.encoding, True)}))')
        self.lifts.append(f'(export "{name}" (func ${name}))')

    def result(self, name: str, t, v) -> None:
        """``name() -> t`` returning ``v``."""
        cx = abi.Context(self.mem, self.alloc, self.encoding)
        flat = abi.lower_flat_values(cx, abi.MAX_FLAT_RESULTS, [v], [t])
        rty = flatten(t)[0] if len(flatten(t)) == 1 else core.I32
        self.core.append(f'(func (export "{name}") (result {_CORE[rty]}) {_const(rty, flat[0])})')
        self._lift(name, "", f"(result {self.types.ref(t)})")

    def raw(self, name: str, t, core_results: str, body: str) -> None:
        """``name() -> t`` whose core function is ``body`` (bad values for traps)."""
        self.core.append(f'(func (export "{name}") (result {core_results}) {body})')
        self._lift(name, "", f"(result {self.types.ref(t)})")

    def spill_echo(self, name: str, t) -> None:
        flat = flatten(t)
        if len(flat) == 1:
            body = f"(result {_CORE[flat[0]]}) local.get 0 {_LOAD[(flat[0], elem_size(t))]}"
        else:
            body = "(result i32) local.get 0"
        self.core.append(f'(func (export "{name}") (param i32) {body})')
        ref = self.types.ref(t)
        self._lift(name, f'(param "x" {ref}) (param "pad" {self.types.ref(PAD)})', f"(result {ref})")

    def flat_dump(self, name: str, t) -> None:
        flat = flatten(t)
        assert len(flat) <= 16, t
        stores = [f"i32.const {DUMP_DATA + 8 * j} local.get {j} {_AS_I64[c]} i64.store"
                  for j, c in enumerate(flat)]
        params = " ".join(_CORE[c] for c in flat)
        self.core.append(
            f'(func (export "{name}") (param {params}) (result i32) ' + " ".join(stores)
            + f" i32.const {DUMP_RET} i32.const {DUMP_DATA} i32.store"
            f" i32.const {DUMP_RET + 4} i32.const {len(flat)} i32.store i32.const {DUMP_RET})")
        self._lift(name, f'(param "x" {self.types.ref(t)})', "(result (list u64))")

    def text(self) -> str:
        assert self.alloc.next <= DUMP_RET, "constants too large for the image"
        return _component(self.types, self.core, self.lifts, _data(self.mem, self.alloc.next))


def dumpable(t) -> bool:
    return 1 < len(flatten(t)) <= 16


# ---- running both sides ---------------------------------------------------------

def run(argv: list[str]) -> tuple[int, str, str]:
    r = subprocess.run(argv, capture_output=True, text=True, check=False, env=_ENV)
    return r.returncode, r.stdout, r.stderr


class Sides:
    """The same component text as our executable (compiled from the text,
    by our parser) and as wasmtime's .cwasm (encoded by wasm-tools)."""

    def __init__(self, tools: tuple[str, str], tmp, text: str):
        self.wasmtime, wasm_tools = tools
        src, wasm = tmp / "c.wat", tmp / "c.wasm"
        src.write_text(text)
        code, _, err = run([wasm_tools, "parse", str(src), "-o", str(wasm)])
        assert code == 0, err
        self.cwasm, self.exe = str(tmp / "c.cwasm"), str(tmp / "app")
        code, _, err = run([self.wasmtime, "compile", str(wasm), "-o", self.cwasm])
        assert code == 0, err
        code, _, err = run([sys.executable, "-m", "wasmaot", "compile",
                            str(src), "-o", self.exe])   # our text parser
        assert code == 0, err

    def theirs(self, call: str) -> tuple[int, str, str]:
        return run([self.wasmtime, "run", "--allow-precompiled", "--invoke", call, self.cwasm])

    def ours(self, call: str) -> tuple[int, str, str]:
        return run([self.exe, "--invoke", call])


def cause(stderr: str) -> str:
    """wasmtime's innermost error line ("Caused by:" ... last line), without
    its "N: " chain number."""
    lines = [x.strip() for x in stderr.strip().splitlines() if x.strip()]
    return re.sub(r"^\d+: ", "", lines[-1]) if lines else ""


# ---- two components composed: a passthrough consumer in front of a provider ------

_LIBC = """(core module $libc
      (memory (export "mem") 1)
      (global $next (mut i32) (i32.const 8192))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
        local.get 0 i32.eqz i32.eqz local.get 3 local.get 1 i32.le_u i32.and
        if local.get 0 return end
        global.get $next local.get 2 i32.add i32.const 1 i32.sub
        i32.const 0 local.get 2 i32.sub i32.and local.tee $p
        local.get 3 i32.add global.set $next
        local.get $p local.get 0 local.get 1 memory.copy local.get $p))"""
#: The consumer's return area for results of more than one core value.
RET_AREA = 0x100


def _functype(ft, types: _Types) -> str:
    params = " ".join(f'(param "{n}" {types.ref(t)})' for n, t in ft.params)
    result = "" if ft.result is None else f" (result {types.ref(ft.result)})"
    return params + result


def _passthrough(name: str, ft) -> tuple[str, str]:
    """The consumer's core import of ``name`` (lowered) and its exported
    core function (lifted) that calls it with its own arguments: with the
    same types both sides flatten alike, a spilled tuple pointer included;
    a result of several core values comes back through RET_AREA."""
    from wasmaot.frontend.component.types import flatten_functype
    lift, lower = flatten_functype(ft, "lift"), flatten_functype(ft, "lower")
    sig = lambda ts, kw: " ".join(_CORE[t] for t in ts) and f"({kw} {' '.join(_CORE[t] for t in ts)})"
    imp = f'(import "host" "{name}" (func ${name} {sig(lower.params, "param")} {sig(lower.results, "result")}))'
    args = " ".join(f"local.get {j}" for j in range(len(lift.params)))
    if len(lower.params) > len(lift.params):        # the out-pointer
        body = f"{args} i32.const {RET_AREA} call ${name} i32.const {RET_AREA}"
    else:
        body = f"{args} call ${name}"
    func = (f'(func (export "{name}") {sig(lift.params, "param")} {sig(lift.results, "result")} '
            f'{body})')
    return imp, func


def composed(provider: str, funcs: list) -> str:
    """A root that instantiates ``provider`` (a component text exporting
    ``funcs``: (name, FuncType) with structural types only) and a consumer
    that imports each function and exports a passthrough of it: every call
    crosses one adapter (lift in the provider, lower in the consumer)."""
    types = _Types()
    sigs = {n: _functype(ft, types) for n, ft in funcs}
    parts = [_passthrough(n, ft) for n, ft in funcs]
    opts = ' (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))'
    lines = ["(component", provider.replace("(component", "(component $provider", 1),
             "  (component $consumer"]
    lines += [f'    (import "{n}" (func ${n} {sigs[n]}))' for n, _ in funcs]
    lines += [f"    {_LIBC}", "    (core instance $libc (instantiate $libc))"]
    lines += [f"    (core func $low-{n} (canon lower (func ${n}){opts}))" for n, _ in funcs]
    lines += ["    (core module $m", '      (import "libc" "mem" (memory 1))']
    lines += [f"      {imp}" for imp, _ in parts] + [f"      {fn}" for _, fn in parts] + ["    )"]
    bag = " ".join(f'(export "{n}" (func $low-{n}))' for n, _ in funcs)
    lines.append(f'    (core instance $i (instantiate $m (with "host" (instance {bag})) '
                 '(with "libc" (instance $libc))))')
    lines += [f'    (func (export "{n}") {sigs[n]} (canon lift (core func $i "{n}"){opts}))'
              for n, _ in funcs]
    lines += ["  )", "  (instance $p (instantiate $provider))",
              "  (instance $c (instantiate $consumer "
              + " ".join(f'(with "{n}" (func $p "{n}"))' for n, _ in funcs) + "))"]
    lines += [f'  (export "{n}" (func $c "{n}"))' for n, _ in funcs]
    return "\n".join(lines + [")"])
