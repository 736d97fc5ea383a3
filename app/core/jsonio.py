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
    max_digits: int = 100  # in one number: Python stalls on, then refuses, ints of 4,300 digits
    # Values of these keys may be longer than max_string (a case file's photos, in base64).
    long_string_keys: frozenset[str] = frozenset()
    max_long_string: int = 0


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

    def integer(digits: str) -> int | _BadNumber:
        if len(digits.lstrip("-")) > limits.max_digits:
            return _BadNumber(
                f"has {len(digits.lstrip('-')):,} digits; at most {limits.max_digits} are allowed"
            )
        return int(digits)

    def real(text: str) -> float | _BadNumber:
        value = float(text)
        if value in (float("inf"), float("-inf")):
            return _BadNumber("is too large to be a number")
        return value

    try:
        doc = json.loads(
            text, object_pairs_hook=pairs, parse_constant=constant, parse_int=integer, parse_float=real
        )
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise BadJson(f"{what}: not valid JSON ({exc.msg} at {where})") from None
    except RecursionError:
        raise BadJson(f"{what}: nested more than {limits.max_depth} levels deep") from None
    _check_shape(doc, what, limits)
    return doc


class _BadNumber:
    """Stands in for a number the reader refuses, until the shape check can say where it is."""

    def __init__(self, why: str) -> None:
        self.why = why


def _check_shape(doc: Any, what: str, limits: JsonLimits) -> None:
    # Iterative, so that checking a hostile document cannot itself exhaust the stack.
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limits.max_depth:
            raise BadJson(f"{what}: nested more than {limits.max_depth} levels deep")
        if isinstance(item, str):
            _check_string(item, what, limits.max_string)
        elif isinstance(item, dict):
            for key, value in item.items():
                _check_string(key, what, limits.max_string)
                if key in limits.long_string_keys and isinstance(value, str):
                    _check_string(value, what, limits.max_long_string)
                else:
                    stack.append((value, depth + 1))
        elif isinstance(item, list):
            stack.extend((value, depth + 1) for value in item)
        elif isinstance(item, _BadNumber):
            raise BadJson(f"{what}: the number at {_path_of(doc, item)} {item.why}")


def _path_of(doc: Any, target: object) -> str:
    """Where ``target`` sits in ``doc``, as ``case/records/0/data/sequence`` (only on an error)."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(doc, ())]
    while stack:
        item, path = stack.pop()
        if item is target:
            return "/".join(path) or "(top level)"
        if isinstance(item, dict):
            stack.extend((v, (*path, _shown(k))) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*path, str(i))) for i, v in enumerate(item))
    return "(somewhere)"


def _check_string(s: str, what: str, max_length: int) -> None:
    if len(s) > max_length:
        raise BadJson(f"{what}: a text value is longer than {max_length:,} characters")
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise BadJson(f"{what}: contains a broken character (a lone surrogate)") from None


def _shown(key: str) -> str:
    return key[:40].encode("unicode_escape").decode("ascii")


def _size(n: int) -> str:
    return f"{n // MB} MB" if n >= MB else f"{n:,} bytes"
