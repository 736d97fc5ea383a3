"""Case data JSON round trips, hostile input, the demo case and `record add`, on real vaults."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.casedata import check_schema, export_case, import_case
from app.core.clock import FixedClock
from app.core.demo import REFERENCE, create_demo
from app.core.errors import UsageError, ValidationError
from app.core.forms import load_registry
from app.core.records import add_record, finalise_record
from app.core.store import Store, Vault
from tests.clirun import run_app

PASS = "willow path by the lock"
REG = load_registry()


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "vault.fieldbook"
    with Vault.create(path, PASS, clock=FixedClock()) as vault:
        store = Store(vault)
        store.set_profile("Sam Carter", "Social worker", "Northshire Children's Services")
        create_demo(store, REG)
    return path


@pytest.fixture
def store(demo_vault: Path, tmp_path: Path) -> Iterator[Store]:
    dest = tmp_path / "vault.fieldbook"
    shutil.copy2(demo_vault, dest)
    with Vault.open(dest, PASS, clock=FixedClock()) as vault:
        yield Store(vault)


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[Store]:
    with Vault.create(tmp_path / "empty.fieldbook", PASS, clock=FixedClock()) as vault:
        s = Store(vault)
        s.set_profile("Jo Manager", "Team manager", "Southshire Children's Services")
        yield s


def test_demo_uses_every_form_with_final_valid_records(store: Store) -> None:
    """The demo case holds at least one final, valid record of every form, and an addendum."""
    case_id = store.find_case(REFERENCE)
    case = store.get_case(case_id)
    assert [c.display_name for c in case.children] == ["Maya Okafor", "Leo Okafor", "Baby Okafor"]
    assert case.children[2].due_date and not case.children[2].dob
    records = store.list_records(case_id)
    finals = [r for r in records if r.status == "final"]
    assert {r.form_id for r in finals} == {f.id for f in REG.latest()}
    from app.core.forms import ValidationContext, validate

    ctx = ValidationContext(children=case.children, today=store.vault.clock.today())
    for r in finals:
        assert validate(REG.get(r.form_id, r.form_version), r.data, ctx) == [], r.form_id
    assert any(r.addenda for r in records)
    assert any(r.status == "draft" for r in records)
    names = " ".join(p.display_name for p in case.people)
    for script_name in ("Wójcik-Łęcka", "Παπαδοπούλου", "Иванова", "حداد", "כהן"):
        assert script_name in names
    quotes = [q["words"] for r in records for q in r.data.get("child_views", [])]
    assert any("<b>" in q and "&" in q for q in quotes)


def test_export_import_round_trips_a_whole_case_exactly(store: Store, empty_store: Store) -> None:
    """Export → import into another vault → export gives the same case, people, records,
    addenda and attachments."""
    case_id = store.find_case(REFERENCE)
    first = export_case(store, case_id, include_drafts=True)
    assert check_schema(first) == []
    new_id = import_case(empty_store, REG, json.dumps(first).encode())
    second = export_case(empty_store, new_id, include_drafts=True)
    for doc in (first, second):
        doc.pop("exported_at")
    assert second == first


def test_import_is_all_or_nothing(store: Store, empty_store: Store) -> None:
    """One invalid final record means nothing at all is imported, with the reason named."""
    doc = export_case(store, store.find_case(REFERENCE))
    sd = next(r for r in doc["case"]["records"] if r["form_id"] == "strategy_discussion")
    sd["data"]["participants"] = [p for p in sd["data"]["participants"] if p["agency"] != "police"]
    with pytest.raises(ValidationError, match="no one from the police is listed"):
        import_case(empty_store, REG, json.dumps(doc).encode())
    assert empty_store.list_cases() == []


def test_import_refuses_a_final_record_changed_after_finalising(store: Store, empty_store: Store) -> None:
    """A final record whose content no longer matches its hash is refused."""
    doc = export_case(store, store.find_case(REFERENCE))
    rec = next(r for r in doc["case"]["records"] if r["form_id"] == "chronology_entry")
    rec["data"]["event"] = "Rewritten after the fact"
    with pytest.raises(ValidationError, match="does not match its content hash"):
        import_case(empty_store, REG, json.dumps(doc).encode())
    assert empty_store.list_cases() == []


@pytest.mark.parametrize("stripped", [None, ""])
def test_import_refuses_a_final_record_edited_and_stripped_of_its_hash(
    store: Store, empty_store: Store, stripped: str | None
) -> None:
    """Edit a final record and drop its hash: refused, naming content_hash, nothing written
    (before, the hash was recomputed and the edit came in looking attested)."""
    doc = export_case(store, store.find_case(REFERENCE))
    rec = next(r for r in doc["case"]["records"] if r["form_id"] == "chronology_entry")
    rec["data"]["event"] = "Rewritten after the fact"
    rec["content_hash"] = stripped
    with pytest.raises(ValidationError, match="content_hash"):
        import_case(empty_store, REG, json.dumps(doc).encode())
    assert empty_store.list_cases() == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"format": NaN}', "NaN is not allowed"),
        (b'{"a": 1, "a": 2}', "appears twice"),
        (b"[" * 5000 + b"]" * 5000, "nested"),
        (b'{"a": "\\ud800"}', "lone surrogate"),
        (b'{"a": "' + b"x" * 1_100_000 + b'"}', "longer than"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"format": "fieldbook-case/1", "case": {}, "attachments": []}', "Case data"),
    ],
)
def test_hostile_input_is_refused_with_a_clear_message(empty_store: Store, raw: bytes, message: str) -> None:
    """Invalid JSON, NaN, duplicate keys, deep nesting, lone surrogates and huge strings exit 2."""
    with pytest.raises(UsageError) as err:
        import_case(empty_store, REG, raw)
    assert message in err.value.message
    assert err.value.exit_code == 2
    assert empty_store.list_cases() == []


def test_add_record_keeps_an_invalid_draft_and_finalises_a_valid_one(store: Store) -> None:
    """An invalid record is saved as a draft with its problems, asked to be final it saves nothing;
    a completed draft can be finalised."""
    case_id = store.find_case(REFERENCE)
    before = len(store.list_records(case_id, "chronology_entry"))
    with pytest.raises(ValidationError, match="Source: is needed"):
        add_record(
            store, REG, case_id, "chronology_entry", {"date": "2026-11-21", "event": "Visit"}, final=True
        )
    assert len(store.list_records(case_id, "chronology_entry")) == before
    rid, problems = add_record(
        store, REG, case_id, "chronology_entry", {"date": "21/11/2026", "event": "Visit"}
    )
    assert store.get_record(rid).status == "draft"
    assert [str(p) for p in problems] == ["Source: is needed", "Significance: is needed"]
    with pytest.raises(ValidationError, match="Source: is needed"):
        finalise_record(store, REG, rid)
    store.update_draft(rid, {"date": "2026-11-21", "event": "Visit", "source": "CSC", "significance": "low"})
    finalise_record(store, REG, rid)
    assert store.get_record(rid).status == "final"
    assert store.get_record(rid).occurred_at == "2026-11-21"


def _cli(vault: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_app(*args, vault=vault, passphrase=PASS, stdin=stdin)


def _add_chronology(vault: Path, data: str, *options: str) -> subprocess.CompletedProcess[str]:
    """`record add REFERENCE --form chronology_entry --json - OPTIONS` with ``data`` on standard input."""
    return _cli(
        vault, "record", "add", REFERENCE, "--form", "chronology_entry", "--json", "-", *options, stdin=data
    )


def test_record_add_cli_final_with_invalid_input_saves_nothing(demo_vault: Path, tmp_path: Path) -> None:
    """`record add --final` with invalid data exits 2, names the field, and saves nothing."""
    vault = tmp_path / "v.fieldbook"
    shutil.copy2(demo_vault, vault)
    out = _add_chronology(vault, '{"date": "2026-11-21", "event": "Phone call"}', "--final")
    assert out.returncode == 2
    assert "Source: is needed" in out.stderr and "Nothing was saved" in out.stderr
    out = _add_chronology(
        vault,
        json.dumps({"date": "2026-11-21", "event": "Phone call", "source": "GP", "significance": "low"}),
        "--final",
    )
    assert out.returncode == 0, out.stderr
    shown = json.loads(_cli(vault, "--json", "case", "show", REFERENCE).stdout)
    statuses = [r["status"] for r in shown["records"] if r["occurred_at"] == "2026-11-21"]
    assert statuses == ["final"]
    out = _add_chronology(vault, '{"a": 1, "a": 2}')
    assert out.returncode == 2 and "appears twice" in out.stderr


def test_export_json_and_import_cli(demo_vault: Path, tmp_path: Path) -> None:
    """`case export-json` then `case import` into a new vault works from the command line."""
    vault = tmp_path / "v.fieldbook"
    shutil.copy2(demo_vault, vault)
    out_file = tmp_path / "case.json"
    assert _cli(vault, "case", "export-json", REFERENCE, "--out", str(out_file)).returncode == 0
    other = tmp_path / "other.fieldbook"
    env_init = _cli(other, "init", "--name", "Jo Manager", "--role", "Team manager", "--agency", "Southshire")
    assert env_init.returncode == 0, env_init.stderr
    out = _cli(other, "case", "import", str(out_file))
    assert out.returncode == 0, out.stderr
    out = _cli(other, "case", "import", str(out_file))
    assert out.returncode == 2 and "already in this vault" in out.stderr
