"""Case data JSON (``fieldbook-case/1``): one structure for export, import and a pack's data.json.

Import validates everything first (JSON hazards, the schema, every record against its form,
references between records, people and attachments, attachment hashes) and then writes the whole
case in one transaction, or nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import fields
from functools import lru_cache
from typing import Any

from app import __version__
from app.core.clock import iso_now
from app.core.errors import Problem, ValidationError
from app.core.jsonio import JsonLimits, loads
from app.core.paths import resource
from app.core.store.models import PersonIn

FORMAT = "fieldbook-case/1"
MAX_BYTES = 200 * 1024 * 1024
MAX_DEPTH = 32
MAX_STRING = 1_000_000
MAX_ATTACHMENT = 100 * 1024 * 1024  # one photo or file (SECURITY.md import limits: entry ≤ 100 MB)
# A person is carried with exactly the fields it is entered with, so a new one is never lost.
PERSON_FIELDS = tuple(f.name for f in fields(PersonIn))


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return dict(json.loads(resource("schemas", "case-data.schema.json").read_text("utf-8")))


def _record_json(rec: Any) -> dict[str, Any]:
    return {
        "id": rec.id,
        "form_id": rec.form_id,
        "form_version": rec.form_version,
        "status": rec.status,
        "children": list(rec.children),
        "occurred_at": rec.occurred_at,
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "finalised_at": rec.finalised_at,
        "author": dict(rec.author),
        "content_hash": rec.content_hash,
        "data": rec.data,
        "addenda": [
            {
                "id": a.id,
                "created_at": a.created_at,
                "author": dict(a.author),
                "reason": a.reason,
                "text": a.text,
                "content_hash": a.content_hash,
            }
            for a in rec.addenda
        ],
    }


def _in_range(rec: Any, date_from: str | None, date_to: str | None) -> bool:
    day = (rec.occurred_at or rec.created_at or "")[:10]
    return not ((date_from and day < date_from) or (date_to and day > date_to))


def export_case(
    store: Any,
    case_id: str,
    *,
    record_ids: list[str] | None = None,
    include_drafts: bool = False,
    date_from: str | None = None,
    date_to: str | None = None,
    attachments: str = "inline",
) -> dict[str, Any]:
    """The case as ``fieldbook-case/1``; attachments inline (base64) or as pack paths."""
    case = store.get_case(case_id)
    records = []
    for rec in store.list_records(case_id):
        if rec.status == "draft" and not include_drafts:
            continue
        if record_ids is not None and rec.id not in record_ids:
            continue
        if not _in_range(rec, date_from, date_to):
            continue
        records.append(rec)
    shas: list[str] = []
    from app.core.store.values import attachment_refs

    for rec in records:
        for sha in sorted(attachment_refs(rec.data)):
            if sha not in shas:
                shas.append(sha)
    atts = []
    for sha in shas:
        att = store.get_attachment(sha)
        item: dict[str, Any] = {
            "sha256": att.sha256,
            "media_type": att.media_type,
            "size": att.size,
            "filename": att.filename,
        }
        if attachments == "inline":
            item["data_base64"] = base64.b64encode(att.data).decode("ascii")
        else:
            item["path"] = f"attachments/{att.sha256}"
        atts.append(item)
    return {
        "format": FORMAT,
        "exported_at": iso_now(store.vault.clock),
        "app_version": __version__,
        "case": {
            "id": case.id,
            "reference": case.reference,
            "created_at": case.created_at,
            "people": [p.to_json() for p in case.people],
            "records": [_record_json(r) for r in records],
        },
        "attachments": atts,
    }


# --- reading untrusted JSON ------------------------------------------------------------------

# A whole case with its photos: larger than a pack's JSON files, same depth and string limits,
# except that a photo's base64 text may be as long as a 100 MB attachment needs.
CASE_JSON_LIMITS = JsonLimits(
    max_bytes=MAX_BYTES,
    max_depth=MAX_DEPTH,
    max_string=MAX_STRING,
    long_string_keys=frozenset({"data_base64"}),
    max_long_string=4 * -(-MAX_ATTACHMENT // 3),
)
# Person fields that may hold several lines; every other text of a person is one line.
MULTILINE_PERSON_FIELDS = ("notes", "contact")


def check_schema(doc: Any) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))[:20]:
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        out.append(f"{where}: {err.message[:200]}")
    return out


def import_case(store: Any, registry: Any, doc_bytes: bytes | str) -> str:
    """Validate a whole case, then write it in one transaction; returns the case id."""
    from app.core.forms import ValidationContext, validate
    from app.core.store.values import attachment_refs

    doc = loads(doc_bytes, what="Case data", limits=CASE_JSON_LIMITS)
    problems = check_schema(doc)
    if problems:
        raise ValidationError([Problem("", "Case data", p) for p in problems])
    case = doc["case"]
    people = case["people"]
    ids = [p["id"] for p in people]
    if len(set(ids)) != len(ids):
        raise ValidationError("Case data: two people share one id")
    children = [p for p in people if p["kind"] == "child"]
    if not children:
        raise ValidationError("Case data: the case has no child")
    child_ids = {p["id"] for p in children}
    text_problems = _text_problems(case, registry)
    if text_problems:
        raise ValidationError(text_problems, context="Nothing was imported")
    att_data: dict[str, tuple[bytes, str, str]] = {}
    for a in doc.get("attachments", []):
        if "data_base64" not in a:
            raise ValidationError(f"Attachment {a['sha256'][:12]}…: its data is missing")
        try:
            data = base64.b64decode(a["data_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(f"Attachment {a['sha256'][:12]}…: not valid base64") from None
        if hashlib.sha256(data).hexdigest() != a["sha256"].lower():
            raise ValidationError(f"Attachment {a['filename']}: its content does not match its SHA-256")
        att_data[a["sha256"].lower()] = (data, a["media_type"], a["filename"])
    record_problems: list[Problem] = []
    record_ids = set()
    for i, rec in enumerate(case["records"]):
        if rec["id"] in record_ids:
            raise ValidationError(f"Record {i + 1}: its id is used twice")
        record_ids.add(rec["id"])
        form = registry.get(rec["form_id"], rec["form_version"])
        bad = [c for c in rec["children"] if c not in child_ids]
        if bad:
            record_problems.append(
                Problem("children", f"Record {i + 1} ({form.title})", "names a child who is not in the case")
            )
        for sha in attachment_refs(rec["data"]):
            if sha not in att_data:
                record_problems.append(
                    Problem(
                        "",
                        f"Record {i + 1} ({form.title})",
                        f"refers to attachment {sha[:12]}… which is not in the file",
                    )
                )
        if rec["status"] == "final":
            ctx = ValidationContext(children=children, today=store.vault.clock.today())
            for p in validate(form, rec["data"], ctx):
                record_problems.append(
                    Problem(p.field, f"Record {i + 1} ({form.title}), {p.label}", p.message)
                )
    if not record_problems:  # the forms engine's messages come first; then each record's schema
        from app.core.forms.record_schemas import record_problems as schema_problems

        record_problems = [Problem("", "Record data", p) for p in schema_problems(doc, registry)[0]]
    if record_problems:
        raise ValidationError(record_problems, context="Nothing was imported")
    with store.transaction():
        if store.conn.execute("SELECT 1 FROM cases WHERE id = ?", (case["id"],)).fetchone():
            raise ValidationError(
                "Case data: this case is already in this vault (same id); nothing was imported"
            )
        taken = [r["id"] for r in case["records"] if _exists(store, "records", r["id"])]
        if taken:
            more = f" (and {len(taken) - 1} more)" if len(taken) > 1 else ""
            raise ValidationError(
                f"Case data: record {taken[0]}{more} is already in this vault; nothing was imported"
            )
        people_taken = [p for p in people if _exists(store, "people", p["id"])]
        if people_taken:
            raise ValidationError(
                f"Case data: person {people_taken[0]['id']} is already in another case in this vault "
                "(two cases cannot share a person's id); nothing was imported"
            )
        ordered = children + [p for p in people if p["kind"] != "child"]
        ins = [_person_in(p) for p in ordered]
        new_case = store.create_case(
            case.get("reference"),
            ins[: len(children)],
            ins[len(children) :],
            case_id=case["id"],
            person_ids=[p["id"] for p in ordered],
        )
        for data, media, name in att_data.values():
            store.put_attachment(data, media, name)
        for rec in case["records"]:
            store.import_record(new_case, rec)
        store.audit("import", "case", new_case, {"records": len(case["records"])})
    return str(new_case)


def _person_in(p: dict[str, Any]) -> Any:
    """A person from case data; an older file's arrangement-as-legal-status (kinship care, birth
    family, private fostering) becomes the living arrangement, as the vault's migration does."""
    from app.core.store.schema import ARRANGEMENT_FROM_V3

    vals: dict[str, Any] = {k: p.get(k) for k in PERSON_FIELDS}
    vals["name_unknown"] = bool(vals["name_unknown"])
    if vals["legal_status"] in ARRANGEMENT_FROM_V3:
        vals["living_arrangement"] = vals["living_arrangement"] or ARRANGEMENT_FROM_V3[vals["legal_status"]]
        vals["legal_status"] = None
    return PersonIn(**vals)


_EXISTS = {
    "records": "SELECT 1 FROM records WHERE id = ?",
    "people": "SELECT 1 FROM people WHERE id = ?",
}


def _exists(store: Any, table: str, row_id: str) -> bool:
    return bool(store.conn.execute(_EXISTS[table], (row_id,)).fetchone())


def _text_problems(case: dict[str, Any], registry: Any) -> list[Problem]:
    """Control characters anywhere in the case's text, each named by where it is: the reference,
    a person's field, a record's field (by its form's label), an addendum."""
    from app.core.plaintext import control_problem, record_text_problems

    problems: list[Problem] = []

    def check(value: Any, field: str, label: str, *, multiline: bool = False) -> None:
        why = control_problem(value, multiline=multiline) if isinstance(value, str) else None
        if why:
            problems.append(Problem(field, label, why))

    check(case.get("reference"), "reference", "Case reference")
    for i, person in enumerate(case["people"]):
        for key in PERSON_FIELDS:
            check(person.get(key), key, f"Person {i + 1}, {key}", multiline=key in MULTILINE_PERSON_FIELDS)
    for i, rec in enumerate(case["records"]):
        form = registry.get(rec["form_id"], rec["form_version"])
        for p in record_text_problems(form, rec["data"]):
            problems.append(Problem(p.field, f"Record {i + 1} ({form.title}), {p.label}", p.message))
        for j, add in enumerate(rec.get("addenda") or []):
            check(add.get("reason"), "reason", f"Record {i + 1}, addendum {j + 1}, reason")
            check(add.get("text"), "text", f"Record {i + 1}, addendum {j + 1}, text", multiline=True)
    return problems
