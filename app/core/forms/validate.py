"""Validation of a record against its form, and practice prompts, in the practitioner's words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.core.errors import Problem
from app.core.forms.conditions import describe, field_state, holds
from app.core.forms.spec import FieldSpec, FormSpec, Prompt
from app.core.forms.types import day_of, is_blank

AGENCY_WORDS = {
    "childrens_social_care": "children's social care",
    "police": "the police",
    "health": "health",
    "education": "education",
    "early_years": "early years",
}


@dataclass
class ValidationContext:
    """What validation needs beyond the record: the case's children and today's date."""

    children: list[Any] = field(default_factory=list)  # Person objects or dicts with "id"
    today: date = field(default_factory=date.today)
    people: list[Any] = field(default_factory=list)

    def child_ids(self) -> set[str]:
        return {c["id"] if isinstance(c, dict) else c.id for c in self.children}


def is_empty(value: Any) -> bool:
    """Emptiness of a value whose field is not known (see ``types.is_blank``)."""
    return is_blank(value)


def visible(f: FieldSpec, data: dict[str, Any], form: FormSpec | None = None) -> bool:
    """Whether the screen shows, the validator checks and the PDF prints ``f`` for ``data``."""
    return holds(f.show_if, data, form)


def _field_problems(
    f: FieldSpec, v: Any, data: dict[str, Any], form: FormSpec, ctx: ValidationContext, label: str
) -> list[Problem]:
    out: list[Problem] = []

    def add(message: str) -> None:
        out.append(Problem(f.key, label, message))

    shape = f.kind.problem(f, v, ctx)
    if shape:
        add(shape)
        return out
    r = f.rules
    text = v if isinstance(v, str) else None
    limit = f.max_length or r.get("max_length")
    if text is not None and limit and len(text) > limit:
        add(f"is {len(text):,} characters long; the limit is {limit:,}")
    if text is not None and r.get("min_length") and len(text.strip()) < r["min_length"]:
        add(f"needs at least {r['min_length']} characters")
    if isinstance(v, int | float) and not isinstance(v, bool):
        if "min" in r and v < r["min"]:
            add(f"must be at least {r['min']}")
        if "max" in r and v > r["max"]:
            add(f"must be at most {r['max']}")
    day = f.kind.day(v)
    if day and r.get("not_future") and day > ctx.today:
        add(f"{day.isoformat()} is in the future")
    for rule in ("after", "not_before"):
        other = r.get(rule)
        if day and other:
            other_day = day_of(data.get(other))
            other_f = form.field(other)
            if other_day and (day < other_day or (rule == "after" and day == other_day and f.type != "date")):
                what = other_f.label if other_f else other
                add(f"is before {what} ({other_day.isoformat()})")
    if f.type == "table" and isinstance(v, list):
        if r.get("at_least_one_row") and not v:
            add("add at least one row")
        if r.get("max_rows") and len(v) > r["max_rows"]:
            add(f"has {len(v)} rows; the limit is {r['max_rows']}")
        for i, row in enumerate(v):
            where = f"{label}, row {i + 1}" + _row_child(f, row, ctx)
            for col in f.columns:
                state = field_state(f, col, row)  # its show_if/required_if name the same row's cells
                if not state.shown:
                    continue
                cv = row.get(col.key)
                if state.empty:
                    if state.required:
                        when = "" if col.required else f" when {describe(col.required_if, f)}"
                        out.append(Problem(f"{f.key}[{i}].{col.key}", where, f"{col.label} is needed{when}"))
                    continue
                for p in _field_problems(col, cv, row, form, ctx, f"{where}, {col.label}"):
                    out.append(Problem(f"{f.key}[{i}].{col.key}", p.label, p.message))
        needed = r.get("agencies_present")
        if needed:
            agency_col = f.column("agency")
            # Only well-formed cells count: a damaged row (a list for a code) is named above.
            present = {
                row.get("agency") for row in v if isinstance(row, dict) and isinstance(row.get("agency"), str)
            }
            missing = [a for a in needed if a not in present]
            if missing and agency_col is not None:

                def words(code: str, col: FieldSpec = agency_col) -> str:
                    return AGENCY_WORDS.get(code) or col.choice_label(code).lower()

                names = _and_list([words(a) for a in missing])
                need = _and_list([words(a).removeprefix("the ") for a in needed])
                add(f"no one from {names} is listed — a {form.title.lower()} needs {need}")
    return out


def _row_child(table: FieldSpec, row: dict[str, Any], ctx: ValidationContext) -> str:
    """ " (Leo)" for a row about one child of the case (a child picker cell), so a problem in a
    row says whose it is; "" otherwise."""
    picked = next((row.get(c.key) for c in table.columns if c.type == "child_picker"), None)
    if not (isinstance(picked, list) and len(picked) == 1):
        return ""
    from app.core.store.models import display_name_of

    for c in ctx.children:
        person = c if isinstance(c, dict) else {**c.__dict__}
        if person.get("id") == picked[0]:
            return f" ({display_name_of(person)})"
    return ""


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def validate(form: FormSpec, data: dict[str, Any], context: ValidationContext | None = None) -> list[Problem]:
    """Every problem with a record, each naming the field the practitioner sees."""
    ctx = context or ValidationContext()
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return [Problem("", "", "the record's data must be an object of field values")]
    known = {f.key for f in form.all_fields()}
    for key in sorted(set(data) - known):
        problems.append(Problem(key, key, f"is not a field of {form.title} (v{form.version})"))
    for f in form.all_fields():
        state = field_state(form, f, data)
        if not state.shown:
            continue
        v = data.get(f.key)
        if state.empty:
            if state.required:
                problems.append(Problem(f.key, f.label, "is needed"))
            continue
        problems += _field_problems(f, v, data, form, ctx, f.label)
    return problems


@dataclass(frozen=True)
class PromptHit:
    key: str
    message: str
    standard: str = ""


def practice_prompts(
    form: FormSpec, data: dict[str, Any], context: ValidationContext | None = None
) -> list[PromptHit]:
    """Soft warnings shown before export (the multi-agency practice standards)."""
    return [
        PromptHit(p.key, p.message, p.standard)
        for p in form.prompts
        if p.when is not None and holds(p.when, data, form)
    ]


__all__ = [
    "Prompt",
    "PromptHit",
    "ValidationContext",
    "holds",
    "is_empty",
    "practice_prompts",
    "validate",
    "visible",
]
