"""Court-grade records: final records still match their hashes, and the audit chain is whole.

The audit chain (``audit``) catches an edit in the middle of the log, but not a log cut back at
its end, nor a record edited together with its hash. So:

* every final record's content hash is recomputed from its stored data and compared with the
  hash kept on the record *and* the one the audit log took when it was finalised or imported
  (addenda likewise);
* the chain's head is anchored outside the audit table: ``meta.audit_anchor`` holds the head
  (sequence and hash) and the last entries' subjects under an HMAC whose key is derived from
  the vault's key material (the passphrase), so an SQL shell cannot move the head back or
  forward without the key. The head also travels in every pack's manifest and every backup.

A passphrase change re-seals the anchor under both keys before the rekey and under the new key
alone once the change is confirmed, so a kill at any moment leaves an anchor that verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from app.core.jsonio import canonical_text
from app.core.store.audit import GENESIS
from app.core.store.values import addendum_hash, content_hash

ANCHOR = "audit_anchor"  # the meta row
RECENT = 32  # entries whose subjects the anchor names, so a cut-off tail can be named
_KEY_LABEL = b"fieldbook audit anchor/1\x00"


def anchor_key(secret: bytes | bytearray, vault_id: str) -> bytes:
    """The anchor's MAC key: HMAC-SHA256 of a label and the vault's id, keyed by the secret."""
    return hmac.new(bytes(secret), _KEY_LABEL + vault_id.encode("utf-8"), hashlib.sha256).digest()


def _mac(key: bytes, head: dict[str, Any]) -> str:
    return hmac.new(key, canonical_text(head).encode("utf-8"), hashlib.sha256).hexdigest()


def head(conn: Any) -> dict[str, Any]:
    """The chain's head as the table holds it: sequence, hash and the recent entries' subjects."""
    rows = conn.execute(
        "SELECT seq, hash, object_type, object_id FROM audit ORDER BY seq DESC LIMIT ?", (RECENT,)
    ).fetchall()
    if not rows:
        return {"seq": 0, "hash": GENESIS, "recent": []}
    return {
        "seq": int(rows[0][0]),
        "hash": str(rows[0][1]),
        "recent": [[int(seq), otype, oid] for seq, _, otype, oid in reversed(rows)],
    }


def seal(conn: Any, keys: list[bytes]) -> None:
    """Write the anchor for the current head (inside the transaction that moved the head)."""
    current = head(conn)
    value = {"head": current, "macs": [_mac(k, current) for k in keys]}
    put_meta(conn, ANCHOR, json.dumps(value, separators=(",", ":")))


def put_meta(conn: Any, key: str, value: str) -> None:
    """Set one row of the vault's ``meta`` table."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def _anchored(conn: Any) -> dict[str, Any] | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (ANCHOR,)).fetchone()
    if row is None:
        return None
    try:
        value = json.loads(row[0])
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def has_anchor(conn: Any) -> bool:
    return _anchored(conn) is not None


def anchor_problems(conn: Any, key: bytes) -> list[str]:
    """What is wrong with the chain's head compared with its anchor (empty when it matches)."""
    value = _anchored(conn)
    if value is None:
        return ["the audit log has no anchor (it was removed)"]
    anchored = value.get("head")
    macs = value.get("macs")
    if not isinstance(anchored, dict) or not isinstance(macs, list):
        return ["the audit log's anchor is damaged"]
    expected = _mac(key, anchored)
    if not any(isinstance(m, str) and hmac.compare_digest(m, expected) for m in macs):
        return ["the audit log's anchor was not written by this vault's key (it was edited)"]
    current = head(conn)
    if current["seq"] == anchored.get("seq") and current["hash"] == anchored.get("hash"):
        return []
    if current["seq"] < int(anchored.get("seq", 0)):
        gone = [r for r in anchored.get("recent", []) if r[0] > current["seq"]]
        subjects = _subjects(gone)
        return [
            f"the audit log ends at entry {current['seq']} but its anchor says {anchored.get('seq')}: "
            f"entries {current['seq'] + 1}–{anchored.get('seq')} were removed"
            + (f" (they were about {subjects})" if subjects else "")
        ]
    if current["seq"] > int(anchored.get("seq", 0)):
        return [
            f"the audit log has entries after {anchored.get('seq')} that Fieldbook did not write "
            f"(it now ends at entry {current['seq']})"
        ]
    return [f"audit entry {current['seq']} is not the one Fieldbook wrote (it was replaced)"]


def _subjects(entries: list[Any]) -> str:
    seen: dict[str, None] = {}
    for entry in entries:
        if isinstance(entry, list) and len(entry) == 3:
            seen[f"{entry[1]} {entry[2]}"] = None
    return ", ".join(seen)


@dataclass(frozen=True)
class RecordProblem:
    """A final record (or addendum) that no longer matches what was attested."""

    record_id: str
    message: str

    def __str__(self) -> str:
        return self.message


def _audited(
    conn: Any, case_id: str | None
) -> tuple[dict[str, tuple[int, str | None]], dict[str, tuple[int, str, str | None]]]:
    """From the audit log: record id → (entry, hash) when finalised or imported, and
    addendum id → (entry, record id, hash). SQLite reads the two members out of each entry's
    JSON (a damaged entry gives nulls here; the chain check names it)."""
    sql = (
        "SELECT seq, action, object_id, "
        "CASE WHEN json_valid(details) THEN json_extract(details, '$.content_hash') END, "
        "CASE WHEN json_valid(details) THEN json_extract(details, '$.addendum_id') END "
        "FROM audit WHERE object_type = 'record' AND action IN ('finalise', 'import', 'addendum')"
    )
    args: list[Any] = []
    if case_id:
        sql += " AND object_id IN (SELECT id FROM records WHERE case_id = ?)"
        args.append(case_id)
    finals: dict[str, tuple[int, str | None]] = {}
    addenda: dict[str, tuple[int, str, str | None]] = {}
    for seq, action, oid, digest, addendum_id in conn.execute(sql + " ORDER BY seq", args):
        if action == "addendum":
            addenda[str(addendum_id)] = (int(seq), str(oid), digest)
        elif action == "finalise" or digest:  # an imported draft has no hash
            finals[str(oid)] = (int(seq), digest)
    return finals, addenda


def _record_problem(
    rid: str, name: str, digest: str, stored: str | None, audited: tuple[int, str | None] | None
) -> RecordProblem | None:
    if digest != stored:
        return RecordProblem(
            rid, f"{name} was changed after it was finalised: its content no longer matches its hash"
        )
    if audited is None:
        return RecordProblem(rid, f"{name} is final but the audit log never recorded it being finalised")
    if audited[1] is not None and audited[1] != digest:
        return RecordProblem(
            rid,
            f"{name} does not match the hash the audit log took when it was finalised (entry {audited[0]})",
        )
    return None


def record_problems(conn: Any, case_id: str | None = None) -> list[RecordProblem]:
    """Every final record (of one case, or all) whose content no longer matches its hash or the
    audit log, every audited final record that is gone or no longer final, and every addendum
    likewise. Reads each table once (10,000 final records: well under a second)."""
    finals, addenda_audit = _audited(conn, case_id)
    where, args = (" AND r.case_id = ?", [case_id]) if case_id else ("", [])
    problems: list[RecordProblem] = []
    kids: dict[str, list[str]] = {}
    for rid, pid in conn.execute(
        "SELECT rc.record_id, rc.person_id FROM record_children rc JOIN records r ON r.id = rc.record_id "
        f"WHERE r.status = 'final'{where}",
        args,
    ):
        kids.setdefault(rid, []).append(pid)
    hashes: dict[str, str | None] = {}
    status_of: dict[str, str] = {}
    decode = json.JSONDecoder().decode  # skips json.loads' per-call argument checks
    for rid, form_id, version, data, occurred, stored, status in conn.execute(
        "SELECT id, form_id, form_version, data, occurred_at, content_hash, status FROM records r "
        f"WHERE 1{where}",
        args,
    ):
        status_of[rid] = status
        hashes[rid] = stored
        if status != "final":
            if rid in finals:
                problems.append(RecordProblem(rid, f"Record {rid} was finalised but is now marked {status}"))
            continue
        name = f"Record {rid} ({form_id}{', ' + occurred[:10] if occurred else ''})"
        try:
            digest = content_hash(form_id, int(version), decode(data), kids.get(rid, []), occurred)
        except (ValueError, TypeError):
            digest = ""
        problem = _record_problem(rid, name, digest, stored, finals.get(rid))
        if problem is not None:
            problems.append(problem)
    if case_id is None:  # a record deleted from the file can only be missed vault-wide
        for rid, (seq, _) in finals.items():
            if rid not in status_of:
                problems.append(
                    RecordProblem(rid, f"Record {rid} was finalised (audit entry {seq}) but is missing")
                )
    present: set[str] = set()
    for aid, rid, created, author_name, role, agency, reason, text, stored in conn.execute(
        "SELECT a.id, a.record_id, a.created_at, a.author_name, a.author_role, a.author_agency, a.reason, "
        f"a.text, a.content_hash FROM addenda a JOIN records r ON r.id = a.record_id WHERE 1{where}",
        args,
    ):
        present.add(aid)
        author = {"name": author_name, "role": role, "agency": agency}
        digest = addendum_hash(rid, hashes.get(rid), reason, text, created, author)
        audited = addenda_audit.get(aid)
        if digest != stored or (audited is not None and audited[2] not in (None, digest)):
            problems.append(
                RecordProblem(rid, f"Addendum {aid} to record {rid} was changed after it was added")
            )
    for aid, (seq, rid, _) in addenda_audit.items():
        if aid not in present:
            problems.append(
                RecordProblem(rid, f"Addendum {aid} to record {rid} (audit entry {seq}) is missing")
            )
    return problems
