"""Golden vaults in tests/data (KeePassXC's Format*.kdbx are the model): each was made by a real
Fieldbook at its schema version (tests/data/make_vault.py), and today's code must still open it,
read back exactly what was written, and find it sound. A schema or reader change that cannot open
an old practitioner's vault fails here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.core.clock import FixedClock
from app.core.store import Store, Vault
from app.core.store import vault as vault_module
from app.core.store.schema import ARRANGEMENT_FROM_V3, SCHEMA_VERSION
from tests.conftest import copy_vault
from tests.data.make_vault import MADE_AT, PRODUCT_KDF_ITER, describe, paths

ROOT = Path(__file__).resolve().parents[3]
VERSIONS = sorted(
    int(p.stem.removeprefix("vault-v")) for p in (ROOT / "tests/data").glob("vault-v*.fieldbook")
)


def test_there_is_a_golden_vault_for_schema_2() -> None:
    """The schema-2 golden vault is kept (a future schema adds its own beside it)."""
    assert 2 in VERSIONS and max(VERSIONS) <= SCHEMA_VERSION


@pytest.mark.parametrize("version", VERSIONS)
def test_golden_vault_opens_and_reads_back_what_was_written(
    version: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unlocked at a fixed time with its passphrase, the golden vault shows the same profile, cases,
    people, records (data, children, dates, hashes, addenda) and attachments as when it was made,
    and its file check and audit chain are sound."""
    golden, passphrase_file, expected_file = paths(version)
    monkeypatch.setattr(vault_module, "KDF_ITER", PRODUCT_KDF_ITER)  # keyed by a real Fieldbook
    vault_file = copy_vault(golden, tmp_path / "vault" / golden.name)  # the golden file is never opened
    passphrase = passphrase_file.read_text(encoding="utf-8").strip()
    with Vault.open(vault_file, passphrase, clock=FixedClock(MADE_AT)) as vault:
        report = vault.check()
        assert report.ok, (report.integrity, report.audit_broken_at)
        assert report.schema_version == SCHEMA_VERSION  # upgraded in place when the schema moved on
        assert describe(Store(vault)) == upgraded(
            json.loads(expected_file.read_text(encoding="utf-8")), version
        )


def upgraded(expected: dict[str, Any], version: int) -> dict[str, Any]:
    """What a vault made at ``version`` shows today: from schema 4 each person has a living
    arrangement (an arrangement once written as a legal status moved there) and a name flag."""
    if version < 4:
        for case in expected["cases"]:
            for p in case["people"]:
                moved = ARRANGEMENT_FROM_V3.get(p["legal_status"])
                p["living_arrangement"] = moved
                p["legal_status"] = None if moved else p["legal_status"]
                p["name_unknown"] = False
    return expected


def test_golden_vault_passes_vault_check_from_the_command_line(tmp_path: Path) -> None:
    """`fieldbook vault check`, run as a real Fieldbook (no test harness), exits 0 on the schema-2
    golden vault and reports its audit chain intact."""
    golden, passphrase_file, expected_file = paths(2)
    vault_file = copy_vault(golden, tmp_path / "vault" / golden.name)
    env = {
        **os.environ,
        "FIELDBOOK_VAULT": str(vault_file),
        "FIELDBOOK_PASSPHRASE": passphrase_file.read_text(encoding="utf-8").strip(),
    }
    out = subprocess.run(
        [sys.executable, "-E", "-m", "app", "--json", "vault", "check"],  # -E: without the harness
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    assert report["ok"] and report["audit_broken_at"] is None
    assert report["audit_entries"] >= expected["audit_entries"]
