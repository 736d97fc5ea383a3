"""The one condition evaluator: ``show_if``, ``required_if``, practice prompts' ``when`` and the
timescale rules' ``when`` all use this small, eval-free format.

A condition is ``{field = "x", equals = "y"}`` (or ``not_equals``, ``in``, ``empty``,
``not_empty``), or ``{all = [...]}`` / ``{any = [...]}`` of conditions. A table column's
condition names another column of the same row (``category`` required when that row's ``plan``
is yes). The screen, the validator, the PDF, the docs and the timescales all ask this module, so
what a practitioner sees is what the validator checks and what the signed PDF prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.forms.types import is_blank

if TYPE_CHECKING:
    from app.core.forms.spec import FieldSpec, FormSpec

OPERATORS = ("equals", "not_equals", "in", "empty", "not_empty")


def problems(cond: Any, keys: set[str] | None = None) -> list[tuple[str, str]]:
    """What is wrong with a condition, as (where inside it, message) pairs; ``keys`` are the
    field keys it may name (None: any name)."""
    if not isinstance(cond, Mapping):
        return [("", 'a condition must be a table like { field = "x", equals = "y" }')]
    if "all" in cond or "any" in cond:
        items = cond.get("all", cond.get("any"))
        if not isinstance(items, list) or not items:
            return [("", "all/any needs a non-empty list of conditions")]
        return [(f"[{i}]{where}", msg) for i, item in enumerate(items) for where, msg in problems(item, keys)]
    out: list[tuple[str, str]] = []
    name = cond.get("field")
    if not isinstance(name, str):
        out.append(("", 'a condition needs field = "<field key>"'))
    elif keys is not None and name not in keys:
        out.append(("", f"refers to a field “{name}” that this form does not have"))
    if sum(op in cond for op in OPERATORS) != 1:
        out.append(("", "a condition needs exactly one of " + ", ".join(OPERATORS)))
    if "in" in cond and not isinstance(cond["in"], list):
        out.append(("", "'in' must be a list"))
    for op in ("empty", "not_empty"):
        if op in cond and not isinstance(cond[op], bool):
            out.append(("", f"'{op}' must be true or false"))
    return out


def _spec(scope: FormSpec | FieldSpec | None, key: str) -> FieldSpec | None:
    """The field ``key`` names: a form's field, or a column of the table ``scope``."""
    if scope is None:
        return None
    from app.core.forms.spec import FieldSpec

    return scope.column(key) if isinstance(scope, FieldSpec) else scope.field(key)


def holds(
    cond: Mapping[str, Any] | None, data: Mapping[str, Any], form: FormSpec | FieldSpec | None = None
) -> bool:
    """Whether ``cond`` holds for a record's ``data``, or for one row of a table when ``form`` is
    the table's field and ``data`` the row (no condition always holds).

    ``equals`` also matches one of the ticked codes of a multi-choice list and ``in`` any of
    them; ``not_equals`` holds only for an answer given that is not the value (an unanswered
    question is not "not no"). Emptiness is the field type's own when ``form`` is given.
    """
    if not cond:
        return True
    if "all" in cond:
        return all(holds(c, data, form) for c in cond["all"])
    if "any" in cond:
        return any(holds(c, data, form) for c in cond["any"])
    key = str(cond.get("field", ""))
    value = data.get(key)
    spec = _spec(form, key)
    empty = spec.kind.is_empty(value) if spec is not None else is_blank(value)
    if "equals" in cond:
        return bool(value == cond["equals"] or (isinstance(value, list) and cond["equals"] in value))
    if "not_equals" in cond:
        return (
            not empty
            and value != cond["not_equals"]
            and not (isinstance(value, list) and cond["not_equals"] in value)
        )
    if "in" in cond:
        if isinstance(value, list):
            return any(v in cond["in"] for v in value)
        return value in cond["in"]
    if "empty" in cond:
        return empty == bool(cond["empty"])
    if "not_empty" in cond:
        return empty != bool(cond["not_empty"])
    return False


@dataclass(frozen=True)
class FieldState:
    """What the screen shows, the validator checks and the PDF prints for one field."""

    shown: bool
    required: bool  # only ever true for a shown field
    empty: bool


def field_state(form: FormSpec | FieldSpec, f: FieldSpec, data: Mapping[str, Any]) -> FieldState:
    """``f``'s state in a record's ``data``; or, with ``form`` a table field, column ``f``'s state
    in one ``data`` row of it."""
    shown = holds(f.show_if, data, form)
    required = shown and (f.required or (f.required_if is not None and holds(f.required_if, data, form)))
    return FieldState(shown, required, f.kind.is_empty(data.get(f.key)))


def cell_states(table: FieldSpec, row: Mapping[str, Any]) -> dict[str, FieldState]:
    """Every column's state in one row of ``table``, by column key."""
    return {c.key: field_state(table, c, row) for c in table.columns}


def field_states(form: FormSpec, data: Mapping[str, Any]) -> dict[str, FieldState]:
    """Every top-level field's state for ``data``, by key, in form order."""
    return {f.key: field_state(form, f, data) for f in form.all_fields()}


def describe(cond: Mapping[str, Any] | None, scope: FormSpec | FieldSpec | None = None) -> str:
    """A condition in plain words: for the generated form docs (keys and codes in backticks), or,
    given the form or table ``scope``, in the labels a practitioner sees."""
    if not cond:
        return ""
    if "all" in cond:
        return " and ".join(describe(c, scope) for c in cond["all"])
    if "any" in cond:
        return " or ".join(describe(c, scope) for c in cond["any"])
    spec = _spec(scope, str(cond.get("field")))

    def code(value: Any) -> str:
        return f"“{spec.kind.text(spec, value)}”" if spec is not None else f"`{value}`"

    name = f"“{spec.label}”" if spec is not None else f"`{cond.get('field')}`"
    if "equals" in cond:
        return f"{name} is {code(cond['equals'])}"
    if "not_equals" in cond:
        return f"{name} is answered and is not {code(cond['not_equals'])}"
    if "in" in cond:
        return f"{name} is one of " + ", ".join(code(v) for v in cond["in"])
    if "empty" in cond:
        return f"{name} is " + ("empty" if cond["empty"] else "filled in")
    if "not_empty" in cond:
        return f"{name} is " + ("filled in" if cond["not_empty"] else "empty")
    return name


__all__ = [
    "OPERATORS",
    "FieldState",
    "cell_states",
    "describe",
    "field_state",
    "field_states",
    "holds",
    "problems",
]
