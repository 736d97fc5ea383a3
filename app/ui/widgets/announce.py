"""Tell screen readers about things that change without the focus moving.

Errors, autosaves and verification results appear in labels the user is not on; a screen reader
hears them only if the app announces them (``QAccessibleAnnouncementEvent``, Qt 6.8+). A label
that shows content never carries a fixed accessible name, so reading it gives what it says.
"""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QTextDocument
from PySide6.QtWidgets import QLabel, QWidget


def install_roles() -> None:
    """Give widgets Qt leaves role-less a role a screen reader can name: the PDF view is a
    document (Qt gives it none)."""
    from PySide6.QtWidgets import QAccessibleWidget

    def factory(key: str, obj: object) -> QAccessibleWidget | None:
        # by class name: importing QtPdfWidgets here would slow every start-up
        if key == "QPdfView" and isinstance(obj, QWidget):
            return QAccessibleWidget(obj, QAccessible.Role.Document, "")
        return None

    global _factory
    if _factory is None:  # kept here: Qt holds only a pointer to it
        _factory = factory
        QAccessible.installFactory(factory)


_factory: object = None


def announce(source: QWidget, text: str, *, urgent: bool = False) -> None:
    """Say ``text`` through the screen reader, politely unless ``urgent`` (an error)."""
    if not text or not QAccessible.isActive():
        return
    event = QAccessibleAnnouncementEvent(source, text)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive if urgent else QAccessible.AnnouncementPoliteness.Polite
    )
    QAccessible.updateAccessibility(event)


class StatusLabel(QLabel):
    """A word-wrapped label whose every new text is also announced (errors urgently).

    With a ``title`` ("Problems and practice prompts") the label is found by that name and its
    words are its accessible description, kept in step: a screen reader hears both, never the
    title instead of the text."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, title: str = "") -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        if title:
            self.setAccessibleName(title)
            self.setAccessibleDescription(self._plain(text))

    def _plain(self, text: str) -> str:
        if QtGui.Qt.mightBeRichText(text):
            doc = QTextDocument()
            doc.setHtml(text)
            return doc.toPlainText()
        return text

    def setText(self, text: str) -> None:
        super().setText(text)
        # a message that wraps onto another line makes its box taller: tell every box up to the
        # window (Qt stops at a fixed-width card, and the text was clipped)
        box = self.parentWidget()
        while box is not None and not box.isWindow():
            box.updateGeometry()
            box = box.parentWidget()
        if self.accessibleName():
            self.setAccessibleDescription(self._plain(text))

    def say(self, text: str, *, urgent: bool | None = None) -> None:
        """Show and announce ``text``; a line starting ✖ or ⚠ is urgent unless told otherwise."""
        self.setText(text)
        self.setVisible(bool(text))
        if urgent is None:
            urgent = text.startswith(("✖", "⚠"))
        announce(self, text, urgent=urgent)
