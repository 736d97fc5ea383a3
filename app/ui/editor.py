"""The record editor, generated from a form definition: inline validation, autosaved drafts,
finalise (read-only afterwards) and addenda."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core import records
from app.core.errors import FieldbookError
from app.core.forms import FieldSpec, FormSpec, ValidationContext, field_states, practice_prompts, validate
from app.ui.fields import FieldEditor, make_editor
from app.ui.session import Session

AUTOSAVE_MS = 2000


def _label_text(f: FieldSpec, required: bool) -> str:
    """A field's label; " *" while it must be answered (``required_if`` too), as validation says."""
    return f.label + (" *" if required else "") + ("  [professional opinion]" if f.pdf.get("opinion") else "")


class RecordEditor(QWidget):
    """Edit one record of a case. Drafts save themselves 2 s after the last keystroke."""

    saved = Signal(str)
    closed = Signal()

    def __init__(self, session: Session, case: Any, form: FormSpec, record: Any | None = None) -> None:
        super().__init__()
        self.session, self.case, self.form = session, case, form
        self.record_id: str | None = record.id if record else None
        self.status = record.status if record else "draft"
        self.setAccessibleName(f"{form.title} editor")
        outer = QVBoxLayout(self)
        head = QLabel(f"<h2>{form.title}</h2><p>{form.description}</p>")
        head.setWordWrap(True)
        outer.addWidget(head)
        self.state = QLabel("New draft")
        self.state.setAccessibleName("Record status")
        outer.addWidget(self.state)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self.editors: dict[str, FieldEditor] = {}
        self.rows: dict[str, tuple[QLabel, QWidget]] = {}
        kids = [(c.id, c.display_name + (" (unborn)" if c.unborn else "")) for c in case.children]
        for section in form.sections:
            box = QGroupBox(section.title)
            form_lay = QFormLayout(box)
            form_lay.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            for f in section.fields:
                ed = make_editor(f, children=kids, put_attachment=self._put, get_attachment=self._get)
                label = QLabel(_label_text(f, f.required))
                label.setBuddy(ed.widget)
                label.setWordWrap(True)
                form_lay.addRow(label, ed.widget)
                ed.changed.connect(self._edited)
                self.editors[f.key] = ed
                self.rows[f.key] = (label, ed.widget)
            self.body_layout.addWidget(box)
        self.addenda = QLabel()
        self.addenda.setWordWrap(True)
        self.body_layout.addWidget(self.addenda)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.problems = QLabel()
        self.problems.setObjectName("problems")
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName("Problems and practice prompts")
        outer.addWidget(self.problems)
        bar = QHBoxLayout()
        self.save_button = QPushButton("&Save draft")
        self.finalise_button = QPushButton("&Finalise…")
        self.addendum_button = QPushButton("Add &addendum…")
        for b in (self.save_button, self.finalise_button, self.addendum_button):
            b.setAccessibleName(b.text().replace("&", "").rstrip("…"))
            bar.addWidget(b)
        bar.addStretch(1)
        outer.addLayout(bar)
        self.save_button.clicked.connect(self.save_now)
        self.finalise_button.clicked.connect(self.finalise)
        # clicked(bool) would arrive as the reason: the slot takes no arguments
        self.addendum_button.clicked.connect(self._ask_addendum)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(AUTOSAVE_MS)
        self.timer.timeout.connect(self.save_now)
        self._loading = True
        if record is not None:
            for key, value in record.data.items():
                if key in self.editors:
                    self.editors[key].set_value(value)
            self._show_addenda(record)
        self._loading = False
        self._refresh()

    # -- attachments (stored in the vault via the worker) -------------------------------------
    def _put(self, data: bytes, media: str, name: str) -> str:
        return str(self.session.call(lambda s: s.put_attachment(data, media, name)))

    def _get(self, sha: str) -> bytes:
        return bytes(self.session.call(lambda s: s.get_attachment(sha).data))

    # -- state --------------------------------------------------------------------------------
    def data(self) -> dict[str, Any]:
        out = {}
        for key, ed in self.editors.items():
            value = ed.value()
            if value is not None:
                out[key] = value
        return out

    def _context(self) -> ValidationContext:
        return records.validation_context(self.case, self.session.clock.today())

    def _edited(self) -> None:
        if self._loading or self.status != "draft":
            return
        self.state.setText("Draft — unsaved changes…")
        self.timer.start()
        self._refresh()

    def _say(self, text: str) -> None:
        self.problems.setText(text)
        self.problems.setVisible(True)

    def _refresh(self) -> None:
        data = self.data()
        # the one evaluator the validator and the PDF use: what is hidden here is not printed
        for key, state in field_states(self.form, data).items():
            label, widget = self.rows[key]
            label.setVisible(state.shown)
            widget.setVisible(state.shown)
            label.setText(_label_text(self.form.field(key), state.required))  # type: ignore[arg-type]
        final = self.status == "final"
        # prompts advise and never block; a final record has passed validation, so only they apply
        lines = [f"⚑ {p.message}" for p in practice_prompts(self.form, data, self._context())]
        if not final:
            problems = validate(self.form, data, self._context())
            head = [f"✖ {p}" for p in problems[:4]] or ["✔ Ready to finalise"]
            if len(problems) > 4:
                head.append(f"… and {len(problems) - 4} more to complete before finalising")
            lines = head + lines
        self.problems.setText("\n".join(lines))
        self.problems.setVisible(bool(lines))
        for ed in self.editors.values():
            ed.set_read_only(final)
        self.save_button.setEnabled(not final)
        self.finalise_button.setEnabled(not final)
        self.addendum_button.setEnabled(final)
        if final:
            self.state.setText("✔ Final — read-only. Corrections go in an addendum.")

    def save_now(self) -> str:
        """Save the draft (autosave, focus change, lock). A draft is saved even if invalid."""
        self.timer.stop()
        if self.status != "draft" and self.record_id is not None:
            return self.record_id  # final records change only through addenda
        data, known = self.data(), self.record_id
        rid, _ = self.session.call(
            lambda s: records.save_draft(s, self.form, self.case.id, data, record_id=known)
        )
        self.record_id = str(rid)
        self.state.setText(f"Draft saved at {self.session.clock.now():%H:%M:%S}")
        self.saved.emit(self.record_id)
        return self.record_id

    def finalise(self, *, confirm: bool = True) -> bool:
        problems = validate(self.form, self.data(), self._context())
        if problems:
            self._say("Cannot finalise yet:\n" + "\n".join(f"✖ {p}" for p in problems))
            return False
        if (
            confirm
            and QMessageBox.question(
                self,
                "Finalise record",
                "Once final, this record cannot be changed — only added to with an addendum. Finalise it?",
            )
            != QMessageBox.StandardButton.Yes
        ):
            return False
        self.timer.stop()
        data, known = self.data(), self.record_id
        try:
            rid = self.session.call(
                lambda s: records.finalise(s, self.form, self.case.id, data, record_id=known)
            )
        except FieldbookError as exc:
            self._say("✖ " + exc.message)
            return False
        self.record_id = rid
        self.status = "final"
        self._refresh()
        self.saved.emit(rid)
        return True

    def _ask_addendum(self) -> bool:
        reason, ok = QInputDialog.getText(self, "Add addendum", "Why is this addendum added?")
        if not ok:
            return False
        text, ok = QInputDialog.getMultiLineText(self, "Add addendum", "Addendum:")
        if not ok:
            return False
        return self.add_addendum(reason, text)

    def add_addendum(self, reason: str, text: str) -> bool:
        rid = self.record_id
        if rid is None:  # nothing saved yet: there is no final record to add to
            return False
        try:
            self.session.call(lambda s: records.add_addendum(s, rid, reason, text))
        except FieldbookError as exc:
            self._say("✖ " + exc.message)
            return False
        record = self.session.call(lambda s: s.get_record(rid))
        self._show_addenda(record)
        self.saved.emit(rid)
        return True

    def _show_addenda(self, record: Any) -> None:
        from html import escape

        if record.addenda:
            self.addenda.setText(
                "<b>Addenda</b><br>"
                + "<br>".join(
                    f"{escape(a.created_at[:16])} — {escape(a.author['name'])}: "
                    f"<i>{escape(a.reason)}</i> — {escape(a.text)}"
                    for a in record.addenda
                )
            )

    def focusOutEvent(self, event: Any) -> None:
        if self.timer.isActive():
            self.save_now()
        super().focusOutEvent(event)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.closed.emit()
            return
        super().keyPressEvent(event)
