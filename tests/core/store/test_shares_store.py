"""The sharing log in the vault: a schema-2 vault gains it on opening, and it is append-only."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3

from app.core.store import Store, Vault, schema
from app.core.store import vault as vault_mod

from .conftest import PASSPHRASE


def test_a_schema_2_vault_gains_an_append_only_sharing_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened by this Fieldbook, a vault from before the log keeps its cases and logs shares;
    a logged share cannot be edited or deleted, even with an SQL shell."""
    path = tmp_path / "v2.fieldbook"
    monkeypatch.setattr(vault_mod, "MIGRATIONS", schema.MIGRATIONS[:2])
    monkeypatch.setattr(vault_mod, "SCHEMA_VERSION", 2)
    with Vault.create(path, PASSPHRASE) as vault:
        store = Store(vault)
        store.set_profile("Sam Carter", "Social worker", "Northshire Children's Services")
        # Written as a schema-2 Fieldbook wrote it (today's people have columns schema 2 lacks).
        case_id = "v2-case"
        now = "2026-11-01T09:00:00Z"
        vault.conn.execute("INSERT INTO cases VALUES (?, 'V2-CASE', ?, ?)", (case_id, now, now))
        vault.conn.execute(
            "INSERT INTO people (id, case_id, kind, given_name, family_name, created_at, updated_at)"
            " VALUES ('v2-maya', ?, 'child', 'Maya', 'Okafor', ?, ?)",
            (case_id, now, now),
        )
        vault.conn.commit()
    monkeypatch.setattr(vault_mod, "MIGRATIONS", schema.MIGRATIONS)
    monkeypatch.setattr(vault_mod, "SCHEMA_VERSION", schema.SCHEMA_VERSION)
    with Vault.open(path, PASSPHRASE) as vault:
        store = Store(vault)
        share_id = store.add_share(
            case_id,
            "2026-11-24T09:30",
            method="phone",
            what="The plan",
            recipient="Dr Ames, GP",
            purpose="Core group",
            consent="given",
            lawful_basis="public_task_sch1_18",
            decided_by="Sam Carter",
        )
        [share] = store.list_shares(case_id)
        assert (share.id, share.recipient, share.created_by) == (share_id, "Dr Ames, GP", "Sam Carter")
        assert store.audit_entries(1)[0].action == "share"
        for sql in ("UPDATE shares SET recipient = 'someone else'", "DELETE FROM shares"):
            with pytest.raises(sqlcipher3.dbapi2.DatabaseError, match="append-only"):
                vault.conn.execute(sql)
