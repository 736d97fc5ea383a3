"""Tell screen readers about things that change without the focus moving.

Errors, autosaves and verification results appear in labels the user is not on; a screen reader
hears them only if the app announces them (``QAccessibleAnnouncementEvent``, Qt 6.8+). A label
that shows content never carries a fixed accessible name, so reading it gives what it says.
"""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QLabel, QWidget


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
    """A word-wrapped label whose every new text is also announced (errors urgently)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def say(self, text: str, *, urgent: bool | None = None) -> None:
        """Show and announce ``text``; a line starting ✖ or ⚠ is urgent unless told otherwise."""
        self.setText(text)
        self.setVisible(bool(text))
        if urgent is None:
            urgent = text.startswith(("✖", "⚠"))
        announce(self, text, urgent=urgent)
