"""A passphrase field whose characters never reach accessibility events or the clipboard.

Security rule: Qt's QLineEdit, even in Password mode, sends every typed character in
``TextInserted``/``TextUpdated`` accessibility events (a screen reader bridge, or any process
listening on the accessibility bus, would receive the passphrase in clear). Here the line edit
itself only ever holds "•" placeholders, one per character; the passphrase lives beside it in
Python. Positions match one to one, so cursor movement, selection, Backspace, Delete, undo
(which clears a password line) and every other editing key keep working on the placeholders and
the secret follows. Paste (Ctrl+V, Shift+Insert, middle click) and input-method commits are
intercepted and inserted as placeholders. Showing the passphrase puts the real text in the line.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QInputMethodEvent, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

MASK = "•"


class PassphraseEdit(QLineEdit):
    """``text()`` is the passphrase; the underlying line edit holds only placeholders."""

    secret_changed = Signal()
    caps_lock_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._secret = ""
        self._shown = False
        self.caps_lock: bool | None = None  # unknown until a letter is typed
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setAcceptDrops(False)  # a drop would insert clear text
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)  # its Paste bypasses us
        super().textChanged.connect(self._sync)

    # -- the secret ---------------------------------------------------------------------------
    def text(self) -> str:
        return super().text() if self._shown else self._secret

    def setText(self, text: str) -> None:  # type: ignore[override]
        self._secret = text
        super().setText(text if self._shown else MASK * len(text))
        self.secret_changed.emit()

    def clear(self) -> None:
        self.setText("")

    def set_shown(self, shown: bool) -> None:
        """Show the passphrase in clear (the user asked to) or mask it again."""
        secret = self.text()
        self._shown = shown
        self.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        super().setText(secret if shown else MASK * len(secret))
        self._secret = secret

    def _sync(self, shown_text: str) -> None:
        # Every change not made by _insert is a removal (Backspace, Delete, cut, undo): the
        # cursor sits where the removed run began.
        if self._shown:
            self._secret = shown_text
        elif len(shown_text) < len(self._secret):
            at, gone = self.cursorPosition(), len(self._secret) - len(shown_text)
            self._secret = self._secret[:at] + self._secret[at + gone :]
        self.secret_changed.emit()

    def _insert(self, text: str) -> None:
        text = "".join(ch for ch in text if ch.isprintable())
        if not text:
            return
        if self._shown:
            super().insert(text)
            return
        start = self.selectionStart() if self.hasSelectedText() else self.cursorPosition()
        end = start + len(self.selectedText())
        self._secret = self._secret[:start] + text + self._secret[end:]
        super().textChanged.disconnect(self._sync)
        try:
            super().insert(MASK * len(text))  # replaces the selection, as typing does
        finally:
            super().textChanged.connect(self._sync)
        self.secret_changed.emit()

    # -- input paths --------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if event.matches(QKeySequence.StandardKey.Paste):
            self._insert(QGuiApplication.clipboard().text())
            return
        if event.matches(QKeySequence.StandardKey.Copy) or event.matches(QKeySequence.StandardKey.Cut):
            return  # never put the passphrase on the clipboard
        control = event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        if text and text.isprintable() and not control:
            self._note_caps_lock(event)
            self._insert(text)
            return
        super().keyPressEvent(event)

    def _note_caps_lock(self, event: QKeyEvent) -> None:
        # Qt has no portable Caps Lock query: a letter whose case disagrees with Shift says it.
        letter = event.text()
        if len(letter) != 1 or not letter.isalpha() or letter.lower() == letter.upper():
            return
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        caps = letter.isupper() != shift
        if caps != self.caps_lock:
            self.caps_lock = caps
            self.caps_lock_changed.emit(caps)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        if self._shown:
            super().inputMethodEvent(event)
            return
        # Composed characters (dead keys, compose) arrive here: insert them ourselves, and keep
        # the preedit text out of the line.
        self._insert(event.commitString())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:  # X11 selection paste
            clip = QGuiApplication.clipboard()
            self._insert(clip.text(clip.Mode.Selection))
            return
        super().mouseReleaseEvent(event)


class PassphraseField(QWidget):
    """The passphrase, a Show toggle beside it, and a Caps Lock warning beneath."""

    def __init__(
        self, name: str = "Passphrase", parent: QWidget | None = None, *, toggle: bool = True
    ) -> None:
        super().__init__(parent)
        self.edit = PassphraseEdit()
        self.edit.setAccessibleName(name)
        self.toggle = QToolButton()
        self.toggle.setObjectName("toggle")  # styled as a button (theme.py)
        self.toggle.setText("Show")
        self.toggle.setCheckable(True)
        self._name = name.lower()
        self.toggle.setAccessibleName(f"Show {self._name}")
        self.toggle.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.toggle.toggled.connect(self._toggled)
        self.caps = QLabel("⚠ Caps Lock is on")
        self.caps.setObjectName("warning")
        self.caps.hide()
        self.edit.caps_lock_changed.connect(self.caps.setVisible)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(4)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        if toggle:
            row.addWidget(self.toggle)
        else:  # a page with two passphrases shows both with one control after them
            self.toggle.hide()
        col.addLayout(row)
        col.addWidget(self.caps)
        self.setFocusProxy(self.edit)

    def _toggled(self, shown: bool) -> None:
        self.edit.set_shown(shown)
        verb = "Hide" if shown else "Show"
        self.toggle.setText(verb)
        self.toggle.setAccessibleName(f"{verb} {self._name}")


def ask_passphrase(parent: QWidget | None, prompt: str, title: str = "Fieldbook") -> str | None:
    """Ask for a passphrase or password in a small dialog (the field above, with Show and the
    Caps Lock warning); None if cancelled. Used where a secret is needed in the middle of a
    task (a backup's passphrase, a P12 password) instead of QInputDialog, whose password line
    sent every character to accessibility listeners."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox

    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    lay = QVBoxLayout(dialog)
    label = QLabel(prompt)
    label.setWordWrap(True)
    field = PassphraseField(prompt.split(" (", 1)[0])
    label.setBuddy(field.edit)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    field.edit.returnPressed.connect(dialog.accept)
    for w in (label, field, buttons):
        lay.addWidget(w)
    field.edit.setFocus()
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    secret = field.edit.text()
    field.edit.clear()
    dialog.deleteLater()
    return secret if accepted else None
