"""The pack manifest (``fieldbook-pack/1``): canonical JSON, strict parsing, and its shape.

Canonical JSON is sorted keys, UTF-8, no NaN, no insignificant whitespace: the bytes that the CMS
signature covers are exactly what ``canonical_json`` returns. ``parse_json`` is the one strict
reader for every JSON file in an untrusted pack: duplicate keys, NaN/Infinity, lone surrogates,
excessive depth and size are refused (SECURITY.md finding 6).
"""

from __future__ import annotations

import json
import re
from typing import Any

from app.core.errors import PackError

FORMAT = "fieldbook-pack/1"
MEDIA_TYPE = "application/vnd.fieldbook.pack+zip"
SCHEMA_VERSION = "fieldbook-case/1"
KINDS = ("referral", "conference")
MAX_JSON = 10 * 1024 * 1024
MAX_DEPTH = 32
MAX_STRING = 1024 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


class BadJson(PackError):
    """A JSON file in a pack is malformed or hazardous."""


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise BadJson(f"the key “{k[:40]}” appears twice")
        out[k] = v
    return out


def _no_constants(name: str) -> Any:
    raise BadJson(f"the value {name} is not allowed")


def parse_json(data: bytes, *, what: str) -> Any:
    """Strictly parse untrusted JSON bytes; ``BadJson`` names the file and the problem."""
    if len(data) > MAX_JSON:
        raise BadJson(f"{what}: larger than {MAX_JSON // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8")
        obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except BadJson as exc:
        raise BadJson(f"{what}: {exc.message}") from exc
    except RecursionError as exc:
        raise BadJson(f"{what}: nested too deeply") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadJson(f"{what}: not valid JSON ({exc})") from exc
    _check_shape(obj, what)
    return obj


def _check_shape(obj: Any, what: str) -> None:
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadJson(f"{what}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, str):
            _check_string(item, what)
        elif isinstance(item, dict):
            for k, v in item.items():
                _check_string(k, what)
                stack.append((v, depth + 1))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _check_string(s: str, what: str) -> None:
    if len(s) > MAX_STRING:
        raise BadJson(f"{what}: a text value is longer than {MAX_STRING} characters")
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadJson(f"{what}: contains a broken character (lone surrogate)") from exc


def manifest_problems(m: Any) -> list[str]:
    """Everything wrong with a parsed manifest's shape, in plain words (empty when well formed)."""
    if not isinstance(m, dict):
        return ["the manifest is not a JSON object"]
    problems: list[str] = []

    def need(key: str, kind: type | tuple[type, ...], nullable: bool = False) -> Any:
        value = m.get(key)
        if value is None and nullable and key in m:
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            problems.append(f"the manifest's “{key}” is missing or of the wrong kind")
            return None
        return value

    if m.get("format") != FORMAT:
        problems.append(f"the manifest's format is not {FORMAT}")
    need("pack_id", str)
    if m.get("kind") not in KINDS:
        problems.append("the manifest's “kind” is not referral or conference")
    need("case_id", str)
    need("case_reference", str, nullable=True)
    need("sequence", int)
    for key in ("created_at", "clock_high_water_mark"):
        value = need(key, str)
        if value is not None and not _TIME.match(value):
            problems.append(f"the manifest's “{key}” is not a UTC time")
    need("app_version", str)
    need("schema_version", str)
    author = need("author", dict)
    if author is not None:
        for key in ("name", "role", "agency"):
            if not isinstance(author.get(key), str):
                problems.append(f"the manifest's author “{key}” is missing")
        if not isinstance(author.get("certificate_sha256"), str) or not _HEX64.match(
            author["certificate_sha256"]
        ):
            problems.append("the manifest's author certificate fingerprint is missing or malformed")
    recipient = need("recipient", dict, nullable=True)
    if recipient is not None and not (
        isinstance(recipient.get("certificate_sha256"), str) and _HEX64.match(recipient["certificate_sha256"])
    ):
        problems.append("the manifest's recipient fingerprint is malformed")
    forms = need("forms", list)
    if forms is not None and not all(
        isinstance(f, dict) and isinstance(f.get("id"), str) and isinstance(f.get("version"), int)
        for f in forms
    ):
        problems.append("the manifest's form list is malformed")
    files = need("files", list)
    if files is not None:
        paths: set[str] = set()
        for f in files:
            if not (
                isinstance(f, dict)
                and isinstance(f.get("path"), str)
                and isinstance(f.get("size"), int)
                and isinstance(f.get("media_type"), str)
                and isinstance(f.get("sha256"), str)
                and _HEX64.match(f["sha256"])
            ):
                problems.append("an entry in the manifest's file list is malformed")
                break
            if f["path"] in paths:
                problems.append(f"the manifest lists “{f['path']}” twice")
            paths.add(f["path"])
    return problems
