"""Values going into the vault: text cleaning, the content hash of a final record, search text.

Pure functions with no connection: the record service, case import and the repositories all
clean and hash values the same way.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

from app.core.errors import ValidationError
from app.core.jsonio import canonical_text
from app.core.plaintext import control_problem

PERSON_KINDS = ("child", "household", "significant_other", "professional")
# A person's legal status and living arrangement: the code lists are the one place they are named.
LEGAL_STATUS_LIST = "child_legal_status"
ARRANGEMENT_LIST = "living_arrangements"
MAX_TEXT = 200_000  # characters in one note field (SECURITY.md import limits)
# A person's fields that hold one line (names): a line break in them is a control character.
ONE_LINE_PERSON_FIELDS = frozenset({"given_name", "family_name", "known_as"})


def clean_text(value: str, where: str, *, multiline: bool = True) -> str:
    """NFC text with no lone surrogates and no C0, DEL or C1 control characters: the record
    service's rule (``control_problem``), so a name typed in a dialog meets the same check as a
    record. Tab, line feed and CR+LF pass only in ``multiline`` text."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValidationError(f"{where}: contains a broken character (a lone surrogate)")
    if why := control_problem(value, multiline=multiline):
        raise ValidationError(f"{where}: {why}")
    if len(value) > MAX_TEXT:
        raise ValidationError(f"{where}: is {len(value):,} characters long; the limit is {MAX_TEXT:,}")
    return unicodedata.normalize("NFC", value)


def clean_value(value: Any, where: str, depth: int = 0) -> Any:
    """Clean every string in a JSON-like value; refuse NaN and absurd nesting."""
    if depth > 32:
        raise ValidationError(f"{where}: nested too deeply")
    if isinstance(value, str):
        return clean_text(value, where)
    if isinstance(value, dict):
        return {
            clean_text(str(k), where): clean_value(v, f"{where}.{k}", depth + 1) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_value(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    if (isinstance(value, float) and value != value) or value in (float("inf"), float("-inf")):
        raise ValidationError(f"{where}: is not a number")
    if value is None or isinstance(value, bool | int | float):
        return value
    raise ValidationError(f"{where}: {type(value).__name__} values cannot be stored")


def flatten_text(value: Any) -> list[str]:
    """Every string inside a record's data, for the full-text index."""
    out: list[str] = []
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in ("sha256", "side"):
                continue
            out.extend(flatten_text(v))
    elif isinstance(value, list):
        for v in value:
            out.extend(flatten_text(v))
    return out


def attachment_refs(value: Any) -> set[str]:
    """The attachments a record's data points at (``{"sha256": …}`` anywhere inside)."""
    found: set[str] = set()
    if isinstance(value, dict):
        sha = value.get("sha256")
        if isinstance(sha, str) and len(sha) == 64:
            found.add(sha.lower())
        for v in value.values():
            found |= attachment_refs(v)
    elif isinstance(value, list):
        for v in value:
            found |= attachment_refs(v)
    return found


def content_hash(
    form_id: str, form_version: int, data: Any, children: list[str], occurred_at: str | None
) -> str:
    return hashlib.sha256(
        canonical_text(
            {
                "form_id": form_id,
                "form_version": form_version,
                "data": data,
                "children": sorted(children),
                "occurred_at": occurred_at,
            }
        ).encode("utf-8")
    ).hexdigest()


def addendum_hash(
    record_id: str, record_hash: str | None, reason: str, text: str, created_at: str, author: dict[str, str]
) -> str:
    """An addendum's hash: bound to the final record's hash, the words, the time and the author."""
    return hashlib.sha256(
        canonical_text(
            {
                "record_id": record_id,
                "record_hash": record_hash,
                "reason": reason,
                "text": text,
                "created_at": created_at,
                "author": author,
            }
        ).encode()
    ).hexdigest()
