"""Children as issue 15 asks: a child whose name is not yet known (placeholder, flagged until
named), and each child's legal status beside where they live (kinship care is an arrangement)."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.core.store import Store, Vault
from tests.clirun import fieldbook

PASS = "heron bridge at dawn"


def run(vault: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`fieldbook ARGS` on ``vault`` (tests/clirun.py: the CLI's own code, in this process)."""
    return fieldbook(*args, env={"FIELDBOOK_VAULT": str(vault), "FIELDBOOK_PASSPHRASE": PASS}, stdin=stdin)


def ok(vault: Path, *args: str, stdin: str | None = None) -> Any:
    out = run(vault, "--json", *args, stdin=stdin)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    path = tmp_path / "vault.fieldbook"
    out = run(path, "init", "--name", "Sam Carter", "--role", "Social worker", "--agency", "Northshire")
    assert out.returncode == 0, out.stderr
    return path


def add_okafors(vault: Path) -> str:
    return str(
        ok(
            vault,
            "case",
            "add",
            "--ref",
            "FB-2026-0101",
            "--child",
            "Maya Okafor",
            "--dob",
            "2017-03-02",
            "--legal-status",
            "child_protection_plan",
            "--arrangement",
            "kinship_care",
            "--unnamed-child",
            "--due",
            "2027-02-01",
            "--child",
            "",
            "--dob",
            "2026-11-30",
        )["case_id"]
    )


def test_a_child_not_yet_named_is_shown_by_placeholder_and_flagged_until_named(vault: Path) -> None:
    """An unborn baby and a newborn opened with no name show as "Unborn baby (name not yet known)"
    and "Child not yet named", flagged in case show and case list; `case name` names the baby,
    the flag goes for that child only, and the vault's audit log records the naming."""
    case_id = add_okafors(vault)
    shown = run(vault, "case", "show", "FB-2026-0101").stdout
    assert "Unborn baby (name not yet known) (unborn, due 2027-02-01)  [NAME NOT YET KNOWN" in shown
    assert "Child not yet named (born 2026-11-30)  [NAME NOT YET KNOWN" in shown
    people = ok(vault, "case", "show", case_id)["people"]
    assert [(p["display_name"], p["flag"], p["name_unknown"]) for p in people] == [
        ("Maya Okafor", None, False),
        ("Unborn baby (name not yet known)", "NAME NOT YET KNOWN", True),
        ("Child not yet named", "NAME NOT YET KNOWN", True),
    ]
    [listed] = ok(vault, "case", "list")
    assert listed["unnamed_children"] == 2
    assert listed["children"][1:] == ["Unborn baby (name not yet known)", "Child not yet named"]
    assert "[NAME NOT YET KNOWN: 2]" in run(vault, "case", "list").stdout

    named = ok(
        vault, "case", "name", "FB-2026-0101", "Unborn baby (name not yet known)", "--name", "Ada Okafor"
    )
    assert named["name"] == "Ada Okafor"
    people = ok(vault, "case", "show", case_id)["people"]
    assert [(p["display_name"], p["flag"]) for p in people[1:]] == [
        ("Ada Okafor", None),
        ("Child not yet named", "NAME NOT YET KNOWN"),
    ]
    assert people[1]["due_date"] == "2027-02-01"  # naming keeps every other detail
    assert ok(vault, "case", "list")[0]["unnamed_children"] == 1
    with Vault.open(vault, PASS) as v:
        entry = Store(v).audit_entries(1)[0]
    assert (entry.action, entry.object_id, entry.details["was_unnamed"]) == ("name", named["person_id"], True)
    assert "Ada" not in json.dumps(entry.details)  # no names in the audit log


def test_a_child_not_yet_named_can_have_records_and_is_found_by_placeholder(vault: Path) -> None:
    """A record can be written about the unnamed baby, picking it by the name shown."""
    case_id = add_okafors(vault)
    args = ("record", "add", case_id, "--form", "chronology_entry", "--json", "-", "--child")
    ok(vault, *args, "Unborn baby (name not yet known)", stdin="{}")
    shown = ok(vault, "case", "show", case_id)
    baby = shown["people"][1]["id"]
    assert [r["children"] for r in shown["records"]] == [[baby]]


def test_case_add_refuses_muddled_children_naming_the_option(vault: Path) -> None:
    """Kinship care given as a legal status is refused as an arrangement; unknown codes, a name of
    spaces and an option before any child are refused by name, and nothing is created."""
    cases = [
        (["--child", "Tia Adeyemi", "--legal-status", "kinship_care"], "is where the child lives"),
        (["--child", "Tia Adeyemi", "--arrangement", "with_gran"], "Living arrangement: “with_gran”"),
        (["--child", "Tia Adeyemi", "--legal-status", "fostered"], "Legal status: “fostered”"),
        (["--child", "   "], "--child: the name is empty"),
        (["--arrangement", "parents", "--child", "Tia"], "--arrangement: give it after the --child"),
        (["--child", "Tia", "--legal-status", "none", "--legal-status", "adopted"], "given twice for Tia"),
    ]
    for args, message in cases:
        out = run(vault, "case", "add", *args)
        assert out.returncode == 2, (args, out.stdout)
        assert message in out.stderr, (args, out.stderr)
    assert ok(vault, "case", "list") == []


def test_case_show_says_legal_status_and_where_the_child_lives(vault: Path) -> None:
    """Legal status and living arrangement are shown in words, each labelled."""
    add_okafors(vault)
    shown = run(vault, "case", "show", "FB-2026-0101").stdout
    assert "Maya Okafor (born 2017-03-02, legal status: Child protection plan, lives: Kinship care" in shown


def test_case_data_round_trips_unnamed_children_and_arrangements(vault: Path, tmp_path: Path) -> None:
    """export-json then import into another vault keeps the placeholder, the flag, the legal status
    and the arrangement; an older file with kinship care as a legal status imports it as the
    arrangement."""
    case_id = add_okafors(vault)
    exported = tmp_path / "case.json"
    assert run(vault, "case", "export-json", case_id, "--out", str(exported)).returncode == 0
    doc = json.loads(exported.read_text("utf-8"))
    other = tmp_path / "other.fieldbook"
    assert run(other, "init", "--name", "Ana Ruiz", "--role", "DSL", "--agency", "School").returncode == 0
    assert run(other, "case", "import", str(exported)).returncode == 0, "import"
    people = ok(other, "case", "show", case_id)["people"]
    assert [(p["display_name"], p["legal_status"], p["living_arrangement"]) for p in people] == [
        ("Maya Okafor", "child_protection_plan", "kinship_care"),
        ("Unborn baby (name not yet known)", None, None),
        ("Child not yet named", None, None),
    ]

    older = dict(doc)
    older["case"] = {**doc["case"], "id": "0ld0ld00-0000-4000-8000-000000000001"}
    older["case"]["people"] = [
        {k: v for k, v in p.items() if k not in ("living_arrangement", "name_unknown")}
        | {"id": p["id"][:-4] + "0ld0"}
        for p in doc["case"]["people"][:1]
    ]
    older["case"]["people"][0]["legal_status"] = "kinship_care"
    older["case"]["reference"] = "OLD-1"
    older_file = tmp_path / "older.json"
    older_file.write_text(json.dumps(older), "utf-8")
    out = run(other, "case", "import", str(older_file))
    assert out.returncode == 0, out.stderr
    [maya] = ok(other, "case", "show", "OLD-1")["people"]
    assert (maya["legal_status"], maya["living_arrangement"]) == (None, "kinship_care")


def test_packs_show_the_placeholder_and_each_childs_status(vault: Path, tmp_path: Path) -> None:
    """A conference pack's summary page names the newborn "Child not yet named" (never a blank) and
    gives Maya's legal status and where she lives; the pack verifies, its data.json keeps the flag."""
    case_id = add_okafors(vault)
    entry = {
        "date": "2026-11-30",
        "source": "Midwife",
        "event": "Born at home.",
        "impact": "-",
        "significance": "high",
    }
    args = ("record", "add", case_id, "--form", "chronology_entry", "--json", "-", "--final")
    ok(vault, *args, "--child", "Child not yet named", stdin=json.dumps(entry))
    pack, pdf = tmp_path / "p.fbpack", tmp_path / "p.pdf"
    out = run(vault, "export", case_id, "--kind", "conference", "--out", str(pack), "--pdf", str(pdf))
    assert out.returncode == 0, out.stderr
    summary = " ".join(pages(pdf)[0].split())
    assert "Maya Okafor" in summary and "Legal status: Child protection plan; Lives: Kinship care" in summary
    assert "Unborn baby (name not yet known)" in summary and "Child not yet named" in summary
    assert run(vault, "verify", str(pack)).returncode == 0
    with zipfile.ZipFile(pack) as z:
        people = json.loads(z.read("data.json"))["case"]["people"]
    assert [p["name_unknown"] for p in people] == [False, True, True]


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]
