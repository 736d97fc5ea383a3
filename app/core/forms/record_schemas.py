"""JSON Schemas (2020-12) for record data, generated from the form definitions (``forms/*.toml``).

One schema per form id and version, for the ``data`` of a final record: each field's shape, its
choices (or code list), length and number limits, and the fields a final record must fill in. A
draft is checked against the same schema without the required list. Conditional rules (``show_if``,
``required_if``, "not in the future", "after another date") are the forms engine's
(``app.core.forms.validate``), which ``case import`` also runs; the schemas are what a receiver
without Fieldbook can check with any JSON Schema validator (``resources/schemas/records/``).

``python -m app.core.forms.record_schemas`` rewrites the published files from the built-in forms
(a test fails when they are out of date); ``fieldbook [--forms DIR] forms schemas --out DIR`` writes
them for a local authority's own forms too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.core.forms.spec import FieldSpec, FormSpec
from app.core.forms.types import NOT_BLANK

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://fieldbook.invalid/schemas/records/"


def schema_name(form_id: str, version: int) -> str:
    return f"{form_id}.v{version}.schema.json"


def value_schema(f: FieldSpec) -> dict[str, Any]:
    """The shape of one field's (non-empty) value: its type's own (``app.core.forms.types``)."""
    return f.kind.schema(f)


def _empty() -> dict[str, Any]:
    # What an unfilled field holds (see ``app.core.forms.types.is_blank``).
    blank = {"type": "string", "pattern": r"^\s*$"}
    return {"anyOf": [{"type": "null"}, blank, {"const": []}, {"const": {}}]}


def _object(fields: tuple[FieldSpec, ...] | list[FieldSpec], *, final: bool) -> dict[str, Any]:
    props: dict[str, Any] = {}
    required: list[str] = []
    for f in fields:
        value = value_schema(f)
        must = final and f.required and not f.show_if and not f.required_if
        if must:
            required.append(f.key)
            if f.type in ("text", "long_text", "date", "date_time", "choice"):
                value = {"allOf": [value, {"type": "string", "pattern": NOT_BLANK}]}
            elif value.get("type") == "array":
                value = {**value, "minItems": 1}
            props[f.key] = value
        else:
            props[f.key] = {"anyOf": [value, _empty()]}
    # Keys the form does not define are left alone, as the forms engine leaves them (they are
    # neither checked nor shown as fields).
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out


def row_schema(columns: tuple[FieldSpec, ...]) -> dict[str, Any]:
    """The schema of one table row: its columns, each required one filled in."""
    return _object(columns, final=True)


def form_schema(form: FormSpec, *, final: bool = True) -> dict[str, Any]:
    """The JSON Schema of a record's ``data`` for ``form`` (a final record unless ``final=False``)."""
    body = _object(form.all_fields(), final=final)
    return {
        "$schema": DRAFT_2020_12,
        "$id": BASE_ID + schema_name(form.id, form.version),
        "title": f"{form.title} (form {form.id}, version {form.version}): data of a final record",
        "description": "Generated from forms/"
        f"{form.id}/v{form.version}.toml. Drafts: the same without `required`. Conditional rules are "
        "checked by Fieldbook's forms engine.",
        **body,
    }


_VALIDATORS: dict[tuple[str, int, str, bool], Any] = {}


def _validator(form: FormSpec, final: bool) -> Any:
    key = (form.id, form.version, form.origin, final)
    if key not in _VALIDATORS:
        import jsonschema

        _VALIDATORS[key] = jsonschema.Draft202012Validator(form_schema(form, final=final))
    return _VALIDATORS[key]


def record_problems(case_data: Any, registry: Any, withheld: Any = None) -> tuple[list[str], list[str]]:
    """Every record's data checked against its form's schema: (problems, forms not known here).

    A record whose form id and version the registry does not hold (a local authority's own form)
    is listed, not failed: the verifier cannot know its fields. ``withheld`` is a parent's copy's
    manifest entry: the fields it names as left out may be missing, even when required.
    """
    fields = withheld.get("fields") if isinstance(withheld, dict) else None
    left_out = {(f.get("form_id"), f.get("field")) for f in fields or [] if isinstance(f, dict)}
    from app.core.errors import NotFound

    problems: list[str] = []
    unknown: set[str] = set()
    case = case_data.get("case") if isinstance(case_data, dict) else None
    records = case.get("records") if isinstance(case, dict) else None
    for i, rec in enumerate(records if isinstance(records, list) else []):
        if not isinstance(rec, dict):
            continue
        form_id, version = rec.get("form_id"), rec.get("form_version")
        try:
            form = registry.get(form_id, version)
        except NotFound:
            unknown.add(f"{form_id} v{version}")
            continue
        validator = _validator(form, rec.get("status") == "final")
        errs = [e for e in validator.iter_errors(rec.get("data")) if not _left_out(e, form_id, left_out)]
        for err in sorted(errs, key=lambda e: list(e.absolute_path))[:3]:
            where = ".".join(str(p) for p in err.absolute_path)
            field = form.field(str(err.absolute_path[0])) if err.absolute_path else None
            label = f"{field.label} ({where})" if field else where or "its data"
            problems.append(f"record {i + 1} ({form.title} v{form.version}), {label}: {_message(err)}")
    return list(dict.fromkeys(problems)), sorted(unknown)


def _left_out(err: Any, form_id: Any, left_out: set[tuple[Any, Any]]) -> bool:
    """Whether ``err`` only says that fields a parent's copy left out are missing."""
    if err.validator != "required" or err.absolute_path:
        return False
    missing = [k for k in err.validator_value if k not in (err.instance or {})]
    return bool(missing) and all((form_id, k) in left_out for k in missing)


def check_records(case_data: Any, registry: Any = None, withheld: Any = None) -> tuple[bool, str]:
    """For the verifier: whether every record's data matches its form's schema, and why not.

    ``registry`` defaults to the built-in forms; records on forms it does not hold are named.
    """
    if registry is None:
        registry = _builtin_registry()
    problems, unknown = record_problems(case_data, registry, withheld)
    notes = problems[:5] + [f"and {len(problems) - 5} more"] * (len(problems) > 5)
    if unknown:
        notes.append(f"not checked (forms unknown here): {', '.join(unknown)}")
    return not problems, "; ".join(dict.fromkeys(notes))


_REGISTRY: list[Any] = []


def _builtin_registry() -> Any:
    if not _REGISTRY:
        from app.core.forms import load_registry

        _REGISTRY.append(load_registry())
    return _REGISTRY[0]


def _message(err: Any) -> str:
    """A validator's error in a few plain words."""
    if err.validator == "required":
        missing = [k for k in err.validator_value if k not in (err.instance or {})]
        return f"{', '.join(missing)} is required but missing" if missing else "a required field is missing"
    if err.validator == "additionalProperties":
        return "holds a field the form does not have"
    if err.validator == "anyOf":
        enum = next((s for s in err.schema["anyOf"] if "enum" in s), None)
        if enum is not None:
            return f"“{err.instance}” is not one of {', '.join(map(str, enum['enum']))}"
        return f"“{str(err.instance)[:60]}” is not a valid value for this field"
    if err.validator == "enum":
        return f"“{err.instance}” is not one of {', '.join(map(str, err.validator_value))}"
    return str(err.message)[:200]


def write_schemas(registry: Any, folder: Path) -> list[Path]:
    """Write one schema file per form version into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for form in registry.all():
        path = folder / schema_name(form.id, form.version)
        path.write_text(published_text(form), "utf-8")
        written.append(path)
    return written


def published_text(form: FormSpec) -> str:
    """The schema file's text: canonical, indented for people reading it."""
    return json.dumps(form_schema(form), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    from app.core.forms import load_registry
    from app.core.paths import resource

    for p in write_schemas(load_registry(), resource("schemas", "records")):
        print(p)
