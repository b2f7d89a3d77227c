"""wasmtime's `run` options, as wasmaot understands them: THE one table.

A wasmtime user's command line (``wasmtime run -S inherit-env -W simd
--dir . app.wasm``) should work with ``wasmaot run`` or fail with one clear
line, never a misleading "no such file".  Every option that
``wasmtime run --help`` (wasmtime 49) lists, and every key that its
``-S help``, ``-W help``, ``-O help``, ``-D help``, ``-C help`` and
``-R help`` list, is in :data:`TABLE` with one of three actions:

* **honour** -- wasmaot does what wasmtime does (``-S inherit-env`` is
  ``--inherit-env``; ``-W unknown-imports-trap`` is
  ``--allow-unresolved-imports``; ``-O opt-level=1`` is ``-O1``...);
* **no-op** -- accepted and ignored, with the reason it changes nothing for
  the programs wasmaot runs (``-W gc=n``: wasmaot has no GC proposal);
* **refuse** -- ``unsupported option -X KEY=VAL: <reason>``, exit 2
  (``-W gc``, ``-W fuel=N``, ``--profile``...).

Boolean keys have an action per value: the proposals wasmaot implements are
honoured both ways (``-W simd=n``, ``-W tail-call=n``: a module using them is
then rejected with one line naming the feature, see
``frontend/features.py``; ``Settings.features`` collects the switches in
order); a proposal wasmaot lacks is refused with ``=y`` and a no-op with
``=n`` (``-W gc=n``).  Three extra -W keys of wasmaot's own name the Wasm 2.0
proposals wasmtime cannot turn off (wasmparser's names: ``sign-extension``,
``saturating-float-to-int``, ``mutable-global``).  ``wasmaot run -S help`` (and ``-W``/``-O``/``-D``/``-C``/``-R``)
prints the group's rows.  ``tests/cli/test_wasmtime_options.py`` checks
that every key wasmtime's own ``help`` lists is here, so a new wasmtime
key cannot be silently unhandled.

Syntax as wasmtime's: ``-S KEY[=VAL][,KEY[=VAL]...]``, repeatable; a bare
boolean KEY means yes; booleans are y/yes/true or n/no/false.
"""
from __future__ import annotations

from dataclasses import dataclass, field

HONOUR, NOOP, REFUSE = "honour", "no-op", "refuse"


@dataclass(frozen=True)
class Act:
    """What one key (or one value of a boolean key) does."""
    kind: str                      # HONOUR / NOOP / REFUSE
    why: str = ""                  # the reason (no-op, refuse) or what it does (honour)
    effect: tuple = ()             # HONOUR: (Settings field, value); value None = the key's value


def honour(what: str, name: str, value=None) -> Act:
    return Act(HONOUR, what, (name, value))


def noop(why: str) -> Act:
    return Act(NOOP, why)


def refuse(why: str) -> Act:
    return Act(REFUSE, why)


@dataclass(frozen=True)
class Flag:
    """A boolean key: one action for yes, one for no."""
    yes: Act
    no: Act


@dataclass(frozen=True)
class Value:
    """A key with a value (``fuel=N``)."""
    act: Act
    #: HONOUR with a mapping: the accepted values and what each becomes.
    values: dict = field(default_factory=dict)


@dataclass
class Settings:
    """What the honoured keys ask for, for the command to apply."""
    inherit_env: bool = False
    #: wasi:sockets grants, as wasmtime's (-S inherit-network, allow-ip-name-lookup, tcp, udp)
    inherit_network: bool = False
    allow_ip_name_lookup: bool = False
    tcp: bool | None = None          # None: as inherit_network
    udp: bool | None = None
    allow_unresolved_imports: bool = False
    opt_level: int | None = None
    jobs: int | None = None
    no_cache: bool = False
    #: -W feature switches, ``(feature name, on)`` in command-line order
    features: tuple = ()


def network_grants(settings: Settings) -> list[str]:
    """The wasi:sockets grants as the shim's options (wasi-shim/include/
    wasmaot_wasi.h), in wasmtime's -S spelling; only what was asked."""
    keys = (("inherit-network", settings.inherit_network or None),
            ("allow-ip-name-lookup", settings.allow_ip_name_lookup or None),
            ("tcp", settings.tcp), ("udp", settings.udp))
    return [a for key, value in keys if value is not None
            for a in ("-S", f"{key}={'y' if value else 'n'}")]


class Unsupported(ValueError):
    """``str()``: one line, ``unsupported option -X KEY: why`` (a usage error)."""


# ----------------------------------------------------------------- reasons
_NO_PROPOSAL = "wasmaot does not implement this proposal"
_OFF = "off, as wasmaot has it (the default)"
_SOCKETS = ("; for a core module nothing observable (WASI preview1 has no call that opens "
            "or resolves a socket, under wasmtime either)")
_COMPONENTS = "wasmaot runs core modules only, not components"
_NO_LIMIT = "wasmaot has no such run-time limit"
_RELAXED_DET = ("relaxed SIMD always gives Wasm 3.0's deterministic profile, the same on "
                "every target (ir/translate/simd.py); wasmtime's deterministic mode differs "
                "in two places: it fuses relaxed_madd/nmadd and wraps relaxed_dot's i16 sums")
_P2_ONLY = "affects only WASI 0.2 component interfaces, which a preview1 module never calls"


def _missing_proposal() -> Flag:
    """A proposal wasmaot lacks: off is what we do."""
    return Flag(refuse(_NO_PROPOSAL), noop(_OFF))


def _feature(key: str, own: bool = False) -> Flag:
    """A proposal wasmaot implements: on by default, off on request
    (``own``: a key of wasmaot's, not wasmtime's)."""
    note = " (wasmaot's own key)" if own else ""
    return Flag(honour("accepted (the default)" + note, "features", (key, True)),
                honour("a module using it is rejected ('disabled: <feature>')", "features",
                       (key, False)))


def _off_only(why_yes: str) -> Flag:
    """A feature wasmaot lacks whose default is off: =n is what we do."""
    return Flag(refuse(why_yes), noop(_OFF))


def _on_only(why_no: str) -> Flag:
    """Something wasmaot always does, on by default: =y is what we do."""
    return Flag(noop("what wasmaot always does (the default)"), refuse(why_no))


WASI = {
    "cli": _on_only("a module that imports WASI always gets wasmaot's WASI shim"),
    "cli-exit-with-code": Flag(noop(_P2_ONLY), noop(_P2_ONLY)),
    "common": _on_only("a module that imports WASI always gets wasmaot's WASI shim"),
    "nn": _off_only("wasi-nn is not implemented"),
    "threads": _off_only("wasi-threads is not implemented"),
    "http": _off_only("wasi-http is not implemented"),
    "http-outgoing-body-buffer-chunks": Value(refuse("wasi-http is not implemented")),
    "http-outgoing-body-chunk-size": Value(refuse("wasi-http is not implemented")),
    "config": _off_only("wasi-config is not implemented"),
    "keyvalue": _off_only("wasi-keyvalue is not implemented"),
    "listenfd": _off_only("inheriting listen sockets is not implemented"),
    "tcplisten": Value(refuse("pre-opened listen sockets are not implemented")),
    "tls": _off_only("wasi-tls is not implemented"),
    "preview2": Flag(noop("wasmaot's preview1 always runs on its own WASI 0.2 layer; "
                          "what the program sees is preview1 either way"),
                     noop("wasmaot's preview1 always runs on its own WASI 0.2 layer; "
                          "what the program sees is preview1 either way")),
    "nn-graph": Value(refuse("wasi-nn is not implemented")),
    "inherit-network": Flag(honour("wasi:sockets: TCP, UDP, and any address to bind, listen "
                                   "on, connect or send to" + _SOCKETS, "inherit_network", True),
                            noop("no socket, no address: access-denied (the default)")),
    "allow-ip-name-lookup": Flag(honour("wasi:sockets/ip-name-lookup resolves names" + _SOCKETS,
                                        "allow_ip_name_lookup", True),
                                 noop("resolve-addresses fails (the default)")),
    "tcp": Flag(honour("TCP sockets may be created, whatever inherit-network says" + _SOCKETS,
                       "tcp", True),
                honour("create-tcp-socket is access-denied, whatever inherit-network says"
                       + _SOCKETS, "tcp", False)),
    "udp": Flag(honour("UDP sockets may be created, whatever inherit-network says" + _SOCKETS,
                       "udp", True),
                honour("create-udp-socket is access-denied, whatever inherit-network says"
                       + _SOCKETS, "udp", False)),
    "network-error-code": Flag(noop(_P2_ONLY), noop(_P2_ONLY)),
    "preview0": _off_only("the wasi_unstable (preview0) module is not provided"),
    "inherit-env": Flag(honour("as --inherit-env: the whole host environment", "inherit_env", True),
                        noop("nothing is inherited unless asked (the default)")),
    "inherit-stdin": _on_only("stdio is always the process's own"),
    "inherit-stdout": _on_only("stdio is always the process's own"),
    "inherit-stderr": _on_only("stdio is always the process's own"),
    "cwd": Value(noop("reported only through wasi:cli/environment (WASI 0.2); a preview1 "
                      "module cannot read it, under wasmtime either")),
    "config-var": Value(refuse("wasi-config is not implemented")),
    "keyvalue-in-memory-data": Value(refuse("wasi-keyvalue is not implemented")),
    "p3": _off_only("WASIp3 is not implemented"),
    "max-resources": Value(refuse(_NO_LIMIT)),
    "hostcall-fuel": Value(refuse(_NO_LIMIT)),
    "max-component-handles": Value(refuse(_COMPONENTS)),
    "max-random-size": Value(refuse(_NO_LIMIT)),
    "max-http-fields-size": Value(refuse("wasi-http is not implemented")),
}

# The proposals wasmaot implements: frontend/features.py names them
# (tests/cli/test_wasmtime_options.py checks the two lists agree).
_SUPPORTED_PROPOSALS = ("bulk-memory", "multi-value", "reference-types", "simd", "extended-const",
                        "tail-call", "wide-arithmetic", "multi-memory", "memory64",
                        "custom-page-sizes",
                        "relaxed-simd", "function-references", "exceptions")
#: wasmaot's own -W keys: Wasm 2.0 proposals wasmtime always enables, and
#: the legacy exception instructions (try/catch/delegate/rethrow), which
#: wasmtime's CLI does not name.
WASMAOT_FEATURE_KEYS = ("sign-extension", "saturating-float-to-int", "mutable-global",
                        "legacy-exceptions")
_UNSUPPORTED_PROPOSALS = (
    "threads", "shared-memory",
    "shared-everything-threads", "component-model-async",
    "component-model-more-async-builtins", "component-model-async-stackful",
    "component-model-threading", "component-model-error-context", "component-model-gc",
    "component-model-map", "component-model-memory64",
    "stack-switching", "gc",
    "component-model-fixed-length-lists", "component-model-implements")

WASM = {
    **{k: _feature(k) for k in _SUPPORTED_PROPOSALS},
    **{k: _feature(k, own=True) for k in WASMAOT_FEATURE_KEYS},
    **{k: _missing_proposal() for k in _UNSUPPORTED_PROPOSALS},
    # components compile (the synchronous component model WASI 0.2 uses)
    "component-model": _on_only("a component input is always compiled; turning the component "
                                "model off is not implemented"),
    "branch-hinting": Flag(honour("the metadata.code.branch_hint section is read (the default)",
                                  "features", ("branch-hinting", True)),
                           honour("the metadata.code.branch_hint section is ignored", "features",
                                  ("branch-hinting", False))),
    "nan-canonicalization": _off_only("NaN canonicalization is not implemented"),
    "fuel": Value(refuse("fuel metering is not implemented")),
    "epoch-interruption": _off_only("epoch interruption is not implemented"),
    "max-wasm-stack": Value(refuse("the Wasm stack limit is the native stack's; not configurable")),
    "async-stack-size": Value(refuse("wasmaot never runs Wasm on async stacks")),
    "async-stack-zeroing": _off_only("wasmaot never runs Wasm on async stacks"),
    "unknown-exports-allow": Flag(noop("wasmaot never rejects a module for its exports"),
                                  noop("wasmaot never rejects a module for its exports")),
    "unknown-imports-trap": Flag(
        honour("as --allow-unresolved-imports: an import nothing provides compiles to a "
               "function that traps when called", "allow_unresolved_imports", True),
        noop("an import nothing provides is a compile-time error (the default)")),
    "unknown-imports-default": _off_only("default-valued stubs for imports are not implemented "
                                         "(see -W unknown-imports-trap)"),
    "wmemcheck": _off_only("wmemcheck is not implemented"),
    "max-memory-size": Value(refuse(_NO_LIMIT)),
    "max-table-elements": Value(refuse(_NO_LIMIT)),
    "max-instances": Value(refuse(_NO_LIMIT)),
    "max-tables": Value(refuse(_NO_LIMIT)),
    "max-memories": Value(refuse(_NO_LIMIT)),
    "trap-on-grow-failure": _off_only("a failed memory.grow/table.grow always returns -1"),
    "timeout": Value(refuse("execution timeouts are not implemented")),
    "all-proposals": Flag(refuse("wasmaot does not implement every proposal (see -W help)"),
                          refuse("turn proposals off one by one (-W simd=n,tail-call=n ...)")),
    "relaxed-simd-deterministic": Flag(noop(_RELAXED_DET), noop(_RELAXED_DET)),
    "gc-support": Flag(noop("no module wasmaot accepts needs a GC heap"),
                       noop("no module wasmaot accepts needs a GC heap")),
    "concurrency-support": Flag(noop(_COMPONENTS), noop(_COMPONENTS)),
}

_POOLING = "the pooling allocator is not implemented"
_LAYOUT = ("memory layout is fixed per --bounds mode (guard: 8 GiB reservation; explicit: "
           "checks); see --bounds")
_GC = "no module wasmaot accepts has a GC heap"

OPTIMIZE = {
    "opt-level": Value(honour("as -O0/-O1/-O2 (LLVM's levels; 's' is not offered)", "opt_level"),
                       values={"0": 0, "1": 1, "2": 2}),
    "regalloc-algorithm": Value(refuse("Cranelift's register allocator; wasmaot uses LLVM's")),
    "memory-may-move": Flag(noop("not observable by Wasm code"), noop("not observable by Wasm code")),
    "memory-reservation": Value(refuse(_LAYOUT)),
    "memory-reservation-for-growth": Value(refuse(_LAYOUT)),
    "memory-guard-size": Value(refuse(_LAYOUT)),
    "gc-heap-may-move": Flag(noop(_GC), noop(_GC)),
    "gc-heap-reservation": Value(noop(_GC)),
    "gc-heap-reservation-for-growth": Value(noop(_GC)),
    "gc-heap-guard-size": Value(noop(_GC)),
    "gc-heap-initial-size": Value(noop(_GC)),
    "guard-before-linear-memory": Flag(refuse(_LAYOUT), refuse(_LAYOUT)),
    "table-lazy-init": Flag(noop("a speed trade-off only, not observable by Wasm code"),
                            noop("a speed trade-off only, not observable by Wasm code")),
    "pooling-allocator": _off_only(_POOLING),
    **{k: Value(refuse(_POOLING)) for k in (
        "pooling-decommit-batch-size", "pooling-memory-keep-resident",
        "pooling-table-keep-resident", "pooling-memory-protection-keys",
        "pooling-max-memory-protection-keys", "pooling-total-core-instances",
        "pooling-total-component-instances", "pooling-total-memories", "pooling-total-tables",
        "pooling-total-stacks", "pooling-max-memory-size", "pooling-table-elements",
        "pooling-max-core-instance-size", "pooling-max-unused-warm-slots",
        "pooling-async-stack-keep-resident", "pooling-max-component-instance-size",
        "pooling-max-core-instances-per-component", "pooling-max-memories-per-component",
        "pooling-max-tables-per-component", "pooling-max-tables-per-module",
        "pooling-max-memories-per-module", "pooling-total-gc-heaps", "pooling-pagemap-scan")},
    "memory-init-cow": Flag(noop("how memory is initialised, not observable by Wasm code"),
                            noop("how memory is initialised, not observable by Wasm code")),
    "memory-guaranteed-dense-image-size": Value(noop("how memory is initialised, not "
                                                     "observable by Wasm code")),
    "signals-based-traps": _on_only("out-of-bounds accesses in --bounds guard and stack "
                                    "exhaustion always trap through signals"),
    **{k: Value(refuse("deprecated in wasmtime; " + _LAYOUT)) for k in (
        "dynamic-memory-guard-size", "static-memory-guard-size", "static-memory-maximum-size",
        "dynamic-memory-reserved-for-growth")},
    "static-memory-forced": Flag(refuse("deprecated in wasmtime; " + _LAYOUT),
                                 refuse("deprecated in wasmtime; " + _LAYOUT)),
    "gc-zeal-alloc-counter": Value(refuse("wasmtime-internal fuzzing option")),
}

_DEBUGGER = "the debugger component is not implemented"

DEBUG = {
    "debug-info": _off_only("DWARF for Wasm source is not generated"),
    "guest-debug": _off_only(_DEBUGGER),
    "address-map": Flag(noop("what wasmaot always does (the default)"),
                        refuse("trap locations cannot be turned off")),
    "logging": Flag(noop("the wasmaot runtime has nothing to log"),
                    noop("the wasmaot runtime has nothing to log")),
    "log-to-files": _off_only("the wasmaot runtime has nothing to log"),
    "coredump": Value(refuse("Wasm core dumps are not implemented")),
    "debugger": Value(refuse(_DEBUGGER)),
    "arg": Value(refuse(_DEBUGGER)),
    "inherit-stdin": _off_only(_DEBUGGER),
    "inherit-stdout": _off_only(_DEBUGGER),
    "inherit-stderr": _off_only(_DEBUGGER),
    "max-backtrace": Value(refuse("the backtrace depth is not configurable")),
    "symbols": Flag(noop("applies to precompiled .cwasm files only"),
                    noop("applies to precompiled .cwasm files only")),
}

CODEGEN = {
    "compiler": Value(refuse("wasmaot always compiles through LLVM")),
    "collector": Value(noop(_GC)),
    "cranelift-debug-verifier": _off_only("wasmaot does not use Cranelift (see --verify-ir)"),
    "cache": Flag(noop("compiled executables are cached (the default)"),
                  honour("compile afresh, without the cache", "no_cache", True)),
    "cache-config": Value(refuse("the cache is configured by WASMAOT_CACHE_DIR and "
                                 "WASMAOT_CACHE_MAX_BYTES")),
    "parallel-compilation": Flag(noop("what wasmaot does (the default; see -j)"),
                                 honour("as -j 1", "jobs", 1)),
    "native-unwind-info": Flag(refuse("not configurable"), refuse("not configurable")),
    "inlining": Value(refuse("LLVM decides inlining per -O level")),
    "metadata-for-internal-asserts": Flag(noop(_GC), noop(_GC)),
    "metadata-for-gc-heap-corruption": Flag(noop(_GC), noop(_GC)),
    # `cranelift-<KEY>`: any key with that prefix (see lookup()).
    "cranelift-*": Value(refuse("wasmaot does not use Cranelift")),
}

RECORD = {k: Value(refuse("execution recording is not implemented"))
          for k in ("path", "validation-metadata", "event-window-size")}

#: -X letter -> (wasmtime's long name, the group's keys).
TABLE = {"S": ("--wasi", WASI), "W": ("--wasm", WASM), "O": ("--optimize", OPTIMIZE),
         "D": ("--debug", DEBUG), "C": ("--codegen", CODEGEN), "R": ("--record", RECORD)}

#: wasmtime `run`'s other options -> what wasmaot does with them.
TOP_LEVEL = {
    "--target": honour("our target names, or an LLVM triple of a supported target "
                       "(x86_64-unknown-linux-gnu is x86_64-linux)", "target"),
    "--config": refuse("wasmtime's TOML configuration files are not read"),
    "--allow-precompiled": noop("only allows wasmtime's .cwasm files, which wasmaot never runs"),
    "--profile": refuse("profiler integration is not implemented (the executable is native: "
                        "use perf directly)"),
    "--dir": honour("as wasmtime: a read-write directory grant", "dir"),
    "--env": honour("as wasmtime: one variable, or inherited with NAME alone", "env"),
    "-g/--gdbstub": refuse("the gdb stub is not implemented (the executable is native: "
                           "use gdb directly)"),
    "--invoke": honour("call that export with the arguments after FILE", "invoke"),
    "--preload": honour("link the module in as an instance NAME", "preload"),
    "--argv0": honour("the program's argv[0]", "argv0"),
}

_YES = {"", "y", "yes", "true"}
_NO = {"n", "no", "false"}


def lookup(group: str, key: str):
    keys = TABLE[group][1]
    if key in keys:
        return keys[key]
    if group == "C" and key.startswith("cranelift-"):
        return keys["cranelift-*"]
    return None


def apply(group: str, spec: str, settings: Settings) -> None:
    """Apply one ``-X KEY[=VAL][,...]`` occurrence to ``settings``; raises
    :class:`Unsupported` for a refused or unknown key, ValueError (usage)
    for a malformed value."""
    for item in spec.split(","):
        key, eq, val = item.partition("=")
        key = key.strip()
        entry = lookup(group, key)
        shown = f"-{group} {item}"
        if entry is None:
            raise Unsupported(f"unsupported option {shown}: wasmtime has no such key "
                              f"(see 'wasmaot run -{group} help')")
        if isinstance(entry, Flag):
            if val.lower() in _YES:
                act = entry.yes
            elif val.lower() in _NO:
                act = entry.no
            else:
                raise ValueError(f"{shown}: {val!r} is not a boolean (y/yes/true, n/no/false)")
        else:
            if not eq:
                raise ValueError(f"{shown}: {key} needs a value ({key}=...)")
            act = entry.act
        if act.kind == REFUSE:
            raise Unsupported(f"unsupported option {shown}: {act.why}")
        if act.kind == HONOUR:
            name, value = act.effect
            if name == "features":                 # switches accumulate, in order
                settings.features += (value,)
                continue
            if value is None:                     # the key's value, mapped
                if val not in entry.values:
                    raise Unsupported(f"unsupported option {shown}: accepted values are "
                                      f"{', '.join(entry.values)}")
                value = entry.values[val]
            setattr(settings, name, value)


def describe(group: str) -> list[str]:
    """The group's rows, for ``-X help``: key, value, action, why."""
    long, keys = TABLE[group]
    out = [(f"wasmtime's -{group} ({long}) keys, as wasmaot treats them "
            "(honour / no-op / refuse = 'unsupported option', exit 2):"), ""]
    for key, entry in keys.items():
        if isinstance(entry, Flag):
            rows = [(f"{key}[=y]", entry.yes), (f"{key}=n", entry.no)]
        else:
            rows = [(f"{key}=...", entry.act)]
        for shown, act in rows:
            out.append(f"  -{group} {shown:<42} {act.kind:<7} {act.why}")
    return out
