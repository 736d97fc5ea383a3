"""The record service: how a record is created, saved as a draft, finalised and added to.

The desktop editor and ``fieldbook record add`` both come through here, so a record means the
same whichever way it was made: its day-first dates are stored as ISO, it concerns the children
ticked in its form's child picker (which decides whose deadlines it meets), its event date is
derived the same way, and the store writes the same audit entries. A draft is saved whatever
state it is in (a practitioner interrupted mid-visit must not lose a word); only a record that
satisfies its form becomes final, and an attempt that fails changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core.errors import Problem, UsageError, ValidationError
from app.core.forms.spec import FormSpec
from app.core.forms.validate import ValidationContext
from app.core.plaintext import record_text_problems


@dataclass(frozen=True)
class Prepared:
    """A record's data as it will be stored, and what stands between it and being final."""

    data: dict[str, Any]
    children: list[str]
    occurred_at: str | None
    problems: list[Problem]


def validation_context(case: Any, today: date) -> ValidationContext:
    """What validation knows beyond the record: the case's children and people, and today."""
    return ValidationContext(children=case.children, today=today, people=case.people)


def derive_occurred_at(form: FormSpec, data: dict[str, Any]) -> str | None:
    """When the record's event happened: the form's chronology date field, else its first date."""
    candidates: list[str] = []
    chron = form.chronology
    if chron is not None and chron.date_field:
        candidates.append(chron.date_field)
    for f in form.all_fields():
        if f.type in ("date", "datetime", "date_time", "approx_date", "approximate_date"):
            candidates.append(f.key)
    for key in candidates:
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("date")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def picker_fields(form: FormSpec) -> list[Any]:
    """The form's child-picker fields (who the record concerns)."""
    return [f for f in form.all_fields() if f.type == "child_picker"]


def concerned_children(
    form: FormSpec, data: dict[str, Any], case_children: list[str], chosen: list[str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """(data, children): which of the case's children a record concerns.

    A form with a child picker says so itself: the children ticked there, and nobody else (a
    draft with none ticked yet concerns none). ``chosen`` (``record add --child``) fills an empty
    picker, and must agree with a filled one. A form without a picker (a chronology entry)
    concerns the chosen children, else every child of the case.
    """
    pickers = picker_fields(form)
    if not pickers:
        return data, list(dict.fromkeys(chosen)) if chosen else list(case_children)
    picked: list[str] = []
    for f in pickers:
        value = data.get(f.key)
        if isinstance(value, list):
            picked.extend(v for v in value if isinstance(v, str))
    picked = list(dict.fromkeys(picked))
    if chosen:
        chosen = list(dict.fromkeys(chosen))
        if not picked:
            return {**data, pickers[0].key: chosen}, chosen
        if set(chosen) != set(picked):
            raise UsageError(
                f"{pickers[0].label}: the form names other children than the ones chosen; "
                "give the children in one place"
            )
    return data, picked


def prepare(
    store: Any,
    form: FormSpec,
    case_id: str,
    data: dict[str, Any],
    *,
    children: list[str] | None = None,
    occurred_at: str | None = None,
) -> Prepared:
    """Normalise ``data`` for ``form``, decide whom it concerns and when, and validate it."""
    from app.core.forms import validate
    from app.core.forms.dates import normalise_record

    if not isinstance(data, dict):
        raise ValidationError("Record data: must be an object of field values")
    # Refused even in a draft: a control character is never what the practitioner meant to keep.
    text_problems = record_text_problems(form, data)
    if text_problems:
        raise ValidationError(text_problems, context="Nothing was saved")
    case = store.get_case(case_id)
    data = normalise_record(form, data)  # 20/11/2026 typed or in a JSON file: stored as ISO
    data, kids = concerned_children(form, data, [c.id for c in case.children], children)
    problems = list(validate(form, data, validation_context(case, store.vault.clock.today())))
    return Prepared(data, kids, occurred_at or derive_occurred_at(form, data), problems)


def _write(store: Any, form: FormSpec, case_id: str, record_id: str | None, ready: Prepared) -> str:
    from app.core.forms.types import record_words

    words = record_words(form.all_fields(), ready.data)  # what search finds besides the raw values
    if record_id is None:
        return str(
            store.create_record(
                case_id, form.id, form.version, ready.data, ready.children, ready.occurred_at, words=words
            )
        )
    store.update_draft(record_id, ready.data, ready.children, ready.occurred_at, words=words)
    return record_id


def save_draft(
    store: Any,
    form: FormSpec,
    case_id: str,
    data: dict[str, Any],
    *,
    record_id: str | None = None,
    children: list[str] | None = None,
    occurred_at: str | None = None,
) -> tuple[str, list[Problem]]:
    """Create (``record_id`` None) or update a draft, valid or not; (record id, problems)."""
    ready = prepare(store, form, case_id, data, children=children, occurred_at=occurred_at)
    return _write(store, form, case_id, record_id, ready), ready.problems


def finalise(
    store: Any,
    form: FormSpec,
    case_id: str,
    data: dict[str, Any],
    *,
    record_id: str | None = None,
    children: list[str] | None = None,
    occurred_at: str | None = None,
) -> str:
    """Save ``data`` and make the record final in one transaction; returns its id.

    Raises ``ValidationError`` naming each field when the data does not satisfy the form; then
    nothing is written (an existing draft stays as it was last saved).
    """
    ready = prepare(store, form, case_id, data, children=children, occurred_at=occurred_at)
    if ready.problems:
        raise ValidationError(ready.problems, context="Not finalised")
    with store.transaction():
        record_id = _write(store, form, case_id, record_id, ready)
        store.finalise(record_id)
    return record_id


def add_record(
    store: Any,
    registry: Any,
    case_id: str,
    form_id: str,
    data: dict[str, Any],
    *,
    children: list[str] | None = None,
    occurred_at: str | None = None,
    final: bool = False,
    form_version: int | None = None,
) -> tuple[str, list[Problem]]:
    """A new record of the registry's form: a draft (with its problems), or final when asked
    (``ValidationError`` and nothing saved if it is not valid)."""
    form = registry.get(form_id, form_version)
    if final:
        return finalise(store, form, case_id, data, children=children, occurred_at=occurred_at), []
    return save_draft(store, form, case_id, data, children=children, occurred_at=occurred_at)


def finalise_record(store: Any, registry: Any, record_id: str) -> str:
    """Finalise a stored draft as it is; raises ``ValidationError`` naming each field."""
    record = store.get_record(record_id)
    form = registry.get(record.form_id, record.form_version)
    # A form without a child picker keeps the children the draft was saved with.
    kept = None if picker_fields(form) else record.children
    return finalise(
        store,
        form,
        record.case_id,
        record.data,
        record_id=record_id,
        children=kept,
        occurred_at=record.occurred_at,
    )


def add_addendum(store: Any, record_id: str, reason: str, text: str) -> str:
    """Add to (or correct) a final record; returns the addendum's id.

    Arguments are checked for type because a button's ``clicked(bool)`` once arrived as the
    reason: anything but text is refused with a message, never stored or crashed on.
    """
    for value, name in ((record_id, "Record"), (reason, "Reason"), (text, "Addendum")):
        if not isinstance(value, str):
            raise UsageError(f"{name}: expected text, not {type(value).__name__}")
    return str(store.add_addendum(record_id, reason, text))
