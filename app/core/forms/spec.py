"""Form definitions as frozen dataclasses: what the loader builds from ``forms/<id>/v<N>.toml``.

The PDF renderer, the desktop editor and validation all read these; nothing about a particular
form lives in code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from app.core.forms.types import TYPES, FieldType, field_type

# Every field type a form may use, with the JSON shape its value takes (docs/contracts.md).
FIELD_TYPES = {name: t.shape for name, t in TYPES.items()}
RULES = (
    "not_future",
    "after",
    "not_before",
    "min_length",
    "max_length",
    "min",
    "max",
    "agencies_present",
    "at_least_one_row",
    "max_rows",
)
# What a form may ask of the PDF, each honoured by app.core.packs.pdf: ``emphasis = "quote"``
# boxes the value as a quotation, ``opinion = true`` shades and labels it as professional opinion,
# ``hide_if_empty = false`` prints a shown field that was left empty as "Not recorded".
PDF_HINTS = ("emphasis", "opinion", "hide_if_empty")


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: str
    required: bool = False
    required_if: dict[str, Any] | None = None
    help: str = ""
    placeholder: str = ""
    choices: tuple[Choice, ...] = ()
    codelist: str | None = None
    show_if: dict[str, Any] | None = None
    rules: dict[str, Any] = field(default_factory=dict)
    pdf: dict[str, Any] = field(default_factory=dict)
    columns: tuple[FieldSpec, ...] = ()
    repeatable: bool = False
    max_length: int | None = None
    not_for_family: str = ""  # why it is left out of a parent's copy ("" = shared)

    @property
    def kind(self) -> FieldType:
        """The field's type object (shape check, emptiness, text, widget and PDF keys)."""
        return field_type(self.type)

    def choice_label(self, code: Any) -> str:
        for c in self.choices:
            if c.code == code:
                return c.label
        if self.codelist:
            from app.core.forms.codelists import label

            return label(self.codelist, str(code))
        return str(code)

    def column(self, key: str) -> FieldSpec | None:
        return next((c for c in self.columns if c.key == key), None)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[FieldSpec, ...]
    help: str = ""


@dataclass(frozen=True)
class Prompt:
    """A practice prompt: a soft warning before export, not a validation error."""

    key: str
    message: str
    when: dict[str, Any] | None = None
    standard: str = ""


@dataclass(frozen=True)
class ChronologySpec:
    """How a form's record becomes a chronology line: templates name fields as ``{key}``."""

    date_field: str
    summary: str  # the "What happened" of the line
    significance: str = "medium"  # a fixed level, or "field:<key>"
    source: str = ""  # a template; empty means the author's agency
    key_event: bool = False
    impact: str = ""  # a template
    action: str = ""  # a template
    approximate_field: str = ""  # a yes/no/unknown field: "yes" marks the date as approximate
    sequence_field: str = ""  # a number field ordering same-day lines


@dataclass(frozen=True)
class FormSpec:
    id: str
    version: int
    title: str
    description: str
    sections: tuple[Section, ...]
    prompts: tuple[Prompt, ...] = ()
    chronology: ChronologySpec | None = None
    path: str = ""
    origin: str = "built-in"  # or the local folder it came from
    not_for_family: str = ""  # why its records are left out of a parent's copy by default

    def all_fields(self) -> list[FieldSpec]:
        return [f for s in self.sections for f in s.fields]

    @cached_property
    def _by_key(self) -> dict[str, FieldSpec]:
        # cached_property writes the instance __dict__ directly, so it works on a frozen class;
        # a chronology of 10,000 lines looks fields up by key several times a line
        return {f.key: f for f in self.all_fields()}

    def field(self, key: str) -> FieldSpec | None:
        return self._by_key.get(key)
