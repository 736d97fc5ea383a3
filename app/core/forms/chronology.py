"""The case chronology: hand-made entries plus one line derived from every other record.

Each form says (``[chronology]`` in its TOML) which date to use and how to summarise a record in
one line, so that a strategy discussion becomes "Strategy discussion (joint section 47)" linked to
its source record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.core.errors import NotFound
from app.core.forms.spec import FormSpec


@dataclass(frozen=True)
class ChronologyLine:
    date: str
    approximate: bool
    sequence: int
    source: str
    event: str
    impact: str
    action: str
    significance: str
    record_id: str
    form_id: str
    derived: bool
    status: str = "final"


def _get(rec: Any, name: str, default: Any = None) -> Any:
    return rec.get(name, default) if isinstance(rec, dict) else getattr(rec, name, default)


def _text(form: FormSpec, key: str, value: Any) -> str:
    f = form.field(key)
    if value is None:
        return ""
    if isinstance(value, dict):
        return str(value.get("date") or value.get("words") or "")
    if isinstance(value, list):
        return ", ".join(_text(form, key, v) for v in value)
    if f is not None and f.type in ("choice", "multi_choice"):
        return f.choice_label(value)
    if f is not None and f.type == "yes_no_unknown":
        return {"yes": "yes", "no": "no", "unknown": "not known"}.get(str(value), str(value))
    return str(value)


def fill(form: FormSpec, template: str, data: dict[str, Any]) -> str:
    out = re.sub(r"\{([a-z0-9_]+)\}", lambda m: _text(form, m.group(1), data.get(m.group(1))), template)
    out = re.sub(r"\(\s*\)|\[\s*\]", "", out)  # a bracket whose field was empty
    return re.sub(r"\s{2,}", " ", out).strip(" —-:;,")


def chronology_line(form: FormSpec, record: Any) -> ChronologyLine | None:
    """The line a record adds to its case chronology (None for a form with no mapping)."""
    data = _get(record, "data", {}) or {}
    status = str(_get(record, "status", "final"))
    rid = str(_get(record, "id", ""))
    if form.id == "chronology_entry":
        raw = data.get("date")
        day = raw.get("date") if isinstance(raw, dict) else raw
        approx = data.get("date_approximate") == "yes" or (
            isinstance(raw, dict) and bool(raw.get("approximate"))
        )
        seq = data.get("sequence") or 0
        return ChronologyLine(
            str(day or _get(record, "occurred_at") or ""),
            approx,
            int(seq) if isinstance(seq, int | float) else 0,
            str(data.get("source") or ""),
            str(data.get("event") or ""),
            str(data.get("impact") or ""),
            str(data.get("action") or ""),
            str(data.get("significance") or "medium"),
            rid,
            form.id,
            False,
            status,
        )
    spec = form.chronology
    if spec is None:
        return None
    raw = data.get(spec.date_field) or _get(record, "occurred_at")
    day = raw.get("date") if isinstance(raw, dict) else raw
    if not day:
        return None
    significance = spec.significance
    if significance.startswith("field:"):
        significance = str(data.get(significance[6:]) or "medium")
    author = _get(record, "author", {}) or {}
    source = fill(form, spec.source, data) if spec.source else str(author.get("agency", ""))
    return ChronologyLine(
        str(day)[:10],
        isinstance(raw, dict) and bool(raw.get("approximate")),
        0,
        source,
        fill(form, spec.summary, data),
        "",
        "",
        significance,
        rid,
        form.id,
        True,
        status,
    )


def case_chronology(
    registry: Any, records: list[Any], *, include_drafts: bool = False
) -> list[ChronologyLine]:
    """Every line of a case's chronology, by date then sequence."""
    lines = []
    for rec in records:
        status = _get(rec, "status", "final")
        if status == "discarded" or (status == "draft" and not include_drafts):
            continue
        try:
            form = registry.get(_get(rec, "form_id"), _get(rec, "form_version"))
        except NotFound:  # a record of a form this build does not know still exists;
            form = None  # it just cannot be summarised
        line = chronology_line(form, rec) if form is not None else None
        if line is not None:
            lines.append(line)
    lines.sort(key=lambda ln: (ln.date[:10], ln.sequence, ln.derived))
    return lines
