"""A parent's copy (`export --kind parents`): its own signed pack kind without what the forms or the
practitioner mark "not for the family" — strategy discussion minutes (with a third party's police
caution), the referrer's contact details, records the practitioner withholds — checked in the PDF
text (pdftotext), in data.json, and in the signed manifest's list of what was left out."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from app.cli import main
from app.core.paths import resource
from tests.packs.helpers import need_tool

PASS = "plum otter lantern quietly 62"
CAUTION = "caution for assault"  # the police's information about a third party (strategy minutes)
REFERRER_CONTACT = "dsl@st-aidans.example"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Sam Carter's vault with the demo case, and the case's records by form."""
    mp = pytest.MonkeyPatch()
    mp.setenv("FIELDBOOK_PASSPHRASE", PASS)
    d = tmp_path_factory.mktemp("parents")
    vault = str(d / "sam.fieldbook")
    assert (
        main(["--vault", vault, "init", "--name", "Sam Carter", "--role", "SW", "--agency", "Northshire"])
        == 0
    )
    assert main(["--vault", vault, "demo"]) == 0
    assert main(["--vault", vault, "case", "export-json", "FB-2026-0042", "--out", str(d / "case.json")]) == 0
    records = json.loads((d / "case.json").read_text("utf-8"))["case"]["records"]
    yield {"vault": vault, "dir": d, "records": records}
    mp.undo()


def export(
    capsys: pytest.CaptureFixture[str], demo: dict[str, Any], name: str, *extra: str
) -> dict[str, Any]:
    out, pdf = demo["dir"] / f"{name}.fbpack", demo["dir"] / f"{name}.pdf"
    code, text = run(capsys, "--vault", demo["vault"], "export", "FB-2026-0042", "--out", str(out),
                     "--pdf", str(pdf), *extra)  # fmt: skip
    assert code == 0, text
    z = zipfile.ZipFile(io.BytesIO(out.read_bytes()))
    pdf_text = subprocess.run([need_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True).stdout
    return {
        "said": text,
        "file": out,
        "manifest": json.loads(z.read("manifest.json")),
        "data": z.read("data.json").decode("utf-8"),
        "pdf": " ".join(pdf_text.split()),  # words as read, whatever the line breaks
    }


def ids(demo: dict[str, Any], form_id: str) -> list[str]:
    return [r["id"] for r in demo["records"] if r["form_id"] == form_id and r["status"] == "final"]


def test_parents_copy_leaves_out_what_is_not_for_the_family(
    demo: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing withheld is in the PDF or data.json; the conference report is; the signed manifest
    says what was left out and why; the pack verifies as its own kind."""
    conference = export(capsys, demo, "conference", "--kind", "conference")
    assert CAUTION in conference["pdf"]  # the chair's pack still carries the minutes
    parents = export(capsys, demo, "parents", "--kind", "parents")
    pdf = parents["pdf"]
    assert "Parent's copy of the report to a child protection conference" in pdf
    assert "What are we worried about" in pdf  # the conference report itself
    assert "Not in this copy: strategy discussion minutes; the referrer's identity." in pdf
    for withheld in (CAUTION, REFERRER_CONTACT):
        assert withheld not in pdf and withheld not in parents["data"]
    assert "strategy_discussion" not in parents["data"] and "referrer_name" not in parents["data"]
    manifest = parents["manifest"]
    assert manifest["kind"] == "parents"
    assert {r["form_id"] for r in manifest["withheld"]["records"]} == {"strategy_discussion"}
    assert {(f["form_id"], f["field"]) for f in manifest["withheld"]["fields"]} == {
        ("referral", "referrer_contact"),
        ("referral", "referrer_name"),
    }
    assert "Withheld from the family" in parents["said"]
    schema = json.loads(resource("schemas", "manifest.schema.json").read_text("utf-8"))
    jsonschema.validate(manifest, schema, cls=jsonschema.Draft202012Validator)
    code, text = run(capsys, "--vault", demo["vault"], "verify", str(parents["file"]))
    assert code == 0, text
    assert "(parents)" in text
    from app.core.store import Store, Vault

    vault = Vault.open(demo["vault"], PASS)
    try:
        logged = [e for e in Store(vault).audit_entries(50) if e.action == "export"]
        share = next(e for e in logged if e.details["pack_id"] == manifest["pack_id"])
    finally:
        vault.close()
    assert share.details["kind"] == "parents" and share.details["withheld"] == manifest["withheld"]


def test_practitioner_withholds_a_record_and_shares_minutes_on_purpose(
    demo: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """--withhold keeps one record back (its words are gone); --share includes strategy minutes."""
    concern = next(r for r in demo["records"] if r["form_id"] == "concern" and r["status"] == "final")
    seen = concern["data"]["what_seen"]
    assert seen.split(".")[0] in export(capsys, demo, "all", "--kind", "parents")["pdf"]
    shared = export(capsys, demo, "shared", "--kind", "parents", "--withhold", concern["id"][:8],
                    "--share", ",".join(ids(demo, "strategy_discussion")))  # fmt: skip
    pdf = shared["pdf"]
    assert seen.split(".")[0] not in pdf and seen not in shared["data"]
    assert CAUTION in pdf
    assert shared["manifest"]["withheld"]["records"] == [
        {"form_id": "concern", "reason": "withheld by the practitioner"}
    ]


def test_withhold_outside_a_parents_copy_is_bad_usage(
    demo: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """--withhold on a conference pack, or naming no such record, is refused with the option named."""
    out = str(demo["dir"] / "x.fbpack")
    code, text = run(capsys, "--vault", demo["vault"], "export", "FB-2026-0042", "--kind", "conference",
                     "--out", out, "--withhold", "abc")  # fmt: skip
    assert code == 2 and "Withhold: it applies only to a parent's copy" in text
    code, text = run(capsys, "--vault", demo["vault"], "export", "FB-2026-0042", "--kind", "parents",
                     "--out", out, "--withhold", "nosuchrecord")  # fmt: skip
    assert code == 2 and "Withhold: nosuchrecord" in text
    assert not Path(out).exists()
