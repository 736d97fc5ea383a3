"""A final record read like a document: text, not disabled controls.

Each answered field is its label and its value as plain, selectable text in normal contrast; a
value can be reached with Tab and read by a screen reader (its label is its buddy). The child's
own words stand out in large type; the body map keeps its outline and its numbered list; dates
read in words in local time. Empty fields are left out: a final record has passed validation,
so every required answer is there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core.forms import FieldSpec, FormSpec
from app.core.forms.conditions import cell_states
from app.core.forms.dates import shown as date_shown
from app.ui.widgets.body_map import BodyMapWidget

READABLE = Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
YNU = {"yes": "Yes", "no": "No", "unknown": "Not known"}


def text_of(f: FieldSpec, value: Any, names: Mapping[str, str]) -> str:
    """A field's value as a reader sees it (dates in words, codes as their labels, child ids as names)."""
    if f.type in ("date", "date_time"):
        return date_shown(value)
    if f.type == "approximate_date" and isinstance(value, dict):
        return ("about " if value.get("approximate") else "") + date_shown(value.get("date"))
    if f.type == "yes_no_unknown":
        return YNU.get(str(value), str(value))
    if f.type in ("choice", "multi_choice"):
        items = value if isinstance(value, list) else [value]
        return ", ".join(f.choice_label(v) for v in items)
    if f.type == "child_picker":
        return ", ".join(names.get(str(v), str(v)) for v in (value if isinstance(value, list) else [value]))
    return "" if value is None else str(value)


def _value_label(text: str, *, rich: bool = False, name: str = "readValue") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(READABLE)
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reaches it: a screen reader reads it
    return label


def _is_empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_empty(v) for k, v in value.items() if k != "approximate")
    return value in (None, "", [])


class ReadView(QWidget):
    """Every answered field of a record as text, section by section."""

    def __init__(
        self,
        form: FormSpec,
        data: Mapping[str, Any],
        shown: Callable[[FieldSpec], bool],
        names: Mapping[str, str],
        get_attachment: Callable[[str], bytes],
    ) -> None:
        super().__init__()
        self.names, self.get = names, get_attachment
        lay = QVBoxLayout(self)
        lay.setSpacing(6)
        for section in form.sections:
            answered = [f for f in section.fields if shown(f) and not _is_empty(data.get(f.key))]
            if not answered:
                continue
            heading = QLabel(f"<h3>{escape(section.title)}</h3>")
            lay.addWidget(heading)
            for f in answered:
                label = QLabel(
                    f"<b>{escape(f.label)}</b>"
                    + (" <i>(professional opinion)</i>" if f.pdf.get("opinion") else "")
                )
                label.setWordWrap(True)
                value = self._value(f, data[f.key])
                label.setBuddy(value)
                lay.addWidget(label)
                lay.addWidget(value)
        lay.addStretch(1)

    def _value(self, f: FieldSpec, value: Any) -> QWidget:
        if f.type == "verbatim_quote":
            return self._quotes(f, value)
        if f.type == "body_map":
            body = BodyMapWidget(f.label)
            body.set_read_only(True)
            body.set_value(value)
            body.setMinimumHeight(420)
            return body
        if f.type == "image":
            return self._images(value)
        if f.type == "table":
            return self._table(f, value)
        return _value_label(text_of(f, value, self.names))

    def _quotes(self, f: FieldSpec, value: Any) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        for q in value if isinstance(value, list) else [value]:
            if not isinstance(q, dict):
                continue
            words = _value_label(f"“{q.get('words', '')}”", name="readQuote")
            col.addWidget(words)
            about = [
                part
                for part in (
                    f"Asked by {q['asked_by']}" if q.get("asked_by") else "",
                    f"Question: {q['question']}" if q.get("question") else "",
                    f"Context: {q['context']}" if q.get("context") else "",
                )
                if part
            ]
            if about:
                col.addWidget(_value_label(" · ".join(about)))
        return box

    def _images(self, value: Any) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, dict) or "sha256" not in item:
                continue
            data = self.get(item["sha256"])
            picture = QLabel()
            picture.setPixmap(
                QPixmap.fromImage(QImage.fromData(data)).scaled(240, 180, Qt.AspectRatioMode.KeepAspectRatio)
            )
            caption = item.get("caption") or f"Picture {hashlib.sha256(data).hexdigest()[:8]}"
            picture.setAccessibleName(f"Picture: {caption}")
            cell = QVBoxLayout()
            cell.addWidget(picture)
            cell.addWidget(_value_label(caption))
            row.addLayout(cell)
        row.addStretch(1)
        return box

    def _table(self, f: FieldSpec, value: Any) -> QWidget:
        rows = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
        head = "".join(f"<th align='left'>{escape(c.label)}</th>" for c in f.columns)

        def cell(c: FieldSpec, r: dict[str, Any], shown: bool) -> str:
            # a cell its row hides (the one evaluator: no category without a plan) is blank, as
            # in the PDF
            value = r.get(c.key)
            return escape(text_of(c, value, self.names)) if value is not None and shown else ""

        body = "".join(
            "<tr>" + "".join(f"<td>{cell(c, r, s[c.key].shown)}</td>" for c in f.columns) + "</tr>"
            for r, s in ((r, cell_states(f, r)) for r in rows)
        )
        return _value_label(
            f"<table cellspacing='0' cellpadding='4' border='1'><tr>{head}</tr>{body}</table>", rich=True
        )
