"""The field types of the forms engine: one object per type, in one registry (``TYPES``).

Modelled on qutebrowser's ``config/configtypes.py`` (one class per option type, with parsing,
validation, text and docs): each type here knows the JSON shape of its value and how to check it,
when a value counts as empty, how to normalise what was typed (day-first dates made ISO), how to
say the value in plain text (table cells, chronology lines, the read view of a final record), its
words in the generated docs, and which widget (``app.ui.fields``) and PDF renderer
(``app.core.packs.pdf``) draw it. Tests walk ``TYPES`` and fail when any of these is missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from app.core.forms.dates import ISO_START, in_words, normalise

if TYPE_CHECKING:
    from app.core.forms.spec import FieldSpec

# JSON Schema patterns of stored values (the published record schemas, app.core.forms.record_schemas)
DATE = r"^\d{4}-\d{2}-\d{2}$"
DATE_TIME = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$"
HEX64 = r"^[0-9a-f]{64}$"
NOT_BLANK = r"\S"
_STRING: dict[str, Any] = {"type": "string"}

# The approximate-date marker, said the same way on screen, in the PDF and in data.json's lines.
ABOUT = "about"
YES_NO_UNKNOWN = (("yes", "Yes"), ("no", "No"), ("unknown", "Not known"))


class Children(Protocol):
    """What a shape check needs to know about the case: its children's ids."""

    def child_ids(self) -> set[str]: ...


def is_blank(value: Any) -> bool:
    """Emptiness of a value whose type is not known (a timescale rule reading a record, a key
    a form no longer has): nothing, blank text, an empty list or table, a date-less date, a
    quote without words, a body map without markers."""
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict) and "date" in value:
        return is_blank(value.get("date"))
    if isinstance(value, dict) and "words" in value:
        return is_blank(value.get("words"))
    if isinstance(value, dict) and "markers" in value:
        return not value.get("markers")
    return value is None or value == [] or value == {}


def day_of(value: Any) -> date | None:
    """The calendar day of a stored date, date-time or approximate date (None if not one)."""
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


def _items(value: Any) -> list[Any]:
    """A repeatable field's values as a list (one value, or a list of them)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


class FieldType:
    """The base of every field type; subclasses set the class attributes and override what differs."""

    name: ClassVar[str]
    shape: ClassVar[str]  # the JSON shape of a value (docs/contracts.md)
    words: ClassVar[str]  # what the generated form docs call it
    widget: ClassVar[str]  # the key of its editor factory in app.ui.fields.WIDGETS
    pdf: ClassVar[str]  # the key of its renderer in app.core.packs.pdf.FIELD_RENDERERS
    dated: ClassVar[bool] = False  # its value has a day (date rules apply)

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        """What is wrong with a (non-empty) value's shape, in the practitioner's words, or None."""
        return None

    def is_empty(self, value: Any) -> bool:
        return is_blank(value)

    def normalise(self, f: FieldSpec, value: Any) -> Any:
        """The value as stored: what the practitioner typed, tidied; anything unexpected is
        returned unchanged so that nothing is lost and validation can name the problem."""
        return value

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        """The value as plain text ("" when empty); ``names`` maps child ids to names."""
        return "" if self.is_empty(value) else str(value)

    def day(self, value: Any) -> date | None:
        return day_of(value) if self.dated else None

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        """The JSON Schema of a (non-empty) value, for receivers without Fieldbook."""
        raise NotImplementedError(f"{self.name} has no JSON Schema")


def _one_or_many(item: dict[str, Any], f: FieldSpec) -> dict[str, Any]:
    return {"type": "array", "items": item} if f.repeatable else item


def _codes(f: FieldSpec) -> list[str]:
    return [c.code for c in f.choices]  # the loader fills choices from a code list too


class Text(FieldType):
    name, shape, words, widget, pdf = "text", "string", "short text", "line", "text"

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        return None if isinstance(value, str) else "should be text"

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        # the usual cases (text, or nothing), said without the general emptiness walk
        if value.__class__ is str:
            return value if value.strip() else ""
        return "" if value is None else super().text(f, value, names)

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        limit = f.max_length or f.rules.get("max_length")
        return {"type": "string", "maxLength": limit} if limit else {"type": "string"}


class LongText(Text):
    name, words, widget = "long_text", "long text", "text_box"


class Date(FieldType):
    name, shape, words, widget, pdf, dated = "date", "YYYY-MM-DD", "date", "date", "text", True

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        if not isinstance(value, str) or len(value) != 10 or day_of(value) is None:
            return f"“{value}” is not a date (use DD/MM/YYYY or YYYY-MM-DD)"
        return None

    def normalise(self, f: FieldSpec, value: Any) -> Any:
        return normalise(value, self.name) if isinstance(value, str) else value

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        """In words, a time as the clock in England showed it ("Friday 30 October 2026, 15:30")."""
        return "" if self.is_empty(value) else in_words(value)

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        return {"type": "string", "pattern": DATE}


class DateTime(Date):
    name, shape, words, widget = "date_time", "ISO 8601 date-time", "date and time", "date_time"

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        return None if isinstance(value, str) and day_of(value) else f"“{value}” is not a date and time"

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        return {"type": "string", "pattern": DATE_TIME}


class ApproximateDate(FieldType):
    name, widget, pdf, dated = "approximate_date", "approximate_date", "text", True
    shape = '{"date": "YYYY-MM-DD", "approximate": bool}'
    words = "date (may be approximate)"

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        if not isinstance(value, dict) or day_of(value) is None:
            return "give a date (DD/MM/YYYY or YYYY-MM-DD), and say whether it is approximate"
        return None

    def is_empty(self, value: Any) -> bool:
        return is_blank(value.get("date")) if isinstance(value, dict) else is_blank(value)

    def normalise(self, f: FieldSpec, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("date"), str):
            return {**value, "date": normalise(value["date"], "date")}
        return value

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        if self.is_empty(value):
            return ""
        if not isinstance(value, dict):
            return str(value)
        return dated_text(in_words(value["date"]), bool(value.get("approximate")))

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["date"],
            "additionalProperties": False,
            "properties": {"date": {"type": "string", "pattern": DATE}, "approximate": {"type": "boolean"}},
        }


def dated_text(day: str, approximate: bool) -> str:
    """A day as printed everywhere, "about" before it when the practitioner said so."""
    return f"{ABOUT} {day}" if approximate and day else day


class Choice(FieldType):
    name, shape, words, widget, pdf = "choice", "code", "one choice", "combo", "text"

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        # Codes are strings; checking the type first keeps odd values (lists, objects) from crashing.
        if not isinstance(value, str) or value not in {c.code for c in f.choices}:
            return f"“{value}” is not one of the choices"
        return None

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        return ", ".join(f.choice_label(v) for v in _items(value) if not is_blank(v))

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        return {"enum": _codes(f)}


class MultiChoice(Choice):
    name, shape, words, widget = "multi_choice", "list of codes", "one or more choices", "checklist"

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        codes = {c.code for c in f.choices}
        if not isinstance(value, list) or any(not isinstance(x, str) or x not in codes for x in value):
            return "contains a choice that is not on the list"
        return None

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        return {"type": "array", "uniqueItems": True, "items": {"enum": _codes(f)}}


class YesNoUnknown(FieldType):
    name, shape, words = "yes_no_unknown", '"yes" | "no" | "unknown"', "yes / no / unknown"
    widget, pdf = "yes_no_unknown", "text"

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        return (
            None
            if isinstance(value, str) and value in dict(YES_NO_UNKNOWN)
            else "answer yes, no or not known"
        )

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        return "" if self.is_empty(value) else dict(YES_NO_UNKNOWN).get(str(value), str(value))

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        return {"enum": [code for code, _ in YES_NO_UNKNOWN]}


_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


class Number(FieldType):
    name, shape, words, widget, pdf = "number", "number", "number", "line", "text"

    def normalise(self, f: FieldSpec, value: Any) -> Any:
        """Typed digits as a number ("12" → 12, "2.5" → 2.5); anything else unchanged."""
        if not isinstance(value, str) or not _DECIMAL.fullmatch(value.strip()):
            return value
        return float(value) if "." in value else int(value)

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        return "should be a number" if isinstance(value, bool) or not isinstance(value, int | float) else None

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return super().text(f, value, names)

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        limits = {"minimum": f.rules["min"]} if "min" in f.rules else {}
        limits |= {"maximum": f.rules["max"]} if "max" in f.rules else {}
        return {"type": "number", **limits}


class Scale(FieldType):
    name, shape, words, widget, pdf = "scale", "integer 0–10", "scale 0–10", "scale", "text"

    def normalise(self, f: FieldSpec, value: Any) -> Any:
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            return "should be a whole number from 0 to 10"
        return None

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        return "" if self.is_empty(value) else f"{value} out of 10"

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        return {"type": "integer", "minimum": 0, "maximum": 10}


class Table(FieldType):
    name, shape, words, widget, pdf = "table", "list of row objects", "table", "table", "table"

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        ok = isinstance(value, list) and all(isinstance(r, dict) for r in value)
        return None if ok else "should be a list of rows"

    def normalise(self, f: FieldSpec, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [normalise_values(f.columns, row) if isinstance(row, dict) else row for row in value]

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        """One line per row: "Label: value; Label: value"."""
        lines = []
        for row in _items(value):
            if isinstance(row, dict):
                cells = [(c.label, c.kind.text(c, row.get(c.key), names)) for c in f.columns]
                lines.append("; ".join(f"{label}: {v}" for label, v in cells if v))
        return "\n".join(ln for ln in lines if ln)

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        # a row is a small record: the record schema's own builder (it imports this module)
        from app.core.forms.record_schemas import row_schema

        limit = {"maxItems": f.rules["max_rows"]} if f.rules.get("max_rows") else {}
        return {"type": "array", "items": row_schema(f.columns), **limit}


class ChildPicker(FieldType):
    name, shape, words = "child_picker", "list of child ids", "child or children on the case"
    widget, pdf = "children", "text"

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        ids = case.child_ids()
        if not isinstance(value, list) or any(not isinstance(x, str) or x not in ids for x in value):
            return "choose children from this case"
        return None

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        return ", ".join((names or {}).get(str(i), str(i)) for i in _items(value))

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string", "minLength": 1}}


class VerbatimQuote(FieldType):
    name, widget, pdf = "verbatim_quote", "quote", "quote"
    shape = '{"words", "asked_by", "question", "context"} (a list if repeatable)'
    words = "the child's exact words (with who asked, what was asked, context)"
    PARTS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("asked_by", "Asked by"),
        ("question", "Question"),
        ("context", "Context"),
    )

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        if not all(isinstance(q, dict) and isinstance(q.get("words"), str) for q in _items(value)):
            return "the child's words are missing"
        return None

    def is_empty(self, value: Any) -> bool:
        return all(is_blank(q.get("words") if isinstance(q, dict) else q) for q in _items(value))

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        out = []
        for q in _items(value):
            q = q if isinstance(q, dict) else {"words": q}
            if not is_blank(q.get("words")):
                meta = [f"{label}: {q[k]}" for k, label in self.PARTS if q.get(k)]
                out.append(f"\u201c{q['words']}\u201d" + (f" ({'; '.join(meta)})" if meta else ""))
        return "\n".join(out)

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        parts = {k: _STRING for k in ("words", "asked_by", "question", "context")}
        return _one_or_many({"type": "object", "required": ["words"], "properties": parts}, f)


class Image(FieldType):
    name, widget, pdf = "image", "image", "image"
    shape, words = '{"sha256", "caption"} (a list if repeatable)', "image"

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        if not all(isinstance(i, dict) and isinstance(i.get("sha256"), str) for i in _items(value)):
            return "the picture is missing"
        return None

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        items = [i for i in _items(value) if isinstance(i, dict)]
        return "\n".join(f"[picture] {i.get('caption') or ''}".strip() for i in items)

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        parts = {"sha256": {"type": "string", "pattern": HEX64}, "caption": _STRING}
        return _one_or_many({"type": "object", "required": ["sha256"], "properties": parts}, f)


class BodyMap(FieldType):
    name, widget, pdf = "body_map", "body_map", "body_map"
    shape = '{"markers": [{"n", "side", "x", "y", "description"}]}'
    words = "body map (numbered markers, front/back, each described)"

    def problem(self, f: FieldSpec, value: Any, case: Children) -> str | None:
        markers = value.get("markers") if isinstance(value, dict) else None
        if not isinstance(markers, list):
            return "the body map has no markers"
        for m in markers:
            if not isinstance(m, dict) or m.get("side") not in ("front", "back"):
                return "each marker must be on the front or the back"
            if not all(isinstance(m.get(k), int | float) and 0 <= m[k] <= 1 for k in ("x", "y")):
                return "a marker is outside the outline"
            if is_blank(m.get("description")):
                return f"marker {m.get('n', '?')} needs a description of what was seen"
        return None

    def is_empty(self, value: Any) -> bool:
        return not (value.get("markers") if isinstance(value, dict) else value)

    @staticmethod
    def markers(value: Any) -> list[dict[str, Any]]:
        """The markers in number order (the order of the numbered list under the outline)."""
        found = value.get("markers") if isinstance(value, dict) else None
        ms = [m for m in found or [] if isinstance(m, dict)]
        return sorted(ms, key=lambda m: str(m.get("n", "")).zfill(8))

    def text(self, f: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> str:
        return "\n".join(
            f"{m.get('n')}. ({m.get('side')}) {m.get('description', '')}" for m in self.markers(value)
        )

    def schema(self, f: FieldSpec) -> dict[str, Any]:
        unit = {"type": "number", "minimum": 0, "maximum": 1}
        marker = {
            "type": "object",
            "required": ["side", "x", "y", "description"],
            "properties": {
                "n": {"type": "integer"},
                "side": {"enum": ["front", "back"]},
                "x": unit,
                "y": unit,
                "description": {"type": "string", "pattern": NOT_BLANK},
            },
        }
        return {
            "type": "object",
            "required": ["markers"],
            "properties": {"markers": {"type": "array", "items": marker}},
        }


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        Text(),
        LongText(),
        Date(),
        DateTime(),
        ApproximateDate(),
        Choice(),
        MultiChoice(),
        YesNoUnknown(),
        Number(),
        Scale(),
        Table(),
        ChildPicker(),
        VerbatimQuote(),
        Image(),
        BodyMap(),
    )
}
# A type a table column may not take (a table in a table, a body map in a cell).
NOT_IN_TABLES = ("table", "body_map")


def field_type(name: str) -> FieldType:
    """The type called ``name``; a type the loader refused never reaches here, so an unknown
    name (a form from a newer build read back) is treated as text rather than crash a render."""
    return TYPES.get(name) or TYPES["text"]


def normalise_values(
    fields: tuple[FieldSpec, ...] | list[FieldSpec], data: Mapping[str, Any]
) -> dict[str, Any]:
    """``data`` with each of ``fields``' values normalised by its type; other keys untouched."""
    out = dict(data)
    for f in fields:
        if f.key in out:
            out[f.key] = f.kind.normalise(f, out[f.key])
    return out


def record_words(fields: list[FieldSpec], data: Mapping[str, Any]) -> str:
    """A record's answers in plain text, one a line (choice labels, dates in words, table rows):
    what search indexes beside the stored values."""
    said = (f.kind.text(f, data.get(f.key)) for f in fields if f.key in data)
    return "\n".join(s for s in said if s)
