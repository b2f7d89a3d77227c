"""Import/export name grammar (Explainer.md "Import and Export Definitions").

``parse_extern_name`` classifies a name as a plain name (``label``,
``[constructor]r``, ``[method]r.m``, ``[static]r.m``) or an interface name
(``ns:pkg/iface@1.2.3``, nested namespaces/projections 🪺 included) and
raises ValueError with the reason otherwise.  ``strong_key`` is the
canonical form two names are compared by for strong uniqueness.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = r"[a-z][0-9a-z]*"
_LABEL_RE = re.compile(r"(?:[a-z][0-9a-z]*|[A-Z][0-9A-Z]*)(?:-(?:[0-9a-z]+|[0-9A-Z]+))*\Z")
_WORDS_RE = re.compile(rf"{_WORD}(?:-[0-9a-z]+)*\Z")
# Semantic Versioning 2.0: numeric parts without leading zeros.
_NUM = r"(?:0|[1-9][0-9]*)"
_IDENT = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_SEMVER_RE = re.compile(rf"{_NUM}\.{_NUM}\.{_NUM}(?:-{_IDENT}(?:\.{_IDENT})*)?"
                        r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\Z")
_CANONVERSION_RE = re.compile(r"(?:[1-9][0-9]*|0\.[1-9][0-9]*|0\.0\.[1-9][0-9]*|0\.0\.0)\Z")


def is_label(s: str) -> bool:
    return bool(_LABEL_RE.match(s))


def is_semver(s: str) -> bool:
    return bool(_SEMVER_RE.match(s))


@dataclass(frozen=True, slots=True)
class ExternName:
    text: str
    kind: str                 # "label", "constructor", "method", "static", "interface"
    resource: str | None = None   # for constructor/method/static
    label: str | None = None      # the plain label / method name
    version: str | None = None    # interface version, without '@'

    def is_interface(self) -> bool:
        return self.kind == "interface"


def parse_extern_name(s: str) -> ExternName:
    if ":" in s or "/" in s or "@" in s:
        return _interface_name(s)
    for ann in ("constructor", "method", "static"):
        prefix = f"[{ann}]"
        if s.startswith(prefix):
            rest = s[len(prefix):]
            if ann == "constructor":
                _need_label(rest, s)
                return ExternName(s, ann, rest, rest)
            res, dot, field = rest.partition(".")
            if not dot:
                raise ValueError(f"`{s}` is not a valid extern name: missing `.` after the resource name")
            _need_label(res, s)
            _need_label(field, s)
            return ExternName(s, ann, res, field)
    if s.startswith("["):
        raise ValueError(f"`{s}` is not a valid extern name: unknown annotation")
    _need_label(s, s)
    return ExternName(s, "label", None, s)


def _need_label(label: str, whole: str) -> None:
    if not is_label(label):
        raise ValueError(f"`{label}` is not in kebab case" +
                         (f" (in `{whole}`)" if label != whole else ""))


def _interface_name(s: str) -> ExternName:
    body, at, version = s.partition("@")
    if at and not (is_semver(version) or _CANONVERSION_RE.match(version)):
        raise ValueError(f"`{s}` is not a valid interface name: `{version}` is not a valid version")
    if ":" not in body or "/" not in body:
        raise ValueError(f"`{s}` is not a valid interface name: expected `namespace:package/interface`")
    head, _, proj = body.partition("/")
    parts = head.split(":")
    for p in parts:
        if not _WORDS_RE.match(p):
            raise ValueError(f"`{p}` is not a valid namespace or package in `{s}`")
    # Nested namespaces and projections (🪺) are gated future syntax.
    if len(parts) != 2:
        raise ValueError(f"`{s}` is not a valid interface name: expected `/` after package name")
    if "/" in proj:
        raise ValueError(f"`{s}` is not a valid interface name: trailing characters found: "
                         f"`{proj[proj.index('/'):]}`")
    _need_label(proj, s)
    return ExternName(s, "interface", None, proj, version if at else None)


def strong_key(s: str) -> str:
    """Canonical form for strong uniqueness (Explainer.md "Name Uniqueness")."""
    low = s.lower()
    for ann in ("[method]", "[static]"):
        if low.startswith(ann):
            res, _, field = low[len(ann):].partition(".")
            return res if res == field else f"{res}.{field}"
    return low


def check_version_suffix(version: str | None, suffix: str) -> None:
    """🔗 A versionsuffix needs a canonversion before it and a valid semver after."""
    if version is None or not _CANONVERSION_RE.match(version):
        raise ValueError("a version suffix needs an interface name with a canonical version")
    if not is_semver(version + suffix):
        raise ValueError(f"`{version}{suffix}` is not a valid semver")
