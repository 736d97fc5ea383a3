"""The case chronology: one ``ChronologyLine`` per record, built here and nowhere else.

Each form says (``[chronology]`` in its TOML) which date to use and how to say a record in one
line, so a strategy discussion becomes "Strategy discussion (Joint): section 47 decision — …"
linked to its source record; the hand-made ``chronology_entry`` form maps its own fields the same
way. The screen (``app.ui.models``), the pack PDF and the pack's ``data.json`` all show these
lines, with the same words: the choice labels a practitioner picked ("High", never ``high``),
dates in words ("1 Mar 2026") and "about" before a date that is approximate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.core.errors import NotFound
from app.core.forms.dates import in_words
from app.core.forms.spec import FormSpec
from app.core.forms.types import dated_text, day_of

# The reference form whose lines are written by hand (DESIGN.md §1); every other form's line
# is derived from a record and links back to it.
ENTRY_FORM = "chronology_entry"
SIGNIFICANCE = (("low", "Low"), ("medium", "Medium"), ("high", "High"))
# The columns of a chronology wherever it is shown: (ChronologyLine attribute, heading). The
# headings are the chronology entry form's own labels (a test keeps them in step).
COLUMNS = (
    ("when", "Date"),
    ("source", "Source"),
    ("event", "What happened"),
    ("impact", "Impact on the child"),
    ("action", "Action taken / outcome"),
    ("significance_label", "Significance"),
)


@dataclass(frozen=True)
class ChronologyLine:
    date: str  # YYYY-MM-DD (sorts as text)
    approximate: bool
    sequence: int  # orders same-day lines
    source: str
    event: str
    impact: str
    action: str
    significance: str  # the code: low | medium | high (filters, colour)
    significance_label: str  # what people read: "High"
    record_id: str
    form_id: str
    form_title: str
    derived: bool  # from another kind of record, and linked back to it
    key_event: bool = False
    status: str = "final"

    @property
    def when(self) -> str:
        """The date as shown and printed: "1 Mar 2026", "about 1 Mar 2026" when approximate."""
        return dated_text(in_words(self.date, short=True), self.approximate)

    def sort_key(self) -> tuple[str, int, bool]:
        return (self.date, self.sequence, self.derived)

    def as_json(self) -> dict[str, Any]:
        """The line as it goes into a pack's ``data.json`` (codes and the words shown)."""
        return {
            "date": self.date,
            "approximate": self.approximate,
            "when": self.when,
            "sequence": self.sequence,
            "source": self.source,
            "event": self.event,
            "impact": self.impact,
            "action": self.action,
            "significance": self.significance,
            "significance_label": self.significance_label,
            "record_id": self.record_id,
            "form_id": self.form_id,
            "derived": self.derived,
            "key_event": self.key_event,
        }


Names = Mapping[str, str] | None  # a case's people by id, for children named in a line
_FIELD = re.compile(r"\{([a-z0-9_]+)\}")


@lru_cache(maxsize=256)
def _only_field(template: str) -> str | None:
    """The key when a template is one bare field ("{event}"): filled without regular expressions,
    which matters for a 10,000-line chronology."""
    m = _FIELD.fullmatch(template)
    return m.group(1) if m else None


def _text(form: FormSpec, key: str, data: dict[str, Any], names: Names) -> str:
    f = form.field(key)
    value = data.get(key)
    if f is None:
        return "" if value is None else str(value)
    return f.kind.text(f, value, names)


def fill(form: FormSpec, template: str, data: dict[str, Any], names: Names = None) -> str:
    """A ``[chronology]`` template with each ``{field}`` as its plain text (choice labels, not
    codes; children by name when ``names`` maps their ids)."""
    if not template:
        return ""
    key = _only_field(template)
    if key is not None:
        return _text(form, key, data, names)
    out = _FIELD.sub(lambda m: _text(form, m.group(1), data, names), template)
    out = re.sub(r"\(\s*\)|\[\s*\]", "", out)  # a bracket whose field was empty
    return re.sub(r"\s{2,}", " ", out).strip(" —-:;,")


def _get(rec: Any, name: str, default: Any = None) -> Any:
    return rec.get(name, default) if isinstance(rec, dict) else getattr(rec, name, default)


def significance_label(code: str) -> str:
    return dict(SIGNIFICANCE).get(code, code.capitalize())


def chronology_line(form: FormSpec, record: Any, names: Names = None) -> ChronologyLine | None:
    """The line a record adds to its case chronology (None for a form with no mapping, or a
    record with no date). ``record`` is a store ``Record``, a lean store row or a case-data dict;
    ``names`` maps the case's people's ids to their names."""
    spec = form.chronology
    if spec is None:
        return None
    data = _get(record, "data", {}) or {}
    raw = data.get(spec.date_field)
    day = day_of(raw) or day_of(_get(record, "occurred_at"))
    if day is None:
        return None
    approximate = (isinstance(raw, dict) and bool(raw.get("approximate"))) or (
        bool(spec.approximate_field) and data.get(spec.approximate_field) == "yes"
    )
    seq = data.get(spec.sequence_field) if spec.sequence_field else None
    if spec.significance.startswith("field:"):
        level = str(data.get(spec.significance[6:]) or "medium")
        sig_field = form.field(spec.significance[6:])
        label = sig_field.choice_label(level) if sig_field is not None else significance_label(level)
    else:
        level, label = spec.significance, significance_label(spec.significance)
    author = _get(record, "author", {}) or {}
    return ChronologyLine(
        date=day.isoformat(),
        approximate=approximate,
        sequence=int(seq) if isinstance(seq, int | float) and not isinstance(seq, bool) else 0,
        source=fill(form, spec.source, data, names) if spec.source else str(author.get("agency") or ""),
        event=fill(form, spec.summary, data, names),
        impact=fill(form, spec.impact, data, names),
        action=fill(form, spec.action, data, names),
        significance=level,
        significance_label=label,
        record_id=str(_get(record, "id", "")),
        form_id=form.id,
        form_title=form.title,
        derived=form.id != ENTRY_FORM,
        key_event=spec.key_event,
        status=str(_get(record, "status", "final")),
    )


def case_chronology(
    registry: Any, records: list[Any], *, include_drafts: bool = False, names: Names = None
) -> list[ChronologyLine]:
    """Every line of a case's chronology, by date then sequence (hand-made before derived)."""
    lines = []
    forms: dict[tuple[str, int], FormSpec | None] = {}
    for rec in records:
        status = _get(rec, "status", "final")
        if status == "discarded" or (status == "draft" and not include_drafts):
            continue
        which = (str(_get(rec, "form_id")), int(_get(rec, "form_version") or 1))
        if which not in forms:
            try:
                forms[which] = registry.get(*which)
            except NotFound:  # a record of a form this build does not know still exists;
                forms[which] = None  # it just cannot be summarised
        form = forms[which]
        line = chronology_line(form, rec, names) if form is not None else None
        if line is not None:
            lines.append(line)
    lines.sort(key=ChronologyLine.sort_key)
    return lines
