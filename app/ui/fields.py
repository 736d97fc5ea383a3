"""One widget factory per form field type; each editor has value(), set_value() and changed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.forms import FieldSpec
from app.core.forms.conditions import cell_states
from app.core.forms.dates import day_first, describe, normalise
from app.core.forms.types import YES_NO_UNKNOWN
from app.ui.widgets.body_map import BodyMapWidget


class FieldEditor(QObject):
    changed = Signal()

    def __init__(self, spec: FieldSpec, widget: QWidget) -> None:
        super().__init__()
        self.spec = spec
        self.widget = widget

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_read_only(self, ro: bool) -> None:
        self.widget.setEnabled(not ro)


def _lines(edit: QPlainTextEdit, n: int) -> None:
    """At least ``n`` lines tall, in the box's own font (so it grows with the text size)."""
    edit.setMinimumHeight(int(edit.fontMetrics().lineSpacing() * n + 2 * edit.frameWidth() + 12))


def _larger(font: QFont) -> QFont:
    bigger = QFont(font)
    bigger.setPointSizeF(max(font.pointSizeF(), 11.0) * 1.2)
    return bigger


def _name(w: QWidget, spec: FieldSpec, suffix: str = "") -> QWidget:
    w.setAccessibleName(spec.label + suffix)
    if spec.help:
        w.setAccessibleDescription(spec.help)
        w.setToolTip(spec.help)
    return w


class LineEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, placeholder: str = "") -> None:
        edit = QLineEdit()
        edit.setPlaceholderText(spec.placeholder or placeholder)
        super().__init__(spec, _name(edit, spec))
        edit.textChanged.connect(self.changed)
        self.edit = edit

    def value(self) -> Any:
        # a number as a number; anything else kept as typed, for validation to name
        text = self.edit.text().strip()
        return self.spec.kind.normalise(self.spec, text) if text else None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))

    def set_read_only(self, ro: bool) -> None:
        self.edit.setReadOnly(ro)


class TextEditor(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        _lines(edit, 4)
        super().__init__(spec, _name(edit, spec))
        edit.textChanged.connect(self.changed)
        self.edit = edit

    def value(self) -> Any:
        return self.edit.toPlainText() or None

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText(value or "")

    def set_read_only(self, ro: bool) -> None:
        self.edit.setReadOnly(ro)


class ComboEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, items: list[tuple[str, str]] | None = None) -> None:
        combo = QComboBox()
        opts = items or ([("", "")] + [(c.code, c.label) for c in spec.choices])
        for code, label in opts:
            combo.addItem(label, code)
        super().__init__(spec, _name(combo, spec))
        combo.currentIndexChanged.connect(self.changed)
        self.combo = combo

    def value(self) -> Any:
        data = self.combo.currentData()
        if self.spec.type == "scale":
            return None if data in ("", None) else int(data)
        return data or None

    def set_value(self, value: Any) -> None:
        i = self.combo.findData("" if value is None else (str(value) if self.spec.type == "scale" else value))
        self.combo.setCurrentIndex(max(i, 0))


class ChecklistEditor(FieldEditor):
    """Multi-choice and the child picker: a list of checkable items."""

    def __init__(self, spec: FieldSpec, items: list[tuple[str, str]]) -> None:
        lst = QListWidget()
        for code, label in items:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            lst.addItem(item)
        lst.setMaximumHeight(min(24 * max(len(items), 2) + 8, 180))
        super().__init__(spec, _name(lst, spec))
        lst.itemChanged.connect(lambda _: self.changed.emit())
        self.list = lst

    def value(self) -> Any:
        out = [
            self.list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]
        return out or None

    def set_value(self, value: Any) -> None:
        chosen = set(value or [])
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setCheckState(
                Qt.CheckState.Checked
                if item.data(Qt.ItemDataRole.UserRole) in chosen
                else Qt.CheckState.Unchecked
            )


class _DateLine:
    """A date line edit (with an optional widget beside it) and the date read back in words
    beneath. Day-first input (20/11/2026) becomes ISO when the field is left, and in every
    saved value."""

    def __init__(self, spec: FieldSpec, kind: str, beside: QWidget | None = None) -> None:
        self.spec, self.kind = spec, kind
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(
            spec.placeholder or "DD/MM/YYYY" + (" HH:MM" if kind == "date_time" else "")
        )
        _name(self.edit, spec)
        self.hint = QLabel()  # reads as what it says: no fixed accessible name over it
        self.hint.setObjectName("dateHint")
        self.hint.hide()
        self.box = QWidget()
        outer = QVBoxLayout(self.box)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        row = QHBoxLayout()
        row.addWidget(self.edit)
        if beside is not None:
            row.addWidget(beside)
        outer.addLayout(row)
        outer.addWidget(self.hint)
        self.edit.textChanged.connect(self._describe)
        self.edit.editingFinished.connect(self._tidy)

    def text(self) -> str:
        return normalise(self.edit.text().strip(), self.kind)

    def _tidy(self) -> None:
        text = self.text()
        if text != self.edit.text().strip():
            self.edit.setText(text)

    def _describe(self) -> None:
        words = describe(self.text(), self.kind)
        marked = "✖ " + words if words.startswith("Not a date") else words
        self.hint.setText(marked)
        self.hint.setVisible(bool(marked))
        # screen readers hear the reading too, not only sighted users
        self.edit.setAccessibleDescription(" ".join(filter(None, (self.spec.help, marked))))


class DateEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, kind: str) -> None:
        self.line = _DateLine(spec, kind)
        self.edit = self.line.edit
        super().__init__(spec, self.line.box)
        self.edit.textChanged.connect(self.changed)

    def value(self) -> Any:
        return self.line.text() or None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else day_first(str(value), self.line.kind))

    def set_read_only(self, ro: bool) -> None:
        self.edit.setReadOnly(ro)


class ApproxDateEditor(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        self.approx = QCheckBox("approximate")
        self.approx.setAccessibleName(f"{spec.label} is approximate")
        self.line = _DateLine(spec, "date", beside=self.approx)
        self.edit = self.line.edit
        super().__init__(spec, self.line.box)
        self.edit.textChanged.connect(self.changed)
        self.approx.toggled.connect(self.changed)

    def value(self) -> Any:
        text = self.line.text()
        return {"date": text, "approximate": self.approx.isChecked()} if text else None

    def set_value(self, value: Any) -> None:
        value = value or {}
        self.edit.setText(day_first(str(value.get("date", "")), "date"))
        self.approx.setChecked(bool(value.get("approximate")))


class QuoteEditor(FieldEditor):
    """The child's exact words, with who asked, what was asked and the context; repeatable."""

    PARTS = (
        ("words", "Child's exact words"),
        ("asked_by", "Asked by"),
        ("question", "What was asked"),
        ("context", "Context (where, when, how)"),
    )

    def __init__(self, spec: FieldSpec) -> None:
        box = QWidget()
        self.lay = QVBoxLayout(box)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.groups: list[dict[str, QWidget]] = []
        add = QPushButton("Add the child's words")
        add.setAccessibleName(f"Add to {spec.label}")
        add.clicked.connect(lambda: self._add({}))
        self.add_button = add
        self.lay.addWidget(add)
        super().__init__(spec, box)
        box.setAccessibleName(spec.label)

    def _add(self, q: dict[str, Any], *, focus: bool = True) -> None:
        """One quote: the words in a large wrapping box, its other parts stacked beneath, each
        label above its field (a side-by-side form left the words about 110 px wide)."""
        frame = QWidget()
        frame.setObjectName("quote")
        column = QVBoxLayout(frame)
        column.setSpacing(2)
        parts: dict[str, QWidget] = {}
        for key, label in self.PARTS:
            w: QWidget
            if key == "words":
                w = QPlainTextEdit(q.get(key, ""))
                w.setTabChangesFocus(True)
                w.setFont(_larger(w.font()))
                _lines(w, 5)
                w.textChanged.connect(self.changed)
            else:
                w = QLineEdit(q.get(key, ""))
                w.textChanged.connect(self.changed)
            w.setAccessibleName(f"{self.spec.label} {len(self.groups) + 1}: {label}")
            tag = QLabel(label)
            tag.setBuddy(w)
            column.addWidget(tag)
            column.addWidget(w)
            parts[key] = w
        self.groups.append(parts)
        self.lay.insertWidget(self.lay.count() - 1, frame)
        frame.show()  # now, so the editor's Tab order (re-made on changed) includes it
        if not self.spec.repeatable:
            self.add_button.hide()
        self.changed.emit()
        if focus:  # the practitioner asked for a new quote: they type the words next
            parts["words"].setFocus(Qt.FocusReason.OtherFocusReason)

    def value(self) -> Any:
        out = []
        for parts in self.groups:
            q = {
                k: (w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text())  # type: ignore[attr-defined]
                for k, w in parts.items()
            }
            if q["words"].strip():
                out.append({k: v for k, v in q.items() if v})
        if not out:
            return None
        return out if self.spec.repeatable else out[0]

    def set_value(self, value: Any) -> None:
        for q in value if isinstance(value, list) else [value] if value else []:
            self._add(q, focus=False)


class TableEditor(FieldEditor):
    """Rows of cells; a choice column is a drop-down of its codes and a child picker column a
    drop-down of the case's children (one child per row: the conference decision for each)."""

    def __init__(self, spec: FieldSpec, children: list[tuple[str, str]] | None = None) -> None:
        self.case_children = list(children or [])
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(spec.columns))
        self.table.setHorizontalHeaderLabels([c.label for c in spec.columns])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName(spec.label)
        self.table.setMinimumHeight(110)
        # Tab leaves the table (arrow keys move between cells): a table is never a keyboard trap
        self.table.setTabKeyNavigation(False)
        lay.addWidget(self.table)
        bar = QHBoxLayout()
        add = QPushButton("Add row")
        add.setAccessibleName(f"Add a row to {spec.label}")
        add.clicked.connect(self._add_row_by_hand)
        remove = QPushButton("Remove row")
        remove.setAccessibleName(f"Remove the selected row of {spec.label}")
        remove.clicked.connect(self._remove_row)
        bar.addWidget(add)
        bar.addWidget(remove)
        bar.addStretch(1)
        lay.addLayout(bar)
        super().__init__(spec, box)
        self.table.itemChanged.connect(lambda _: self.changed.emit())
        self.changed.connect(self._apply_states)

    def _add_row_by_hand(self) -> None:
        """A new row, with the focus in its first cell ready to type (arrows move, Tab leaves)."""
        self._add_row({})
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)

    def _add_row(self, row: dict[str, Any]) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, col in enumerate(self.spec.columns):
            options = self._options(col)
            if options is not None:
                combo = QComboBox()
                combo.setAccessibleName(f"{self.spec.label} row {r + 1} {col.label}")
                combo.addItem("", "")
                for code, label in options:
                    combo.addItem(label, code)
                current = row.get(col.key, "")
                if isinstance(current, list):  # a child picker cell holds [child id]
                    current = current[0] if current else ""
                combo.setCurrentIndex(max(combo.findData(current), 0))
                combo.currentIndexChanged.connect(self.changed)
                self.table.setCellWidget(r, c, combo)
            else:
                value = row.get(col.key)
                text = "" if value is None else str(value)
                if col.type in ("date", "date_time"):
                    text = day_first(text, col.type)  # typed day-first, so shown day-first
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.changed.emit()

    def _options(self, col: FieldSpec) -> list[tuple[str, str]] | None:
        """The (code, label) pairs of a drop-down cell, or None for a typed cell."""
        if col.kind.widget == "children":
            return self.case_children
        if col.kind.widget == "combo":
            return [(ch.code, ch.label) for ch in col.choices]
        if col.kind.widget == "yes_no_unknown":
            return list(YES_NO_UNKNOWN)
        return None

    def _remove_row(self) -> None:
        r = self.table.currentRow()
        if r >= 0:
            self.table.removeRow(r)
            self.changed.emit()

    def _apply_states(self) -> None:
        """Each cell its row hides (a column's show_if naming the same row's cells, through the
        evaluator the validator and the PDF use) is greyed out and cannot be typed in."""
        self.table.blockSignals(True)  # changing an item's flags would report an edit
        try:
            for r in range(self.table.rowCount()):
                states = cell_states(self.spec, self._row(r))
                for c, col in enumerate(self.spec.columns):
                    shown = states[col.key].shown
                    widget = self.table.cellWidget(r, c)
                    item = self.table.item(r, c)
                    if widget is not None:
                        widget.setEnabled(shown)
                    elif item is not None:
                        on = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsEditable
                        item.setFlags(item.flags() | on if shown else item.flags() & ~on)
        finally:
            self.table.blockSignals(False)

    def value(self) -> Any:
        rows = [row for row in (self._row(r) for r in range(self.table.rowCount())) if row]
        return rows or None

    def _row(self, r: int) -> dict[str, Any]:
        """Row ``r``'s values as the record stores them (empty cells left out)."""
        row: dict[str, Any] = {}
        for c, col in enumerate(self.spec.columns):
            widget = self.table.cellWidget(r, c)
            if isinstance(widget, QComboBox):
                v: Any = widget.currentData() or None
                if v is not None and col.kind.widget == "children":
                    v = [v]
            else:
                item = self.table.item(r, c)
                text = item.text().strip() if item else ""
                # 20/11/2026 made ISO and digits made numbers in a cell too, by the column's type
                v = col.kind.normalise(col, text) if text else None
            if v is not None:
                row[col.key] = v
        return row

    def set_value(self, value: Any) -> None:
        for row in value or []:
            self._add_row(row)


class ImageEditor(FieldEditor):
    """Pictures are stored in the vault; thumbnails are made in memory, never on disk."""

    def __init__(
        self,
        spec: FieldSpec,
        put_attachment: Callable[[bytes, str, str], str],
        get_attachment: Callable[[str], bytes],
    ) -> None:
        box = QWidget()
        self.lay = QVBoxLayout(box)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.put, self.get = put_attachment, get_attachment
        self.items: list[dict[str, Any]] = []
        self.thumbs = QHBoxLayout()
        self.lay.addLayout(self.thumbs)
        add = QPushButton("Add a picture…")
        add.setAccessibleName(f"Add a picture to {spec.label}")
        add.clicked.connect(self._choose)
        self.lay.addWidget(add)
        super().__init__(spec, box)
        box.setAccessibleName(spec.label)

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.widget, "Choose a picture", "", "Images (*.png *.jpg *.jpeg)"
        )
        if path:
            with open(path, "rb") as fh:
                data = fh.read()
            media = "image/png" if path.lower().endswith(".png") else "image/jpeg"
            self.add_image(data, media, path.rsplit("/", 1)[-1])

    def add_image(self, data: bytes, media_type: str, filename: str, caption: str = "") -> None:
        sha = self.put(data, media_type, filename)
        self._show(sha, data, caption)
        self.changed.emit()

    def _show(self, sha: str, data: bytes, caption: str) -> None:
        img = QImage.fromData(data)
        label = QLabel()
        label.setPixmap(QPixmap.fromImage(img).scaled(120, 90, Qt.AspectRatioMode.KeepAspectRatio))
        label.setAccessibleName(f"Picture: {caption or hashlib.sha256(data).hexdigest()[:8]}")
        cap = QLineEdit(caption)
        cap.setPlaceholderText("Caption")
        cap.setAccessibleName("Picture caption")
        item = {"sha256": sha, "caption": caption}

        def recaption(text: str) -> None:
            item["caption"] = text
            self.changed.emit()

        cap.textChanged.connect(recaption)
        col = QVBoxLayout()
        col.addWidget(label)
        col.addWidget(cap)
        self.thumbs.addLayout(col)
        self.items.append(item)

    def value(self) -> Any:
        if not self.items:
            return None
        items = [{k: v for k, v in i.items() if v} for i in self.items]
        return items if self.spec.repeatable else items[0]

    def set_value(self, value: Any) -> None:
        for i in value if isinstance(value, list) else [value] if value else []:
            self._show(i["sha256"], self.get(i["sha256"]), i.get("caption", ""))


class BodyMapEditor(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        self.map = BodyMapWidget(spec.label)
        super().__init__(spec, self.map)
        self.map.changed.connect(self.changed)

    def value(self) -> Any:
        return self.map.value()

    def set_value(self, value: Any) -> None:
        self.map.set_value(value)

    def set_read_only(self, ro: bool) -> None:
        self.map.set_read_only(ro)


@dataclass(frozen=True)
class EditorEnv:
    """What some editors need beyond their field: the case's children and the vault's pictures."""

    children: list[tuple[str, str]]
    put_attachment: Callable[[bytes, str, str], str]
    get_attachment: Callable[[str], bytes]


def _choices(spec: FieldSpec) -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in spec.choices]


# One factory per widget key that a field type names (``FieldType.widget``); a test walks them.
WIDGETS: dict[str, Callable[[FieldSpec, EditorEnv], FieldEditor]] = {
    "line": lambda spec, env: LineEditor(spec),
    "text_box": lambda spec, env: TextEditor(spec),
    "date": lambda spec, env: DateEditor(spec, "date"),
    "date_time": lambda spec, env: DateEditor(spec, "date_time"),
    "approximate_date": lambda spec, env: ApproxDateEditor(spec),
    "combo": lambda spec, env: ComboEditor(spec),
    "checklist": lambda spec, env: ChecklistEditor(spec, _choices(spec)),
    "yes_no_unknown": lambda spec, env: ComboEditor(spec, [("", ""), *YES_NO_UNKNOWN]),
    "scale": lambda spec, env: ComboEditor(spec, [("", "")] + [(str(i), str(i)) for i in range(11)]),
    "table": lambda spec, env: TableEditor(spec, env.children),
    "children": lambda spec, env: ChecklistEditor(spec, env.children),
    "quote": lambda spec, env: QuoteEditor(spec),
    "image": lambda spec, env: ImageEditor(spec, env.put_attachment, env.get_attachment),
    "body_map": lambda spec, env: BodyMapEditor(spec),
}


def make_editor(
    spec: FieldSpec,
    *,
    children: list[tuple[str, str]],
    put_attachment: Callable[[bytes, str, str], str],
    get_attachment: Callable[[str], bytes],
) -> FieldEditor:
    """The editor for a field, from its type's widget key (``WIDGETS``)."""
    return WIDGETS[spec.kind.widget](spec, EditorEnv(children, put_attachment, get_attachment))
