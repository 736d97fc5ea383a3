"""The pack manifest (``fieldbook-pack/1``): its format constants and its shape.

The CMS signature covers exactly the bytes of ``app.core.jsonio.canonical_json(manifest)``; every
JSON file in an untrusted pack is read with ``app.core.jsonio.loads`` (SECURITY.md finding 6).
"""

from __future__ import annotations

import re
from typing import Any

FORMAT = "fieldbook-pack/1"
MEDIA_TYPE = "application/vnd.fieldbook.pack+zip"
SCHEMA_VERSION = "fieldbook-case/1"
KINDS = ("referral", "conference", "parents")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


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
        problems.append(f"the manifest's “kind” is not one of {', '.join(KINDS)}")
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
