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
from collections.abc import Callable, Mapping
from functools import lru_cache, partial
from operator import attrgetter
from typing import Any, NamedTuple

from app.core.errors import NotFound
from app.core.forms.dates import in_words
from app.core.forms.spec import ChronologySpec, FormSpec
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


class ChronologyLine(NamedTuple):
    """One line of a case chronology (a named tuple: a 10,000-line chronology makes 10,000 of
    them each time a case opens, and a tuple is made several times faster than a frozen
    dataclass)."""

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
        return _when(self.date, self.approximate)

    def sort_key(self) -> tuple[str, int, bool]:
        return _SORT_KEY(self)

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


_SORT_KEY = attrgetter("date", "sequence", "derived")  # by date, then sequence, hand-made first


@lru_cache(maxsize=8192)
def _when(day: str, approximate: bool) -> str:
    return dated_text(in_words(day, short=True), approximate)  # cached: a chronology repeats days


Names = Mapping[str, str] | None  # a case's people by id, for children named in a line
Filler = Callable[[Mapping[str, Any], Names], str]  # a template filled from a record's data
_FIELD = re.compile(r"\{([a-z0-9_]+)\}")
_NO_TEXT: Filler = lambda data, names: ""  # noqa: E731 - a template left empty


def _field_text(form: FormSpec, key: str) -> Callable[[Any, Names], str]:
    """How one ``{key}`` of a template is said: its field type's plain text (looked up once)."""
    f = form.field(key)
    if f is None:  # a key the form does not have (a template a newer version edited)
        return lambda value, names: "" if value is None else str(value)
    return partial(f.kind.text, f)


def _filler(form: FormSpec, template: str) -> Filler:
    """A ``[chronology]`` template compiled: each ``{field}`` as its plain text (choice labels,
    not codes; children by name when ``names`` maps their ids)."""
    if not template:
        return _NO_TEXT
    bare = _FIELD.fullmatch(template)
    if bare:  # one field ("{event}"): no regular expressions per line
        key, say = bare.group(1), _field_text(form, bare.group(1))
        return lambda data, names: say(data.get(key), names)
    sayers = {key: _field_text(form, key) for key in _FIELD.findall(template)}

    def fill(data: Mapping[str, Any], names: Names) -> str:
        out = _FIELD.sub(lambda m: sayers[m.group(1)](data.get(m.group(1)), names), template)
        out = re.sub(r"\(\s*\)|\[\s*\]", "", out)  # a bracket whose field was empty
        return re.sub(r"\s{2,}", " ", out).strip(" —-:;,")

    return fill


def significance_label(code: str) -> str:
    return dict(SIGNIFICANCE).get(code, code.capitalize())


@lru_cache(maxsize=8192)
def _iso_day(value: str) -> str | None:
    """The day of a stored date or date-time, as YYYY-MM-DD (cached: dates repeat)."""
    day = day_of(value)
    return None if day is None else day.isoformat()


def _day(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("date")
    return _iso_day(value) if isinstance(value, str) else None


# What the builder reads of a record, whichever shape it comes in: (status, form id, form
# version, data, occurred at, id, author).
Parts = tuple[Any, Any, Any, Any, Any, Any, Any]


def _parts(rec: Any) -> Parts:
    """A store ``Record``, a lean store row or a case-data dict, read once."""
    if isinstance(rec, dict):
        get = rec.get
        return (
            get("status", "final"),
            get("form_id"),
            get("form_version"),
            get("data"),
            get("occurred_at"),
            get("id", ""),
            get("author"),
        )
    return (
        getattr(rec, "status", "final"),
        getattr(rec, "form_id", None),
        getattr(rec, "form_version", None),
        getattr(rec, "data", None),
        getattr(rec, "occurred_at", None),
        getattr(rec, "id", ""),
        getattr(rec, "author", None),
    )


_NUMBER = (int, float)


class _Mapping:
    """A form's ``[chronology]`` compiled once per form: templates, the significance labels and
    the fields it reads, so a 10,000-line chronology does no per-line lookups of specs or types."""

    def __init__(self, form: FormSpec, spec: ChronologySpec) -> None:
        self.form_id, self.form_title, self.spec = form.id, form.title, spec
        self.derived = form.id != ENTRY_FORM
        self.source = _filler(form, spec.source) if spec.source else None
        self.event, self.impact, self.action = (
            _filler(form, t) for t in (spec.summary, spec.impact, spec.action)
        )
        self.level_key = spec.significance[6:] if spec.significance.startswith("field:") else ""
        level_field = form.field(self.level_key) if self.level_key else None
        self.label_of: Callable[[str], str] = (
            level_field.choice_label if level_field is not None else significance_label
        )
        self.labels: dict[str, str] = {}  # significance code → label, filled as codes are met

    def line(self, parts: Parts, names: Names) -> ChronologyLine | None:
        status, _, _, data, occurred_at, record_id, author = parts
        data = data or {}
        spec = self.spec
        raw = data.get(spec.date_field)
        day = _day(raw) or _day(occurred_at)
        if day is None:
            return None
        approximate = (isinstance(raw, dict) and bool(raw.get("approximate"))) or (
            bool(spec.approximate_field) and data.get(spec.approximate_field) == "yes"
        )
        seq = data.get(spec.sequence_field) if spec.sequence_field else None
        level = str(data.get(self.level_key) or "medium") if self.level_key else spec.significance
        label = self.labels.get(level)
        if label is None:
            label = self.labels[level] = self.label_of(level)
        if self.source is not None:
            source = self.source(data, names)
        else:
            source = str((author or {}).get("agency") or "")
        # positional, in the fields' order: a keyword call costs twice as much, 10,000 times
        return ChronologyLine(
            day,
            approximate,
            int(seq) if isinstance(seq, _NUMBER) and not isinstance(seq, bool) else 0,
            source,
            self.event(data, names),
            self.impact(data, names),
            self.action(data, names),
            level,
            label,
            str(record_id),
            self.form_id,
            self.form_title,
            self.derived,
            spec.key_event,
            str(status),
        )


# Compiled mappings by form object (held, so an id is not reused while cached); a registry's
# forms are few, and a fresh registry (tests load many) only ever adds a handful.
_COMPILED: dict[int, tuple[FormSpec, _Mapping | None]] = {}


def _mapping(form: FormSpec) -> _Mapping | None:
    hit = _COMPILED.get(id(form))
    if hit is None or hit[0] is not form:
        if len(_COMPILED) >= 1024:
            _COMPILED.clear()
        spec = form.chronology
        hit = _COMPILED[id(form)] = (form, None if spec is None else _Mapping(form, spec))
    return hit[1]


def chronology_line(form: FormSpec, record: Any, names: Names = None) -> ChronologyLine | None:
    """The line a record adds to its case chronology (None for a form with no mapping, or a
    record with no date). ``record`` is a store ``Record``, a lean store row or a case-data dict;
    ``names`` maps the case's people's ids to their names."""
    mapping = _mapping(form)
    return None if mapping is None else mapping.line(_parts(record), names)


def case_chronology(
    registry: Any, records: list[Any], *, include_drafts: bool = False, names: Names = None
) -> list[ChronologyLine]:
    """Every line of a case's chronology, by date then sequence (hand-made before derived)."""
    lines = []
    mappings: dict[tuple[str, int], _Mapping | None] = {}
    for rec in records:
        parts = _parts(rec)
        status = parts[0]
        if status == "discarded" or (status == "draft" and not include_drafts):
            continue
        which = (str(parts[1]), int(parts[2] or 1))
        if which not in mappings:
            try:
                mappings[which] = _mapping(registry.get(*which))
            except NotFound:  # a record of a form this build does not know still exists;
                mappings[which] = None  # it just cannot be summarised
        mapping = mappings[which]
        line = mapping.line(parts, names) if mapping is not None else None
        if line is not None:
            lines.append(line)
    lines.sort(key=_SORT_KEY)
    return lines
