"""Hypothesis strategies for component value types and their values, shared
by test_wave.py and test_canonabi.py, plus the value comparison both use
(floats by bit pattern, so NaN equals NaN and -0 differs from 0)."""
from __future__ import annotations

import math
import struct

from hypothesis import strategies as st
from wasmaot.frontend.component.canonabi import Case
from wasmaot.frontend.component.types import (
    Enum,
    Flags,
    List,
    Option,
    Record,
    Result,
    Tuple,
    Variant,
)

INTS = {"u8": (0, 8), "u16": (0, 16), "u32": (0, 32), "u64": (0, 64),
        "s8": (1, 8), "s16": (1, 16), "s32": (1, 32), "s64": (1, 64)}
SCALARS = ("bool", *INTS, "f32", "f64", "char", "string")

# Labels: kebab-case words, sometimes a WAVE keyword (printed with %).
labels = st.one_of(
    st.from_regex(r"[a-z][a-z0-9]{0,4}(-[a-z][a-z0-9]{0,3})?", fullmatch=True),
    st.from_regex(r"[A-Z][A-Z0-9]{0,3}", fullmatch=True),
    st.sampled_from(["ok", "err", "some", "none", "true", "nan", "inf"]),
)


def _unique(n_min: int, n_max: int):
    return st.lists(labels, min_size=n_min, max_size=n_max, unique=True).map(tuple)


def types(fixed_lists: bool = True, max_leaves: int = 8):
    """Value types without handles (those need a handle table)."""
    def extend(inner):
        opt = st.one_of(st.none(), inner)
        parts = [
            inner.map(List),
            st.builds(Record, _unique(1, 4).flatmap(
                lambda ns: st.tuples(*[st.tuples(st.just(n), inner) for n in ns]))),
            st.lists(inner, min_size=1, max_size=4).map(lambda ts: Tuple(tuple(ts))),
            _unique(1, 4).flatmap(lambda ns: st.tuples(
                *[st.tuples(st.just(n), opt) for n in ns])).map(Variant),
            inner.map(Option),
            st.builds(Result, opt, opt),
        ]
        if fixed_lists:
            parts.append(st.builds(List, inner, st.integers(1, 3)))
        return st.one_of(*parts)
    leaves = st.one_of(
        st.sampled_from(SCALARS),
        _unique(1, 5).map(Enum),
        _unique(1, 32).map(Flags),
    )
    return st.recursive(leaves, extend, max_leaves=max_leaves)


chars = st.characters(blacklist_categories=("Cs",))


def values(t):
    """A strategy for values of type ``t``."""
    if isinstance(t, str):
        if t == "bool":
            return st.booleans()
        if t in INTS:
            signed, bits = INTS[t]
            return st.integers(-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed \
                else st.integers(0, (1 << bits) - 1)
        if t == "f32":
            return st.floats(width=32)
        if t == "f64":
            return st.floats()
        if t == "char":
            return chars
        return st.text(chars, max_size=12)
    if isinstance(t, List):
        if t.length is not None:
            return st.lists(values(t.elem), min_size=t.length, max_size=t.length)
        return st.lists(values(t.elem), max_size=4)
    if isinstance(t, Record):
        return st.fixed_dictionaries({n: values(ft) for n, ft in t.fields})
    if isinstance(t, Tuple):
        return st.tuples(*[values(x) for x in t.types])
    if isinstance(t, Enum):
        return st.sampled_from(t.names)
    if isinstance(t, Flags):
        return st.frozensets(st.sampled_from(t.names))
    if isinstance(t, Variant):
        cases = t.cases
    elif isinstance(t, Option):
        cases = (("none", None), ("some", t.type))
    else:
        assert isinstance(t, Result), t
        cases = (("ok", t.ok), ("err", t.err))
    return st.one_of(*[st.just(Case(n)) if ct is None else values(ct).map(lambda v, n=n: Case(n, v))
                       for n, ct in cases])


typed_values = types().flatmap(lambda t: st.tuples(st.just(t), values(t)))


def key(v):
    """A comparable form of a value: floats by bits, NaNs all alike."""
    if isinstance(v, float):
        return ("nan",) if math.isnan(v) else ("f", struct.pack("<d", v))
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, tuple(key(x) for x in v))
    if isinstance(v, dict):
        return ("rec", tuple(sorted((n, key(x)) for n, x in v.items())))
    if isinstance(v, Case):
        return ("case", v.label, key(v.value))
    if isinstance(v, str):
        return ("s", str(v))
    return v
