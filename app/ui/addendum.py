"""Add an addendum to a final record: one dialog with the reason and the text.

The dialog is not modal, so the original record stays on screen and can still be read and
scrolled while the addendum is written. Ctrl+Enter adds it; a refusal is shown in the dialog
and nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.ui.dialogs import buddy, error_and_buttons

# Add the addendum; returns None when it was added, else what is wrong (in plain words).
Submit = Callable[[str, str], "str | None"]


class AddendumDialog(QDialog):
    """Reason and text together; closes itself once the addendum is stored."""

    def __init__(self, record_title: str, submit: Submit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.submit = submit
        self.setWindowTitle(f"Add an addendum — {record_title}")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        intro = QLabel(
            "The final record stays as it is; the addendum is added below it with your name and "
            "the time. Ctrl+Enter adds it."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for the addendum")
        self.reason.setPlaceholderText("Why is this added? e.g. a correction, later information")
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Addendum text")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(140)
        form.addRow(buddy("&Reason", self.reason), self.reason)
        form.addRow(buddy("Adde&ndum", self.text), self.text)
        lay.addLayout(form)
        self.error, self.add_button = error_and_buttons(self, lay, "&Add addendum", self._submit)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self._submit)
        self.resize(560, 360)
        self.reason.setFocus()

    def _submit(self) -> None:
        problem = self.submit(self.reason.text().strip(), self.text.toPlainText().strip())
        if problem is None:
            self.accept()
            return
        self.error.setText("✖ " + problem)
        (self.reason if "reason" in problem.lower() else self.text).setFocus()
