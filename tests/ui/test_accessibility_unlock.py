"""The unlock page as a screen-reader and keyboard user meets it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAccessible, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication

from app.core.clock import FixedClock
from app.ui.main import make_app
from app.ui.session import Session
from app.ui.unlock import UnlockPage
from app.ui.widgets.passphrase import PassphraseEdit
from tests.ui.accessibility import listening

SECRET = "Heron at dusk 42"


def _page(qtbot, tmp_path: Path) -> UnlockPage:  # type: ignore[no-untyped-def]
    make_app()
    from datetime import UTC, datetime

    session = Session(
        tmp_path / "v.fieldbook", clock=FixedClock(datetime(2026, 11, 20, tzinfo=UTC)), inline=True
    )
    page = UnlockPage(session)
    qtbot.addWidget(page)
    page.show()
    return page


def test_typed_passphrase_is_never_in_accessibility_events(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every character typed, pasted, deleted or set reaches no listener on the accessibility bus."""
    page = _page(qtbot, tmp_path)
    edit = page.passphrase
    with listening() as heard:
        qtbot.keyClicks(edit, SECRET)
        qtbot.keyClick(edit, Qt.Key.Key_Backspace)
        qtbot.keyClick(edit, Qt.Key.Key_Home)
        qtbot.keyClick(edit, Qt.Key.Key_Delete)
        QGuiApplication.clipboard().setText("pasted words")
        qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        edit.setText(SECRET)
        value = QAccessible.queryAccessibleInterface(edit).text(QAccessible.Text.Value)
    assert edit.text() == SECRET
    from_field = [h for h in heard if h.source is edit]
    assert from_field, "the field sent no events at all: the listener is not working"
    carried = "".join(h.text for h in heard)
    for word in ("Heron", "dusk", "42", "pasted", "H", "4"):
        assert word not in carried
    assert set(value) <= {"●", "•", "*"} and len(value) == len(SECRET)
    QGuiApplication.clipboard().clear()


def test_editing_keys_keep_the_passphrase_in_step(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Backspace, Delete, a selection typed over and a paste edit the real passphrase."""
    page = _page(qtbot, tmp_path)
    edit = page.passphrase
    qtbot.keyClicks(edit, "abcdef")
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)  # abcde
    qtbot.keyClick(edit, Qt.Key.Key_Home)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)  # bcde
    qtbot.keyClick(edit, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(edit, "X")  # Xcde
    QGuiApplication.clipboard().setText("12")
    qtbot.keyClick(edit, Qt.Key.Key_End)
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert edit.text() == "Xcde12"
    qtbot.keyClick(edit, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)  # copy does nothing
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    assert edit.text() == ""
    QGuiApplication.clipboard().clear()


def test_show_passphrase_toggle_reveals_and_hides(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The Show button puts the typed passphrase in view and Hide masks it again, unchanged."""
    page = _page(qtbot, tmp_path)
    qtbot.keyClicks(page.passphrase, "kestrel")
    page.show_passphrase.setFocus()
    qtbot.keyClick(page.show_passphrase, Qt.Key.Key_Space)
    assert page.passphrase.displayText() == "kestrel"
    assert page.show_passphrase.accessibleName() == "Hide passphrase"
    qtbot.keyClicks(page.passphrase, " wing")
    qtbot.keyClick(page.show_passphrase, Qt.Key.Key_Space)
    assert page.passphrase.displayText() != "kestrel wing"
    assert page.passphrase.text() == "kestrel wing"


def test_caps_lock_is_warned_about(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A capital letter typed without Shift shows the Caps Lock warning; a small one clears it."""
    page = _page(qtbot, tmp_path)
    edit: PassphraseEdit = page.passphrase
    edit.setFocus()
    QApplication.sendEvent(
        edit, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "A")
    )
    assert page.caps_warning.isVisible() and "Caps Lock" in page.caps_warning.text()
    QApplication.sendEvent(
        edit, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_B, Qt.KeyboardModifier.NoModifier, "b")
    )
    assert not page.caps_warning.isVisible()
    assert edit.text() == "Ab"


def test_unlock_errors_are_announced(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A failed unlock is said aloud, and the message label reads as its text, not a fixed name."""
    page = _page(qtbot, tmp_path)
    qtbot.keyClicks(page.passphrase, "not the passphrase")
    with listening() as heard:
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    said = [h.text for h in heard if h.type == QAccessible.Event.Announcement]
    assert said[0] == "Unlocking…" and said[-1].startswith("✖ No vault at")
    iface = QAccessible.queryAccessibleInterface(page.error)
    assert iface.text(QAccessible.Text.Name) == said[-1]


def test_a_passphrase_asked_mid_task_is_not_heard_either(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The backup or P12 prompt (settings) uses the same field: typed text reaches no listener,
    and OK gives back exactly what was typed."""
    from PySide6.QtCore import QTimer

    from app.ui.widgets.passphrase import ask_passphrase

    make_app()
    heard_all: list = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        edit = dialog.findChild(PassphraseEdit)
        with listening() as heard:
            qtbot.keyClicks(edit, "otter under the bridge")
        heard_all.extend(heard)
        qtbot.keyClick(edit, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)
    assert ask_passphrase(None, "The backup's passphrase") == "otter under the bridge"
    assert heard_all and not [h for h in heard_all if "otter" in h.text or "bridge" in h.text]
