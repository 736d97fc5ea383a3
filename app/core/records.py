"""Records as a practitioner makes them: validated against their form, never lost.

The glue between the forms engine and the store. A draft is saved whatever state it is in (a
practitioner interrupted mid-visit must not lose a word); only a record that satisfies its form
can become final.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.core.errors import Problem, ValidationError


def _context(store: Any, case_id: str) -> Any:
    from app.core.forms import ValidationContext

    case = store.get_case(case_id)
    today: date = store.vault.clock.today()
    try:
        return ValidationContext(children=case.children, today=today, people=case.people)
    except TypeError:  # an engine whose context takes only children and today
        return ValidationContext(children=case.children, today=today)


def derive_occurred_at(form: Any, data: dict[str, Any]) -> str | None:
    """When the record's event happened: the form's chronology date field, else its first date."""
    candidates: list[str] = []
    chron = getattr(form, "chronology", None)
    key = getattr(chron, "date_field", None) if chron is not None else None
    if key:
        candidates.append(key)
    for f in form.all_fields():
        if getattr(f, "type", "") in ("date", "datetime", "date_time", "approx_date", "approximate_date"):
            candidates.append(f.key)
    for key in candidates:
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("date")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def validate_record(
    store: Any,
    registry: Any,
    case_id: str,
    form_id: str,
    data: dict[str, Any],
    *,
    form_version: int | None = None,
) -> list[Problem]:
    from app.core.forms import validate

    form = registry.get(form_id, form_version)
    return list(validate(form, data, _context(store, case_id)))


def add_record(
    store: Any,
    registry: Any,
    case_id: str,
    form_id: str,
    data: dict[str, Any],
    *,
    children: list[str],
    occurred_at: str | None = None,
    final: bool = False,
    form_version: int | None = None,
) -> tuple[str, list[Problem]]:
    """Save a record as a draft (always), and finalise it when asked and valid.

    Returns (record id, problems). With ``final=True`` and problems, the draft is kept and the
    problems are returned so the caller can say the record was not finalised.
    """
    from app.core.forms import validate
    from app.core.forms.dates import normalise_record

    form = registry.get(form_id, form_version)
    data = normalise_record(form, data)  # 20/11/2026 from a JSON file, as in the app
    problems = list(validate(form, data, _context(store, case_id)))
    occurred = occurred_at or derive_occurred_at(form, data)
    with store.transaction():
        record_id = store.create_record(case_id, form.id, form.version, data, children, occurred)
        if final and not problems:
            store.finalise(record_id)
    return record_id, problems


def finalise_record(store: Any, registry: Any, record_id: str) -> str:
    """Finalise a draft if it satisfies its form; raises ``ValidationError`` naming each field."""
    from app.core.forms import validate

    record = store.get_record(record_id)
    form = registry.get(record.form_id, record.form_version)
    problems = list(validate(form, record.data, _context(store, record.case_id)))
    if problems:
        raise ValidationError(problems, context="The record is still a draft")
    return str(store.finalise(record_id))
