"""The one strict JSON reader and the one canonical JSON writer for the whole core.

Python's ``json`` fails open (SECURITY.md finding 6): duplicate keys resolve to the last one,
``NaN`` and ``Infinity`` are accepted, lone surrogates pass and crash later inserts, and deep
nesting raises ``RecursionError``. ``loads`` refuses all of these and enforces size, depth and
string-length limits, naming the file and the problem. ``canonical_json`` gives the same bytes on
every machine (sorted keys, UTF-8, no insignificant whitespace, no NaN): signatures and the audit
chain are computed over exactly these bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.core.errors import UsageError

MB = 1024 * 1024


@dataclass(frozen=True)
class JsonLimits:
    """How much untrusted JSON may ask of the reader (SECURITY.md "Import limits")."""

    max_bytes: int = 10 * MB
    max_depth: int = 32
    max_string: int = 1_000_000


DEFAULT_JSON_LIMITS = JsonLimits()


class BadJson(UsageError):
    """Untrusted JSON is malformed or hazardous; the message names the file and the problem."""


def canonical_text(obj: Any) -> str:
    """Sorted keys, no whitespace, no NaN, non-ASCII kept as is: the same text on every machine."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def canonical_json(obj: Any) -> bytes:
    """``canonical_text`` as UTF-8 bytes (what signatures cover)."""
    return canonical_text(obj).encode("utf-8")


def loads(raw: bytes | str, *, what: str, limits: JsonLimits = DEFAULT_JSON_LIMITS) -> Any:
    """Strictly parse untrusted JSON; ``BadJson`` says which file and what is wrong with it."""
    size = len(raw) if isinstance(raw, bytes) else len(raw) * 4 // 3  # str: a cheap upper-ish bound
    if size > limits.max_bytes:
        raise BadJson(f"{what}: larger than {_size(limits.max_bytes)}")
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadJson(f"{what}: not UTF-8 text (byte {exc.start})") from None
    else:
        text = raw

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise BadJson(f"{what}: the key “{_shown(key)}” appears twice in one object")
            out[key] = value
        return out

    def constant(name: str) -> Any:
        raise BadJson(f"{what}: the value {name} is not allowed (not a number)")

    try:
        doc = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise BadJson(f"{what}: not valid JSON ({exc.msg} at {where})") from None
    except RecursionError:
        raise BadJson(f"{what}: nested more than {limits.max_depth} levels deep") from None
    _check_shape(doc, what, limits)
    return doc


def _check_shape(doc: Any, what: str, limits: JsonLimits) -> None:
    # Iterative, so that checking a hostile document cannot itself exhaust the stack.
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limits.max_depth:
            raise BadJson(f"{what}: nested more than {limits.max_depth} levels deep")
        if isinstance(item, str):
            _check_string(item, what, limits)
        elif isinstance(item, dict):
            for key, value in item.items():
                _check_string(key, what, limits)
                stack.append((value, depth + 1))
        elif isinstance(item, list):
            stack.extend((value, depth + 1) for value in item)


def _check_string(s: str, what: str, limits: JsonLimits) -> None:
    if len(s) > limits.max_string:
        raise BadJson(f"{what}: a text value is longer than {limits.max_string:,} characters")
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise BadJson(f"{what}: contains a broken character (a lone surrogate)") from None


def _shown(key: str) -> str:
    return key[:40].encode("unicode_escape").decode("ascii")


def _size(n: int) -> str:
    return f"{n // MB} MB" if n >= MB else f"{n:,} bytes"
