"""The append-only, hash-chained audit log (SECURITY.md threat 18).

Each entry's hash is SHA-256 over the previous hash and the canonical JSON of the entry, so an
edit, a deletion or a reordering anywhere breaks the chain from that point on. Triggers refuse
UPDATE and DELETE; the chain catches what a hostile edit of the file could still do.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from app.core.jsonio import canonical_text

GENESIS = "0" * 64


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_text(entry)).encode("utf-8")).hexdigest()


def _entry(
    seq: int, at: str, actor: str, action: str, object_type: str, object_id: str, details: str
) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": json.loads(details),
    }


def append(
    conn: Any, *, at: str, actor: str, action: str, object_type: str, object_id: str, details: dict[str, Any]
) -> int:
    """Append one entry (call inside the transaction of the change it describes)."""
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
    text = canonical_text(details)
    digest = entry_hash(prev, _entry(seq, at, actor, action, object_type, object_id, text))
    conn.execute(
        "INSERT INTO audit (seq, at, actor, action, object_type, object_id, details, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, actor, action, object_type, object_id, text, prev, digest),
    )
    return int(seq)


def verify_chain(conn: Any) -> tuple[int | None, int]:
    """(first broken seq or None, number of entries)."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for row in conn.execute(
        "SELECT seq, at, actor, action, object_type, object_id, details,"
        " prev_hash, hash FROM audit ORDER BY seq"
    ):
        count += 1
        seq, at, actor, action, otype, oid, details, prev_hash, digest = row
        try:
            entry = _entry(seq, at, actor, action, otype, oid, details)
            good = seq == expected_seq and prev_hash == prev and entry_hash(prev, entry) == digest
        except (ValueError, TypeError):
            good = False
        if not good:
            return int(seq), count
        prev = digest
        expected_seq += 1
    return None, count
