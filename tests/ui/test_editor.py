"""Writing and reading a record in the editor, by keyboard and screen reader (the user robot)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPlainTextEdit, QWidget

from app.core.clock import FixedClock
from app.core.store import PersonIn
from app.ui.editor import RecordEditor
from app.ui.main import make_app
from app.ui.session import Session
from tests.ui.user import User

PASS = "kestrel over the water meadow"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    """A vault with one case of two children (set up as the command line would)."""
    make_app()
    s = Session(
        tmp_path / "v.fieldbook", clock=FixedClock(datetime(2026, 11, 20, 9, 30, tzinfo=UTC)), inline=True
    )
    s.create(
        PASS, "Sam Carter", "Social worker", "Northshire", lambda _: None, lambda e: (_ for _ in ()).throw(e)
    )
    s.case_id = s.call(  # type: ignore[attr-defined]
        lambda st: st.create_case(
            "FB-ED-1",
            [
                PersonIn("child", "Maya", "Okafor", dob="2017-03-02"),
                PersonIn("child", "Leo", "Okafor", dob="2022-01-05"),
            ],
        )
    )
    yield s
    for w in QApplication.topLevelWidgets():  # no autosave after the vault is closed
        if isinstance(w, RecordEditor):
            w.timer.stop()
            w.hide()
    s.shutdown()


def open_editor(qtbot, session: Session, form_id: str, record_id: str | None = None) -> RecordEditor:  # type: ignore[no-untyped-def]
    """The editor as the main window shows it (the window itself is another helper's)."""
    case = session.call(lambda st: st.get_case(session.case_id))  # type: ignore[attr-defined]
    record = session.call(lambda st: st.get_record(record_id)) if record_id else None
    form = (
        session.registry.get(form_id)
        if record is None
        else session.registry.get(record.form_id, record.form_version)
    )
    editor = RecordEditor(session, case, form, record)
    qtbot.addWidget(editor)
    editor.resize(1000, 760)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    return editor


def test_a_new_editor_puts_the_focus_in_its_first_field(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    """Opening a child's voice record, the practitioner can type the date straight away."""
    open_editor(qtbot, session, "childs_voice")
    user = User(qtbot)
    user.wait_until(lambda: user.focus_name() == "Date and time seen", "the date field to take focus")
    user.type("20/11/2026 10:00")
    assert "Friday 20 November 2026, 10:00" in user.read_focus()


def fill_childs_voice(user: User) -> None:
    """What a practitioner types for a valid child's voice record (children already chosen)."""
    user.click("Date and time seen")
    user.type("20/11/2026 10:00")
    user.choose("Where the child was seen", "At school or college")
    user.choose("Seen and spoken to alone", "Yes")
    user.check_item("How the child communicated", "Talking")
    user.click("Add to Child's words (verbatim)")
    user.type("I like it when Nan picks me up")
    user.click("What the child wants to happen")
    user.type("To stay at Nan's on Fridays")


def test_tab_follows_reading_order_through_fields_added_on_the_fly(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    """A quote added after the form opened sits in the Tab order where it is on the page:
    Tab goes from its words through its other parts and on to the next field below it."""
    editor = open_editor(qtbot, session, "childs_voice")
    user = User(qtbot)
    user.click("Add to Child's words (verbatim)")
    assert user.focus_name().endswith("Child's exact words")
    names = [user.focus_name()]
    for _ in range(5):
        user.press("Tab")
        names.append(user.focus_name())
    parts = [n.split(": ", 1)[-1] for n in names[:4]]
    assert parts == ["Child's exact words", "Asked by", "What was asked", "Context (where, when, how)"]
    # then on down the page, never back to the top
    order = [w.accessibleName() for w in editor._reading_order()]
    assert order.index(names[4]) > order.index(names[3])


def test_the_childs_words_get_a_large_wrapping_box(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    """The heart of the record is not squeezed: the words box spans the editor and shows lines."""
    editor = open_editor(qtbot, session, "childs_voice")
    user = User(qtbot)
    user.click("Add to Child's words (verbatim)")
    words = user.focused()
    assert isinstance(words, QPlainTextEdit)
    assert words.width() >= 0.7 * editor.width()
    assert words.height() >= 4 * words.fontMetrics().lineSpacing()
    assert words.lineWrapMode() != QPlainTextEdit.LineWrapMode.NoWrap


def contrast(a, b) -> float:  # type: ignore[no-untyped-def]
    """WCAG contrast ratio of two colours."""

    def lum(c) -> float:  # type: ignore[no-untyped-def]
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_a_table_is_not_a_keyboard_trap(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    """Add row puts the cursor in the new row; Tab then leaves the table for the next control."""
    editor = open_editor(qtbot, session, "strategy_discussion")
    label = next(f.label for f in editor.form.all_fields() if f.type == "table")
    user = User(qtbot)
    user.click(f"Add a row to {label}")
    assert user.focus_name() == label
    user.type("Police")
    seen = []
    for _ in range(6):
        user.press("Tab")
        seen.append(user.focus_name())
        if seen[-1] == f"Add a row to {label}":
            break
    # out of the grid at once, through the row's drop-downs, on to the buttons beneath it
    assert seen[0] != label and seen[-1] == f"Add a row to {label}"
    assert all(name.startswith(f"{label} row 1") for name in seen[:-1])


def test_a_reopened_draft_shows_its_dates_day_first(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    """A date saved as ISO comes back in the field as typed (20/11/2026 10:00), read in words."""
    editor = open_editor(qtbot, session, "childs_voice")
    user = User(qtbot)
    user.wait_until(lambda: user.focus_name() == "Date and time seen", "the date field to take focus")
    user.type("20/11/2026 10:00")
    user.click("Save draft")
    rid = editor.record_id
    editor.close()
    open_editor(qtbot, session, "childs_voice", rid)
    user.wait_until(lambda: user.focus_name() == "Date and time seen", "the date field to take focus")
    assert "20/11/2026 10:00" in user.read_focus() or user.focused().text() == "20/11/2026 10:00"  # type: ignore[union-attr]
    assert "Friday 20 November 2026, 10:00" in user.read_focus()


def test_the_title_and_the_finalise_question_name_the_case_and_children(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    """The heading says which case and which child; so does the question before finalising."""
    editor = open_editor(qtbot, session, "childs_voice")
    user = User(qtbot)
    assert "Case FB-ED-1" in user.screen_text()
    user.check_item("Children seen", "Leo Okafor")
    assert "about Leo Okafor" in user.screen_text()
    assert editor.windowTitle() == "Child's voice — case FB-ED-1: Leo Okafor"
    fill_childs_voice(user)
    user.click("Finalise")
    box = user.wait_for_window("Finalise record")
    assert "FB-ED-1" in user.heard_text(box) and "Leo Okafor" in user.heard_text(box)
    user.click("Cancel")
    assert editor.status == "draft"


def test_a_final_record_opens_as_text_not_greyed_controls(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    """Finalised, the record reads as selectable text in normal contrast, reachable by Tab;
    dates in words; no disabled fields."""
    editor = open_editor(qtbot, session, "childs_voice")
    user = User(qtbot)
    user.check_item("Children seen", "Maya Okafor")
    fill_childs_voice(user)
    user.click("Finalise")
    user.wait_for_window("Finalise record")
    user.press("Return")  # Finalise is the default answer
    user.wait_until(lambda: editor.status == "final", "the record to be final")
    body = editor.scroller.widget()
    assert not [w for w in body.findChildren(QWidget) if not w.isEnabled() and w.isVisible()]
    fields = [w for w in body.findChildren(QWidget) if isinstance(w, QLineEdit | QPlainTextEdit)]
    assert not [w for w in fields if w.isVisible() and not w.isReadOnly()]
    text = user.screen_text()
    assert "Fri 20 Nov 2026, 10:00" in text and "2026-11-20" not in text
    assert "“I like it when Nan picks me up”" in text
    words = user.find("“I like it when Nan picks me up”", QLabel)
    assert words.textInteractionFlags() & words.textInteractionFlags().TextSelectableByKeyboard
    pal = words.palette()
    assert contrast(pal.color(QPalette.ColorRole.WindowText), pal.color(QPalette.ColorRole.Window)) >= 4.5
    user.wait_until(lambda: isinstance(user.focused(), QLabel), "the focus on the record's first line")
    user.press("Tab")
    assert isinstance(user.focused(), QLabel)  # Tab walks the text


def test_a_field_shown_by_an_answer_comes_next_in_tab_order(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    """Choosing "At home" shows "Child's bedroom seen" under it: Tab goes there next, not to
    the end of the form."""
    open_editor(qtbot, session, "childs_voice")
    user = User(qtbot)
    user.choose("Where the child was seen", "At home")
    user.wait_for("Child's bedroom seen")
    user.press("Tab")
    assert user.focus_name() == "Child's bedroom seen"
    user.press("Tab")
    assert user.focus_name() == "Seen and spoken to alone"
