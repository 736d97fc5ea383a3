"""Open pack… (Ctrl+O): a manager's review window.

A banner in plain words (verified / intact but the signer is not trusted / invalid, with each
reason), the PDF, the child's words, the structured data and every check; then Countersign…:
approve or return with a comment, save the countersigned pack, and see it verified again with
both signatures. Verifying and countersigning are core functions (``app.core.packs.review``),
run on the database thread. Everything from the pack is shown as plain text, never rich text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldbookError
from app.core.files import read_regular
from app.core.outcome import Verdict
from app.core.packs.safezip import DEFAULT_LIMITS
from app.ui.dialogs import ask_save_file, buddy
from app.ui.export import STATUS_TEXT, VerdictBanner, load_pdf, pdf_view, plain_label
from app.ui.session import Session

PACK_FILES = "Packs and signed PDFs (*.zip *.p7m *.pdf);;All files (*)"


def banner_text(opened: Any, name: str) -> str:
    """The banner's details: the file, who signed, and each reason it is not verified."""
    report = opened.report
    lines = [f"File: {name}"]
    m = report.manifest or {}
    if m:
        lines.append(f"{str(m.get('kind', '')).capitalize()} pack for case {m.get('case_reference')}")
    lines += [
        f"Signed by {s.get('name')} ({s.get('role')}, {s.get('agency')}) as {s.get('as')}"
        for s in report.signers
    ]
    if report.review:
        lines.append(f"Review: {report.review.get('decision')} — “{report.review.get('comment')}”")
    lines += [f"• {r}" for r in report.reasons]
    lines += [f"• Warning: {w}" for w in report.warnings]
    if opened.problem:
        lines.append(f"• The contents cannot be shown: {opened.problem}")
    return "\n".join(lines)


class CountersignDialog(QDialog):
    """Approve or return, with a comment; not modal, so the pack stays readable behind it."""

    submitted = Signal(str, str)  # decision, comment

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Countersign the pack")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        self.approve = QRadioButton("&Approve")
        self.approve.setChecked(True)
        self.give_back = QRadioButton("&Return for changes")
        lay.addWidget(self.approve)
        lay.addWidget(self.give_back)
        self.comment = QPlainTextEdit()
        self.comment.setAccessibleName("Review comment")
        self.comment.setPlaceholderText("Why it is approved, or what must change (required)")
        self.comment.setTabChangesFocus(True)
        lay.addWidget(buddy("&Comment", self.comment))
        lay.addWidget(self.comment)
        self.error = plain_label()
        self.error.setObjectName("error")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox()
        ok = buttons.addButton("Countersign and &save…", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setAccessibleName("Countersign and save")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(520, 320)

    def _submit(self) -> None:
        comment = self.comment.toPlainText().strip()
        if not comment:
            self.say("Comment: is empty — say why the pack is approved or returned")
            self.comment.setFocus()
            return
        self.submitted.emit("approve" if self.approve.isChecked() else "return", comment)

    def say(self, problem: str) -> None:
        self.error.setText("✖ " + problem)


class ReviewWindow(QWidget):
    """One pack, reviewed in a window of its own."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session = session
        self.setWindowTitle("Review a pack")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.opened: Any = None
        self.name = ""
        self._keep: dict[str, Any] = {}
        self._dialog: CountersignDialog | None = None
        self._gone = False
        lay = QVBoxLayout(self)
        self.banner = VerdictBanner("Verification result", "Checking the pack…")
        lay.addWidget(self.banner)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Pack contents")
        self.view, self.doc = pdf_view(self)
        self.view.setAccessibleName("The pack's PDF")
        self.tabs.addTab(self.view, "&Document")
        self.words = _text_box("The child's words")
        self.tabs.addTab(self.words, "Child's &words")
        self.structured = _text_box("Structured data")
        self.tabs.addTab(self.structured, "Str&uctured data")
        self.checks = _text_box("Verification checks")
        self.tabs.addTab(self.checks, "Chec&ks")
        lay.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.sign = QPushButton("Countersi&gn…")
        self.sign.setAccessibleName("Countersign")
        self.sign.setEnabled(False)
        self.sign.clicked.connect(self.ask_countersign)
        close = QPushButton("C&lose")
        close.clicked.connect(self.close)
        bottom.addWidget(self.sign)
        bottom.addWidget(close)
        lay.addLayout(bottom)
        self.resize(1100, 820)

    # -- opening ------------------------------------------------------------------------------
    def open_path(self, path: Path) -> None:
        """Read the file here, verify it on the database thread, then show it."""
        from app.core.packs.review import open_pack

        self.name = path.name
        self.setWindowTitle(f"Review — {path.name}")
        try:  # a regular file of bounded size only: a FIFO or a device would hang the window
            data = read_regular(path, what=path.name, limit=DEFAULT_LIMITS.max_file)
        except FieldbookError as exc:
            self.banner.say(Verdict.INVALID, f"✖ {exc.message}")
            return
        now = self.session.clock.now()
        self.banner.say(None, f"Checking {path.name}…")
        self.session.run(
            lambda s: open_pack(s, s.vault.passphrase(), data, now=now),
            self._show,
            lambda exc: None if self._gone else self.banner.say(Verdict.INVALID, "✖ " + _message(exc)),
        )

    def closeEvent(self, event: Any) -> None:
        self._gone = True  # answers still arriving from the database thread are dropped
        super().closeEvent(event)

    def _show(self, opened: Any) -> None:
        if self._gone:
            return
        self.opened = opened
        report = opened.report
        self.banner.say(report.status, STATUS_TEXT[report.status], banner_text(opened, self.name))
        self.checks.setPlainText(report.text())
        if opened.pdf:
            load_pdf(self.doc, opened.pdf, self._keep)
        quotes = opened.childs_words
        self.words.setPlainText(
            "\n\n".join(
                f"{q['when']}  “{q['words']}”"
                + (f"\n    asked by {q['asked_by']}" if q["asked_by"] else "")
                + (f": {q['question']}" if q["question"] else "")
                + (f"\n    context: {q['context']}" if q["context"] else "")
                for q in quotes
            )
            or "The pack holds no words of the child."
        )
        self.structured.setPlainText(
            json.dumps(opened.case_data, ensure_ascii=False, indent=2)[:200_000]
            if opened.case_data is not None
            else "The pack's structured data cannot be shown."
        )
        signable = report.status is not Verdict.INVALID and report.subject != "PDF"
        self.sign.setEnabled(signable and not report.review)

    # -- countersigning -------------------------------------------------------------------------
    def ask_countersign(self) -> None:
        """Refused at once, with the reason, when this reviewer may not countersign."""
        from app.core.packs.review import reviewer_problem

        if self.opened is None:
            return
        opened = self.opened
        self.session.run(lambda s: reviewer_problem(s, s.vault.passphrase(), opened), self._may_countersign)

    def _may_countersign(self, problem: str | None) -> None:
        if self._gone:
            return
        if problem is not None:
            status = self.opened.report.status
            details = f"✖ {problem}\n" + banner_text(self.opened, self.name)
            self.banner.say(status, STATUS_TEXT[status], details)
            self.banner.headline.setFocus()
            return
        self._dialog = CountersignDialog(self)
        self._dialog.submitted.connect(self._choose_file)
        self._dialog.show()

    def _choose_file(self, decision: str, comment: str) -> None:
        stem = Path(self.name).stem
        ask_save_file(
            self._dialog or self,
            "Save the countersigned pack",
            "Packs (*.zip)",
            f"{stem}-reviewed.zip",
            lambda path: self._countersign(decision, comment, path),
        )

    def _countersign(self, decision: str, comment: str, path: Path) -> None:
        from app.core.packs.review import countersign_to

        pack, clock = self.opened.pack, self.session.clock

        def job(store: Any) -> str:
            return countersign_to(
                store, store.vault.passphrase(), pack, path, decision=decision, comment=comment, clock=clock
            )

        def done(_pack_id: str) -> None:
            if self._gone:
                return
            if self._dialog is not None:
                self._dialog.accept()
                self._dialog = None
            self.open_path(path)  # the saved file, verified afresh: both signatures

        def failed(exc: BaseException) -> None:
            if not self._gone and self._dialog is not None:
                self._dialog.say(_message(exc))

        self.session.run(job, done, failed)


def _text_box(name: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)
    return box


def _message(exc: BaseException) -> str:
    if isinstance(exc, FieldbookError):
        return exc.message
    raise exc
