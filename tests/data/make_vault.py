"""Make a golden vault at the current schema version, as a real Fieldbook would (600,000 rounds).

    cd <repo root> && python -m tests.data.make_vault

It writes ``vault-v<N>.fieldbook``, ``vault-v<N>.passphrase.txt`` and ``vault-v<N>.expected.json``
(what the vault holds, read back by the code of the day) into this folder, and refuses to replace
a golden vault that is already there: the old files are the point. Run it when a schema change
adds version N; tests/core/store/test_golden_vault.py then reads every golden vault it finds.

The content is the demo case (every form, drafts, an addendum, photos, names in many scripts), the
practitioner's signing identity and a chronology entry with right-to-left and astral characters,
all written at a fixed time. Every name is fictional.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.core.clock import FixedClock
from app.core.store import PersonIn, Store, Vault
from app.core.store import vault as vault_module
from app.core.store.schema import SCHEMA_VERSION

HERE = Path(__file__).resolve().parent
MADE_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PASSPHRASE = "golden plover over the salt marsh"
PRODUCT_KDF_ITER = 600_000


def paths(version: int) -> tuple[Path, Path, Path]:
    """The vault, its passphrase and its expected contents for schema ``version``."""
    stem = HERE / f"vault-v{version}"
    return (
        stem.with_suffix(".fieldbook"),
        stem.with_suffix(".passphrase.txt"),
        stem.with_suffix(".expected.json"),
    )


def describe(store: Store) -> dict[str, Any]:
    """What a practitioner would see in the vault: profile, cases, people, every record with its
    data, children, dates, hashes and addenda, attachments by hash, and the length of the audit log."""
    cases = []
    for summary in sorted(store.list_cases(), key=lambda c: c.id):
        case = store.get_case(summary.id)
        records = []
        for status in ("draft", "final"):
            for rec in store.list_records(case.id, status=status):
                records.append(
                    {
                        "id": rec.id,
                        "form": f"{rec.form_id} v{rec.form_version}",
                        "status": rec.status,
                        "data": rec.data,
                        "children": sorted(rec.children),
                        "occurred_at": rec.occurred_at,
                        "created_at": rec.created_at,
                        "finalised_at": rec.finalised_at,
                        "author": rec.author,
                        "content_hash": rec.content_hash,
                        "addenda": [[a.reason, a.text, a.content_hash] for a in rec.addenda],
                    }
                )
        cases.append(
            {
                "id": case.id,
                "reference": case.reference,
                "people": [p.to_json() for p in case.people],
                "records": sorted(records, key=lambda r: r["id"]),
                "attachments": {
                    sha: [a.media_type, a.size]
                    for sha in sorted(store.attachments_of_case(case.id))
                    for a in [store.get_attachment(sha)]
                },
            }
        )
    return {
        "profile": store.profile().as_author(),
        "cases": cases,
        "audit_entries": len(store.audit_entries()),
        "trusted": [t.sha256 for t in store.list_trusted()],
    }


def main() -> int:
    from app.core.demo import create_demo
    from app.core.forms import load_registry
    from app.core.identity import on_vault_created

    if vault_module.KDF_ITER != PRODUCT_KDF_ITER:
        print("Run this outside the test harness: it lowers the key derivation.", file=sys.stderr)
        return 2
    path, passphrase_file, expected_file = paths(SCHEMA_VERSION)
    if path.exists():
        print(f"{path.name} exists and is kept: a golden vault is never remade.", file=sys.stderr)
        return 2
    clock = FixedClock(MADE_AT)
    with Vault.create(path, PASSPHRASE, clock=clock) as vault:
        store = Store(vault)
        store.set_profile("Sam Carter", "Social Worker", "Northshire Children's Services")
        on_vault_created(store, PASSPHRASE, clock=clock)
        create_demo(store, load_registry(None))
        scripts = store.create_case(
            "FB-GOLDEN-2",
            [PersonIn("child", "Yasmin", "حداد", dob="2019-05-04"), PersonIn("child", "Noa", "כהן")],
        )
        store.create_record(
            scripts,
            "chronology_entry",
            1,
            {"date": "2026-11-19", "source": "School", "event": "Drew a 🏠 and said «home» — בית"},
            [],
            "2026-11-19",
        )
        expected = describe(store)
    passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
    expected_file.write_text(json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    print(f"Wrote {path.name} ({path.stat().st_size:,} bytes), its passphrase and expected contents.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
