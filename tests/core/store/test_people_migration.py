"""Schema 4: a vault from before it keeps its children, and kinship care (and the other
arrangements once listed as legal statuses) becomes where the child lives, not an order."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.store import Store, Vault, schema
from app.core.store import vault as vault_mod

from .conftest import PASSPHRASE

OLD = {  # legal status written by a schema-3 Fieldbook → (legal status, arrangement) today
    "kinship_care": (None, "kinship_care"),
    "birth_family": (None, "parents"),
    "private_fostering": (None, "private_fostering"),
    "special_guardianship": ("special_guardianship", None),
    "looked_after": ("looked_after", None),
}


def test_a_schema_3_vault_moves_kinship_care_to_the_living_arrangement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened by this Fieldbook, each child of a schema-3 vault keeps their name and order; kinship
    care, birth family and private fostering become the living arrangement with no legal status;
    the orders stay; no child is flagged as unnamed; the file check is sound."""
    path = tmp_path / "v3.fieldbook"
    monkeypatch.setattr(vault_mod, "MIGRATIONS", schema.MIGRATIONS[:3])
    monkeypatch.setattr(vault_mod, "SCHEMA_VERSION", 3)
    with Vault.create(path, PASSPHRASE) as vault:
        now = "2026-11-01T09:00:00Z"
        vault.conn.execute("INSERT INTO cases VALUES ('c1', 'V3', ?, ?)", (now, now))
        for i, status in enumerate(OLD):
            vault.conn.execute(
                "INSERT INTO people (id, case_id, kind, given_name, family_name, legal_status, position,"
                " created_at, updated_at) VALUES (?, 'c1', 'child', ?, 'Okafor', ?, ?, ?, ?)",
                (f"p{i}", f"Child{i}", status, i, now, now),
            )
        vault.conn.commit()
    monkeypatch.setattr(vault_mod, "MIGRATIONS", schema.MIGRATIONS)
    monkeypatch.setattr(vault_mod, "SCHEMA_VERSION", schema.SCHEMA_VERSION)
    with Vault.open(path, PASSPHRASE) as vault:
        assert vault.check().ok
        children = Store(vault).get_case("c1").children
    assert [c.display_name for c in children] == [f"Child{i} Okafor" for i in range(len(OLD))]
    assert [(c.legal_status, c.living_arrangement) for c in children] == list(OLD.values())
    assert not any(c.name_unknown or c.flag for c in children)
