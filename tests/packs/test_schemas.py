"""The published format's JSON Schemas (2020-12): a real pack, its review and every record validate
with `jsonschema`; per-form record schemas are generated from forms/*.toml and kept up to date; a
record that breaks its form fails `fieldbook verify` and `case import`."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from app.core.clock import FixedClock
from app.core.forms import load_registry
from app.core.forms.record_schemas import published_text, record_problems, schema_name
from app.core.packs.build import BuiltPack, PackContent, build_pack
from app.core.packs.review import add_review
from app.core.packs.verify import verify_bytes
from app.core.paths import resource
from tests.packs.conftest import NOW, People
from tests.packs.helpers import renderer
from tests.packs.sample import sample_case


def schema(name: str) -> jsonschema.Draft202012Validator:
    doc = json.loads(resource("schemas", name).read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(doc)
    return jsonschema.Draft202012Validator(doc)


def errors(validator: jsonschema.Draft202012Validator, doc: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def chronology_case() -> dict[str, Any]:
    """A sibling-group case with a child's-voice record and two final chronology entries (fictional)."""
    case_data, _attachments, _lines = sample_case(0)
    case_data["attachments"] = []
    voice = case_data["case"]["records"][0]
    for key in ("drawing", "injuries", "participants"):  # sample rendering extras, not in the form
        voice["data"].pop(key)
    entries = [
        {
            **{
                k: voice[k]
                for k in ("status", "children", "created_at", "updated_at", "finalised_at", "author")
            },
            "id": f"ch{i}",
            "form_id": "chronology_entry",
            "form_version": 1,
            "occurred_at": day,
            "content_hash": None,
            "addenda": [],
            "data": {
                "date": day,
                "source": "Northshire Primary School",
                "event": event,
                "significance": "high",
            },
        }
        for i, (day, event) in enumerate(
            [("2026-11-02", "Maya arrived hungry"), ("2026-11-09", "Bruise seen on Maya's arm")]
        )
    ]
    case_data["case"]["records"] = [voice, *entries]
    return case_data


def build(people: People, case_data: dict[str, Any]) -> BuiltPack:
    return build_pack(
        PackContent("referral", case_data, {}, [("chronology_entry", 1)]),
        people.author,
        clock=FixedClock(NOW),
        render_pdf=renderer(case_data),
    )


@pytest.fixture(scope="module")
def reviewed(people: People) -> dict[str, bytes]:
    """The entries of a countersigned pack."""
    pack = build(people, chronology_case())
    out = add_review(pack.data, people.manager, decision="approve", comment="Clear", clock=FixedClock(NOW))
    z = zipfile.ZipFile(io.BytesIO(out))
    return {n: z.read(n) for n in z.namelist()}


def test_pack_files_validate_against_the_published_schemas(reviewed: dict[str, bytes]) -> None:
    """manifest.json, data.json, review/review.json and review/manifest.json each fit their schema."""
    for entry, name in [
        ("manifest.json", "manifest.schema.json"),
        ("data.json", "case-data.schema.json"),
        ("review/review.json", "review.schema.json"),
        ("review/manifest.json", "review-manifest.schema.json"),
    ]:
        assert errors(schema(name), json.loads(reviewed[entry])) == [], entry


def test_schemas_refuse_what_the_verifier_refuses(reviewed: dict[str, bytes]) -> None:
    """A manifest with an unknown kind or a short hash, or a review with another decision, fails."""
    manifest = json.loads(reviewed["manifest.json"])
    bad = copy.deepcopy(manifest)
    bad["kind"] = "gossip"
    bad["files"][0]["sha256"] = "abc"
    assert len(errors(schema("manifest.schema.json"), bad)) == 2
    review = json.loads(reviewed["review/review.json"])
    assert errors(schema("review.schema.json"), {**review, "decision": "maybe"})


def test_every_record_fits_its_published_form_schema(reviewed: dict[str, bytes]) -> None:
    """Each record's data validates against resources/schemas/records/<form>.v<N>.schema.json."""
    data = json.loads(reviewed["data.json"])
    for rec in data["case"]["records"]:
        validator = schema(f"records/{schema_name(rec['form_id'], rec['form_version'])}")
        assert errors(validator, rec["data"]) == []


def test_published_record_schemas_match_the_forms() -> None:
    """The files in resources/schemas/records are what the generator makes from forms/*.toml now."""
    registry = load_registry()
    for form in registry.all():
        path = resource("schemas", "records", schema_name(form.id, form.version))
        assert path.exists(), f"run python -m app.core.forms.record_schemas ({path.name} missing)"
        assert path.read_text("utf-8") == published_text(form), f"{path.name} is out of date"


def test_catastrophic_unsourced_entry_fails_schema_and_verify(people: People) -> None:
    """A chronology entry with significance "catastrophic" and no source fails its form schema, and a
    pack carrying it fails `verify` with the field named."""
    case_data = chronology_case()
    entry = case_data["case"]["records"][1]["data"]
    entry["significance"] = "catastrophic"
    entry.pop("source", None)
    problems, unknown = record_problems(case_data, load_registry())
    assert unknown == [] and len(problems) == 2
    assert any("source is required" in p for p in problems)
    assert any("catastrophic" in p and "Significance" in p for p in problems)
    report = verify_bytes(build(people, case_data).data, [people.author.cert], now=NOW)
    failed = {c.id: c.detail for c in report.checks if not c.passed}
    assert report.status == "invalid" and "catastrophic" in failed["records"]


def test_case_import_refuses_a_draft_that_breaks_its_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`case import` checks drafts' data per form too (the forms engine checks final records)."""
    from app.cli import main

    monkeypatch.setenv("FIELDBOOK_PASSPHRASE", "plum otter lantern quietly 62")
    vault = str(tmp_path / "v.fieldbook")
    assert main(["--vault", vault, "init", "--name", "Sam Carter", "--role", "SW", "--agency", "N"]) == 0
    case_data = chronology_case()
    rec = case_data["case"]["records"][1]
    rec["status"] = "draft"
    rec["data"]["significance"] = "catastrophic"
    (tmp_path / "case.json").write_text(json.dumps(case_data), "utf-8")
    capsys.readouterr()
    code = main(["--vault", vault, "case", "import", str(tmp_path / "case.json")])
    out = capsys.readouterr()
    assert code == 2 and "catastrophic" in out.out + out.err


def test_forms_schemas_command_writes_one_valid_schema_per_form(tmp_path: Path) -> None:
    """`fieldbook forms schemas --out DIR` writes every form's schema, each a valid 2020-12 schema."""
    from app.cli import main

    assert main(["forms", "schemas", "--out", str(tmp_path / "schemas")]) == 0
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == sorted(schema_name(f.id, f.version) for f in load_registry().all())
    for name in written:
        jsonschema.Draft202012Validator.check_schema(
            json.loads((tmp_path / "schemas" / name).read_text("utf-8"))
        )
