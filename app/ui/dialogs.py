"""Dialogs that never block the caller: file choosers, a yes/no question, the shortcut list.

Every dialog in the app is opened with ``open()``/``show()`` and answers through a callback, so
the window keeps painting and a lock can close it; no nested event loop (``exec()``) is left
running under a dialog when the vault locks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def buddy(text: str, widget: QWidget) -> QLabel:
    """A label whose mnemonic (Alt+letter) moves focus to ``widget``."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def error_and_buttons(
    dialog: QDialog, lay: QVBoxLayout, accept_text: str, submit: Callable[[], None]
) -> tuple[QLabel, QPushButton]:
    """The foot of a form dialog: the error line (plain text, so a refusal cannot inject markup)
    above ``accept_text`` and Cancel; accepting calls ``submit``, which decides whether to close."""
    error = QLabel()
    error.setObjectName("error")
    error.setWordWrap(True)
    error.setTextFormat(Qt.TextFormat.PlainText)
    lay.addWidget(error)
    buttons = QDialogButtonBox()
    accept = buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(submit)
    buttons.rejected.connect(dialog.reject)
    lay.addWidget(buttons)
    return error, accept


def ask_open_file(parent: QWidget, title: str, pattern: str, chosen: Callable[[Path], None]) -> QFileDialog:
    """Choose an existing file; ``chosen`` runs only if the person picks one."""
    dlg = QFileDialog(parent, title, "", pattern)
    dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    return _open(dlg, chosen)


def ask_save_file(
    parent: QWidget, title: str, pattern: str, suggested: str, chosen: Callable[[Path], None]
) -> QFileDialog:
    """Choose where to save; a name without a suffix gets the pattern's first one."""
    dlg = QFileDialog(parent, title, "", pattern)
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dlg.setFileMode(QFileDialog.FileMode.AnyFile)
    suffix = pattern.partition("*.")[2].split(")")[0].split(" ")[0]
    if suffix:
        dlg.setDefaultSuffix(suffix)
    dlg.selectFile(suggested)
    return _open(dlg, chosen)


def ask_folder(parent: QWidget, title: str, chosen: Callable[[Path], None]) -> QFileDialog:
    """Choose a folder."""
    dlg = QFileDialog(parent, title, "")
    dlg.setFileMode(QFileDialog.FileMode.Directory)
    dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
    return _open(dlg, chosen)


def _open(dlg: QFileDialog, chosen: Callable[[Path], None]) -> QFileDialog:
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.fileSelected.connect(lambda name: chosen(Path(name)) if name else None)
    dlg.open()
    return dlg


def confirm(parent: QWidget, title: str, question: str, yes: str, then: Callable[[], object]) -> QMessageBox:
    """Ask a yes/no question; ``then`` runs if the person chooses ``yes`` (the named button)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda b: then() if b is ok else None)
    box.open()
    return box


class ShortcutsDialog(QDialog):
    """F1: every command with its keys, as a plain list a screen reader reads in order."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        width = max(len(keys) for keys, _ in rows)
        text = "\n".join(f"{keys.ljust(width)}   {what}" for keys, what in rows)
        body = QLabel(text)
        body.setTextFormat(Qt.TextFormat.PlainText)
        body.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        body.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        body.setStyleSheet("font-family: monospace;")
        lay.addWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
