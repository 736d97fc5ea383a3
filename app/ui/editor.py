"""The record editor, generated from a form definition: inline validation, autosaved drafts,
finalise, and addenda.

Laid out like a document: each field's label above it and the field the full width, in reading
order, which is also the Tab order (re-made whenever fields appear: a table row, a quote, a field
shown by an answer). The first field takes the focus when the editor opens. A final record opens
in the read view (``app.ui.read_view``): text, not greyed controls. The heading names the case and
the children the record concerns, and so does the finalise question.
"""

from __future__ import annotations

from html import escape
from itertools import pairwise
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import records
from app.core.errors import FieldbookError
from app.core.forms import FieldSpec, FormSpec, ValidationContext, field_states, practice_prompts, validate
from app.core.forms.dates import shown as date_shown
from app.ui.fields import FieldEditor, make_editor
from app.ui.read_view import ReadView
from app.ui.session import Session
from app.ui.widgets.announce import StatusLabel, announce

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
        self.record_children: list[str] | None = list(record.children) if record else None
        self.names = {c.id: c.display_name + (" (unborn)" if c.unborn else "") for c in case.children}
        outer = QVBoxLayout(self)
        self.head = QLabel()
        self.head.setWordWrap(True)
        self.head.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.head)
        # the status reads as what it says (its title only beside it), and saves are announced
        self.state = StatusLabel("New draft" if record is None else "Draft", title="Record status")
        outer.addWidget(self.state)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no silent Tab stop: its fields take focus
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self.editors: dict[str, FieldEditor] = {}
        self.rows: dict[str, tuple[QLabel, QWidget]] = {}
        kids = list(self.names.items())
        for section in form.sections:
            box = QGroupBox(section.title)
            column = QVBoxLayout(box)
            column.setSpacing(4)
            for f in section.fields:
                ed = make_editor(f, children=kids, put_attachment=self._put, get_attachment=self._get)
                label = QLabel(_label_text(f, f.required))
                label.setBuddy(ed.widget)
                label.setWordWrap(True)
                # the label above its field, the field the full width: read top to bottom
                column.addSpacing(6)
                column.addWidget(label)
                column.addWidget(ed.widget)
                ed.changed.connect(self._edited)
                self.editors[f.key] = ed
                self.rows[f.key] = (label, ed.widget)
            self.body_layout.addWidget(box)
        self.addenda = QLabel()
        self.addenda.setWordWrap(True)
        self.addenda.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body_layout.addWidget(self.addenda)
        self.body_layout.addStretch(1)
        self.edit_body = body
        self.read_view: ReadView | None = None
        self.scroller.setWidget(body)
        outer.addWidget(self.scroller, 1)
        # a screen reader hears the problems themselves, not only this title
        self.problems = StatusLabel(title="Problems and practice prompts")
        self.problems.setObjectName("problems")
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
        self._tab_chain: list[QWidget] = []
        self._focused_once = False
        self._refresh()

    # -- who and what it is about -------------------------------------------------------------
    def concerns(self) -> list[str]:
        """Names of the children the record is about: those ticked in its child picker (the
        core's rule, app.core.records.concerned_children), else the ones it was saved for, else
        every child of the case."""
        pickers = records.picker_fields(self.form)
        picked: list[str] = []
        for f in pickers:
            value = self.editors[f.key].value() if f.key in self.editors else None
            picked.extend(v for v in value or [] if isinstance(v, str))
        # a form with a child picker is about the children ticked there, and nobody else yet
        ids = picked if pickers else (self.record_children or list(self.names))
        return [self.names.get(i, i) for i in dict.fromkeys(ids)]

    def title(self) -> str:
        """ "Child's voice — case FB-2026-0042: Maya Okafor" (the window and tab say this)."""
        ref = getattr(self.case, "reference", None) or str(self.case.id)[:8]
        return f"{self.form.title} — case {ref}: {_and(self.concerns())}"

    def _show_title(self) -> None:
        ref = getattr(self.case, "reference", None) or str(self.case.id)[:8]
        self.head.setText(
            f"<h2>{escape(self.form.title)}</h2>"
            f"<p><b>Case {escape(ref)}</b> — {escape(_about(self.concerns()))}</p>"
            f"<p>{escape(self.form.description)}</p>"
        )
        self.setWindowTitle(self.title())
        self.setAccessibleName(self.title())

    # -- reading order and focus --------------------------------------------------------------
    def _reading_order(self) -> list[QWidget]:
        """The focusable widgets of the body, top to bottom as laid out."""
        current = self.scroller.widget()
        return reading_order(current) if current is not None else []

    def _fix_tab_order(self) -> None:
        """Tab follows reading order, including widgets made since the editor opened."""
        chain = [*self._reading_order(), self.save_button, self.finalise_button, self.addendum_button]
        if chain == self._tab_chain:
            return
        self._tab_chain = chain
        for a, b in pairwise(chain):
            QWidget.setTabOrder(a, b)

    def first_field(self) -> QWidget | None:
        """Where the focus goes when the editor opens: the first field (or the first text read)."""
        return next(iter(self._reading_order()), None)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._focused_once:
            self._focused_once = True
            QTimer.singleShot(0, self.focus_first)

    def focus_first(self) -> None:
        """Put the cursor in the first field (in a final record, on its first line of text)."""
        target = self.first_field()
        if target is not None and self.isVisible():
            if not self.isActiveWindow():  # e.g. the finalise question has just closed
                self.window().activateWindow()
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            self.scroller.ensureWidgetVisible(target)

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
        self.problems.say(text, urgent=True)

    def _refresh(self) -> None:
        data = self.data()
        # the one evaluator the validator and the PDF use: what is hidden here is not printed
        for key, state in field_states(self.form, data).items():
            label, widget = self.rows[key]
            label.setVisible(state.shown)
            widget.setVisible(state.shown)
            label.setText(_label_text(self.form.field(key), state.required))  # type: ignore[arg-type]
            _say_required(next(iter(reading_order(widget)), widget), state.required)
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
        if final and self.read_view is None:
            self._show_read_view(data)
        # a final record offers what can be done with it, and nothing that cannot
        self.save_button.setVisible(not final)
        self.finalise_button.setVisible(not final)
        self.addendum_button.setVisible(final)
        self.addendum_button.setEnabled(final)
        self.save_button.setEnabled(not final)
        self.finalise_button.setEnabled(not final)
        if final:
            self.state.setText("✔ Final — it cannot be changed. Corrections go in an addendum.")
        self._show_title()
        self._fix_tab_order()

    def _show_read_view(self, data: dict[str, Any]) -> None:
        """Swap the form for the record as text (the form stays, hidden, for its values)."""
        for ed in self.editors.values():
            ed.set_read_only(True)
        states = field_states(self.form, data)
        self.read_view = ReadView(self.form, data, lambda f: states[f.key].shown, self.names, self._get)
        self.read_view.layout().addWidget(self.addenda)  # type: ignore[union-attr]
        self.scroller.takeWidget()
        self.edit_body.hide()
        self.edit_body.setParent(self)
        self.scroller.setWidget(self.read_view)

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
        self.state.say(f"Draft saved at {self.session.clock.now().astimezone():%H:%M:%S}")
        self.saved.emit(self.record_id)
        return self.record_id

    def finalise(self, *, confirm: bool = True) -> bool:
        problems = validate(self.form, self.data(), self._context())
        if problems:
            self._say("Cannot finalise yet:\n" + "\n".join(f"✖ {p}" for p in problems))
            return False
        if confirm:
            self._ask_finalise()
            return False
        return self._finalise_now()

    def _ask_finalise(self) -> None:
        """The question names the record, the case and the children, and does not block: the
        window stays live (and a test's user can answer it)."""
        from app.ui.dialogs import confirm

        ref = getattr(self.case, "reference", None) or self.case.id
        self.confirm_box = confirm(
            self,
            "Finalise record",
            f"Finalise this {self.form.title.lower()} for case {ref} about {_and(self.concerns())}?\n\n"
            "Once final, it cannot be changed — only added to with an addendum.",
            "Fi&nalise",
            self._finalise_now,
        )

    def _finalise_now(self) -> bool:
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
        announce(self, f"{self.form.title} is final.")
        QTimer.singleShot(0, self.focus_first)  # after the question has closed
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
        if record.addenda:
            self.addenda.setText(
                "<b>Addenda</b><br>"
                + "<br>".join(
                    f"{escape(date_shown(a.created_at))} — {escape(a.author['name'])}: "
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


def _and(names: list[str]) -> str:
    """ "Maya", "Maya and Leo", "Maya, Leo and Baby Okafor (unborn)"."""
    if not names:
        return "no child chosen yet"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


REQUIRED = "Required."


def _say_required(widget: QWidget, required: bool) -> None:
    """A screen reader hears "Required." with a field that must be answered (Qt 6.11 has no
    required state to set), and stops hearing it when an answer elsewhere makes it optional."""
    words = widget.accessibleDescription().removeprefix(REQUIRED).lstrip()
    widget.setAccessibleDescription(f"{REQUIRED} {words}".strip() if required else words)


def reading_order(root: QWidget) -> list[QWidget]:
    """The focusable widgets in ``root``, top to bottom as laid out (composite fields' own
    parts, such as a combo box's line edit, are theirs and not listed)."""
    out: list[QWidget] = []

    def walk(w: QWidget) -> None:
        if w.isHidden():
            return
        if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isEnabled():
            out.append(w)
        if isinstance(w, QTableWidget):  # drop-downs in cells come after the grid, row by row
            cells = (w.cellWidget(r, c) for r in range(w.rowCount()) for c in range(w.columnCount()))
            out.extend(c for c in cells if c is not None and c.focusPolicy() & Qt.FocusPolicy.TabFocus)
        if isinstance(w, QAbstractItemView | QLineEdit | QPlainTextEdit | QComboBox | QAbstractSpinBox):
            return  # their inner parts are theirs
        items: list[Any] = [w.layout()]
        while items:  # the layout tree, depth first, in the order things are laid out
            item = items.pop(0)
            if item is None:
                continue
            if isinstance(item, QLayout):
                items[:0] = [item.itemAt(i) for i in range(item.count())]
            elif item.widget() is not None:
                walk(item.widget())
            elif item.layout() is not None:
                items.insert(0, item.layout())

    walk(root)
    return out


def _about(names: list[str]) -> str:
    """ "about Maya Okafor", or what to do when no child is ticked yet."""
    return f"about {_and(names)}" if names else "tick the children this record is about"
