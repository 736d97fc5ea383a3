"""The record editor, generated from a form definition: inline validation, autosaved drafts,
finalise (read-only afterwards) and addenda."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
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
        self.state = QLabel("New draft" if record is None else "Draft")
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
        self.finalise_button = QPushButton("Fi&nalise…")
        self.addendum_button = QPushButton("Add &addendum…")
        for b in (self.save_button, self.finalise_button, self.addendum_button):
            b.setAccessibleName(b.text().replace("&", "").rstrip("…"))
            bar.addWidget(b)
        bar.addStretch(1)
        outer.addLayout(bar)
        self.save_button.clicked.connect(self.save_now)
        self.finalise_button.clicked.connect(lambda: self.finalise())
        self.addendum_button.clicked.connect(self.ask_addendum)
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

    def focus_first(self) -> None:
        """Put the cursor in the first field a person can type in."""
        for _label, widget in self.rows.values():
            if widget.isVisibleTo(self) and widget.isEnabled():
                target = widget if widget.focusPolicy() & Qt.FocusPolicy.TabFocus else None
                target = target or next(
                    (
                        c
                        for c in widget.findChildren(QWidget)
                        if c.focusPolicy() & Qt.FocusPolicy.TabFocus and c.isVisibleTo(self)
                    ),
                    None,
                )
                if target is not None:
                    target.setFocus(Qt.FocusReason.OtherFocusReason)
                    return
        self.setFocus()

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
        if confirm:  # asked without blocking; the answer finalises
            from app.ui.dialogs import confirm as ask

            ask(
                self,
                "Finalise record",
                "Once final, this record cannot be changed — only added to with an addendum. Finalise it?",
                "Fi&nalise",
                lambda: self.finalise(confirm=False),
            )
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

    def ask_addendum(self) -> None:
        """One dialog with the reason and the text; the record stays in view beside it."""
        from app.ui.addendum import AddendumDialog

        AddendumDialog(self.form.title, self._addendum, self).show()

    def add_addendum(self, reason: str, text: str) -> bool:
        problem = self._addendum(reason, text)
        if problem is not None:
            self._say("✖ " + problem)
        return problem is None

    def _addendum(self, reason: str, text: str) -> str | None:
        """Store the addendum; None when stored, else what is wrong."""
        rid = self.record_id
        if rid is None or self.status != "final":
            return "Addendum: only a final record takes addenda; finalise it first"
        try:
            self.session.call(lambda s: records.add_addendum(s, rid, reason, text))
        except FieldbookError as exc:
            return exc.message
        record = self.session.call(lambda s: s.get_record(rid))
        self._show_addenda(record)
        self.saved.emit(rid)
        return None

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
