"""Court-grade records: a final record changed or removed with an SQL shell is found and named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from app.core.clock import FixedClock
from app.core.store import KDF_ITER, Store, Vault
from app.core.store.values import content_hash

from .conftest import PASSPHRASE, okafor_case


def sql_shell(path: Path) -> Any:
    """The vault opened the way someone with the passphrase and sqlcipher3 would."""
    conn = sqlcipher.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = '{PASSPHRASE}'")
    conn.execute(f"PRAGMA kdf_iter = {KDF_ITER}")
    return conn


def _final_record(vault_path: Path, event: str = "Maya said she was hit") -> tuple[str, str]:
    """A case with one final chronology entry; (case id, record id)."""
    with Vault.open(vault_path, PASSPHRASE, clock=FixedClock()) as vault:
        store = Store(vault)
        case_id = okafor_case(store)
        maya = store.get_case(case_id).children[0].id
        data = {"date": "2026-11-20", "source": "School", "event": event, "significance": "high"}
        rid = store.create_record(case_id, "chronology_entry", 1, data, [maya], "2026-11-20")
        store.finalise(rid)
        assert vault.check().ok
    return case_id, rid


def _check(vault_path: Path) -> Any:
    with Vault.open(vault_path, PASSPHRASE) as vault:
        return vault.check()


def test_a_final_record_edited_in_an_sql_shell_is_named(vault_path: Path) -> None:
    """Editing a final record's words with sqlcipher3 fails the check, which names the record."""
    case_id, rid = _final_record(vault_path)
    shell = sql_shell(vault_path)
    shell.execute(
        "UPDATE records SET data = json_set(data, '$.event', 'Nothing happened') WHERE id = ?", (rid,)
    )
    shell.close()
    report = _check(vault_path)
    assert not report.ok and report.audit_broken_at is None  # the chain alone would not notice
    assert [p.record_id for p in report.records] == [rid]
    assert "changed after it was finalised" in report.records[0].message
    with Vault.open(vault_path, PASSPHRASE) as vault:
        assert [p.record_id for p in Store(vault).tampered_records(case_id)] == [rid]


def test_a_final_record_edited_with_its_hash_is_named_by_the_audit_log(vault_path: Path) -> None:
    """Rewriting the stored hash to match the edit still fails: the audit log kept the original."""
    _, rid = _final_record(vault_path)
    shell = sql_shell(vault_path)
    form_id, version, data, occurred = shell.execute(
        "SELECT form_id, form_version, data, occurred_at FROM records WHERE id = ?", (rid,)
    ).fetchone()
    kids = [k for (k,) in shell.execute("SELECT person_id FROM record_children WHERE record_id = ?", (rid,))]
    edited = {**json.loads(data), "event": "Nothing happened"}
    shell.execute(
        "UPDATE records SET data = ?, content_hash = ? WHERE id = ?",
        (json.dumps(edited), content_hash(form_id, version, edited, kids, occurred), rid),
    )
    shell.close()
    report = _check(vault_path)
    assert [p.record_id for p in report.records] == [rid]
    assert "the audit log took when it was finalised" in report.records[0].message


def test_a_final_record_deleted_with_the_tail_of_the_audit_log_is_named(vault_path: Path) -> None:
    """Deleting a final record and its audit entries leaves an intact chain, but the anchor
    outside the audit table says entries were removed and which record they were about."""
    _, rid = _final_record(vault_path)
    shell = sql_shell(vault_path)
    (first,) = shell.execute("SELECT min(seq) FROM audit WHERE object_id = ?", (rid,)).fetchone()
    shell.execute("DROP TRIGGER audit_no_delete")
    shell.execute("DELETE FROM audit WHERE seq >= ?", (first,))
    for table in ("record_children", "record_attachments"):
        shell.execute(f"DELETE FROM {table} WHERE record_id = ?", (rid,))
    shell.execute("DELETE FROM records WHERE id = ?", (rid,))
    shell.close()
    report = _check(vault_path)
    assert report.audit_broken_at is None and report.records == []
    assert not report.ok
    assert len(report.anchor) == 1 and "were removed" in report.anchor[0] and rid in report.anchor[0]


def test_an_anchor_rewritten_without_the_key_is_refused(vault_path: Path) -> None:
    """An anchor moved to match a cut-back log, but sealed without the vault's key, fails the check."""
    _final_record(vault_path)
    shell = sql_shell(vault_path)
    anchor = json.loads(shell.execute("SELECT value FROM meta WHERE key = 'audit_anchor'").fetchone()[0])
    (seq, digest) = shell.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1 OFFSET 1").fetchone()
    shell.execute("DROP TRIGGER audit_no_delete")
    shell.execute("DELETE FROM audit WHERE seq > ?", (seq,))
    anchor["head"] = {**anchor["head"], "seq": seq, "hash": digest}
    shell.execute("UPDATE meta SET value = ? WHERE key = 'audit_anchor'", (json.dumps(anchor),))
    shell.close()
    report = _check(vault_path)
    assert report.anchor == ["the audit log's anchor was not written by this vault's key (it was edited)"]


def test_a_removed_anchor_is_reported_not_silently_replaced(vault_path: Path) -> None:
    """Deleting the anchor is reported at every check; unlocking does not quietly make a new one."""
    _final_record(vault_path)
    shell = sql_shell(vault_path)
    shell.execute("DELETE FROM meta WHERE key = 'audit_anchor'")
    shell.close()
    assert _check(vault_path).anchor == ["the audit log has no anchor (it was removed)"]
    assert _check(vault_path).anchor == ["the audit log has no anchor (it was removed)"]


def test_a_vault_from_before_anchors_is_anchored_once_on_unlock(vault_path: Path) -> None:
    """A vault written before anchors existed gets its anchor at the first unlock and checks clean."""
    _final_record(vault_path)
    shell = sql_shell(vault_path)
    shell.execute("DELETE FROM meta WHERE key IN ('audit_anchor', 'audit_anchored')")
    shell.close()
    assert _check(vault_path).ok


def test_addendum_edited_in_an_sql_shell_is_named(vault_path: Path) -> None:
    """An addendum's words changed behind Fieldbook's back name the record they belong to."""
    _, rid = _final_record(vault_path)
    with Vault.open(vault_path, PASSPHRASE) as vault:
        Store(vault).add_addendum(rid, "Correction", "It was Tuesday, not Monday.")
    shell = sql_shell(vault_path)
    shell.execute("UPDATE addenda SET text = 'It was Monday.' WHERE record_id = ?", (rid,))
    shell.close()
    report = _check(vault_path)
    assert [p.record_id for p in report.records] == [rid]
    assert "Addendum" in report.records[0].message


def test_every_write_keeps_the_check_clean(store: Store) -> None:
    """Ordinary work — cases, drafts, finalising, addenda, discards — never trips the check."""
    case_id = okafor_case(store)
    maya = store.get_case(case_id).children[0].id
    data = {"date": "2026-11-20", "source": "School", "event": "Seen", "significance": "low"}
    kept = store.create_record(case_id, "chronology_entry", 1, data, [maya], "2026-11-20")
    store.update_draft(kept, {**data, "event": "Seen at school"})
    store.finalise(kept)
    store.add_addendum(kept, "Clarification", "Seen by the class teacher.")
    store.discard_draft(store.create_record(case_id, "chronology_entry", 1, data, [maya]))
    report = store.vault.check()
    assert report.ok, (report.anchor, report.records)
    assert report.head["seq"] == store.audit_entries(limit=1)[0].seq
