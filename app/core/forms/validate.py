"""Validation of a record against its form, and practice prompts, in the practitioner's words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.core.errors import Problem
from app.core.forms.dates import ISO_START
from app.core.forms.spec import FieldSpec, FormSpec, Prompt

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
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict) and "date" in value:
        return is_empty(value.get("date"))
    if isinstance(value, dict) and "words" in value:
        return is_empty(value.get("words"))
    if isinstance(value, dict) and "markers" in value:
        return not value.get("markers")
    return value is None or value == [] or value == {}


def holds(cond: dict[str, Any] | None, data: dict[str, Any]) -> bool:
    """The one small, eval-free condition format of show_if, required_if and prompts."""
    if not cond:
        return True
    if "all" in cond:
        return all(holds(c, data) for c in cond["all"])
    if "any" in cond:
        return any(holds(c, data) for c in cond["any"])
    value = data.get(cond.get("field", ""))
    if "equals" in cond:
        return value == cond["equals"] or (isinstance(value, list) and cond["equals"] in value)
    if "not_equals" in cond:
        return not is_empty(value) and value != cond["not_equals"]
    if "in" in cond:
        if isinstance(value, list):
            return any(v in cond["in"] for v in value)
        return value in cond["in"]
    if "empty" in cond:
        return is_empty(value) == bool(cond["empty"])
    if "not_empty" in cond:
        return is_empty(value) != bool(cond["not_empty"])
    return False


def visible(f: FieldSpec, data: dict[str, Any]) -> bool:
    return holds(f.show_if, data)


def _date(value: Any) -> date | None:
    if isinstance(value, dict):
        value = value.get("date")
    if not isinstance(value, str) or not ISO_START.match(value):
        return None
    try:
        if len(value) > 10:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        return date.fromisoformat(value)
    except ValueError:
        return None


def _shape(f: FieldSpec, v: Any, ctx: ValidationContext) -> str | None:
    """What is wrong with the value's shape for its type, or None."""
    t = f.type
    if t in ("text", "long_text"):
        return None if isinstance(v, str) else "should be text"
    if t == "date":
        if not isinstance(v, str) or len(v) != 10 or _date(v) is None:
            return f"“{v}” is not a date (use DD/MM/YYYY or YYYY-MM-DD)"
    elif t == "date_time":
        if not isinstance(v, str) or _date(v) is None:
            return f"“{v}” is not a date and time"
    elif t == "approximate_date":
        if not isinstance(v, dict) or _date(v) is None:
            return "give a date (DD/MM/YYYY or YYYY-MM-DD), and say whether it is approximate"
    elif t == "choice":
        # Codes are strings; checking the type first keeps odd values (lists, objects) from crashing.
        if not isinstance(v, str) or v not in {c.code for c in f.choices}:
            return f"“{v}” is not one of the choices"
    elif t == "multi_choice":
        codes = {c.code for c in f.choices}
        if not isinstance(v, list) or any(not isinstance(x, str) or x not in codes for x in v):
            return "contains a choice that is not on the list"
    elif t == "yes_no_unknown":
        if v not in ("yes", "no", "unknown"):
            return "answer yes, no or not known"
    elif t == "number":
        if isinstance(v, bool) or not isinstance(v, int | float):
            return "should be a number"
    elif t == "scale":
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 10:
            return "should be a whole number from 0 to 10"
    elif t == "child_picker":
        if not isinstance(v, list) or any(not isinstance(x, str) or x not in ctx.child_ids() for x in v):
            return "choose children from this case"
    elif t == "verbatim_quote":
        quotes = v if isinstance(v, list) else [v]
        if not all(isinstance(q, dict) and isinstance(q.get("words"), str) for q in quotes):
            return "the child's words are missing"
    elif t == "image":
        items = v if isinstance(v, list) else [v]
        if not all(isinstance(i, dict) and isinstance(i.get("sha256"), str) for i in items):
            return "the picture is missing"
    elif t == "body_map":
        markers = v.get("markers") if isinstance(v, dict) else None
        if not isinstance(markers, list):
            return "the body map has no markers"
        for m in markers:
            if not isinstance(m, dict) or m.get("side") not in ("front", "back"):
                return "each marker must be on the front or the back"
            if not all(isinstance(m.get(k), int | float) and 0 <= m[k] <= 1 for k in ("x", "y")):
                return "a marker is outside the outline"
            if is_empty(m.get("description")):
                return f"marker {m.get('n', '?')} needs a description of what was seen"
    elif t == "table" and (not isinstance(v, list) or not all(isinstance(r, dict) for r in v)):
        return "should be a list of rows"
    return None


def _field_problems(
    f: FieldSpec, v: Any, data: dict[str, Any], form: FormSpec, ctx: ValidationContext, label: str
) -> list[Problem]:
    out: list[Problem] = []

    def add(message: str) -> None:
        out.append(Problem(f.key, label, message))

    shape = _shape(f, v, ctx)
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
    day = _date(v) if f.type in ("date", "date_time", "approximate_date") else None
    if day and r.get("not_future") and day > ctx.today:
        add(f"{day.isoformat()} is in the future")
    for rule in ("after", "not_before"):
        other = r.get(rule)
        if day and other:
            other_day = _date(data.get(other))
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
            for col in f.columns:
                cv = row.get(col.key)
                if is_empty(cv):
                    if col.required:
                        out.append(
                            Problem(
                                f"{f.key}[{i}].{col.key}", f"{label}, row {i + 1}", f"{col.label} is needed"
                            )
                        )
                    continue
                for p in _field_problems(col, cv, row, form, ctx, f"{label}, row {i + 1}, {col.label}"):
                    out.append(Problem(f"{f.key}[{i}].{col.key}", p.label, p.message))
        needed = r.get("agencies_present")
        if needed:
            agency_col = f.column("agency")
            present = {row.get("agency") for row in v}
            missing = [a for a in needed if a not in present]
            if missing and agency_col is not None:

                def words(code: str, col: FieldSpec = agency_col) -> str:
                    return AGENCY_WORDS.get(code) or col.choice_label(code).lower()

                names = _and_list([words(a) for a in missing])
                need = _and_list([words(a).removeprefix("the ") for a in needed])
                add(f"no one from {names} is listed — a {form.title.lower()} needs {need}")
    return out


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
        if not visible(f, data):
            continue
        v = data.get(f.key)
        required = f.required or (f.required_if is not None and holds(f.required_if, data))
        if is_empty(v):
            if required:
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
        if p.when is not None and holds(p.when, data)
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
