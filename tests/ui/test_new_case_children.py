"""The new-case dialog and the case header for a child whose name is not yet known, and each
child's legal status beside where they live (issue 15)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.clock import FixedClock
from app.core.errors import NotFound
from app.ui.main import make_app
from app.ui.main_window import MainWindow, NewCaseDialog
from app.ui.session import Session
from tests.ui.test_app import create_vault


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    make_app()
    session = Session(
        tmp_path / "vault.fieldbook", clock=FixedClock(datetime(2026, 12, 2, 9, tzinfo=UTC)), inline=True
    )
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    return win


def _new_case_for_maya(window: MainWindow, reference: str, given: str) -> tuple[NewCaseDialog, dict]:
    """A fresh vault and the new-case dialog filled in for Maya Okafor (given name as given)."""
    create_vault(window)
    dialog = NewCaseDialog(window)
    dialog.reference.setText(reference)
    maya = dialog.child_rows[0]
    maya["given"].setText(given)
    maya["family"].setText("Okafor")
    maya["dob"].setText("02/03/2017")
    return dialog, maya


def test_a_baby_with_no_name_yet_is_created_and_flagged_in_the_header(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Ticking "Name not yet known" greys out the name fields; the case opens with the baby shown as
    "Unborn baby (name not yet known)" and flagged, beside a sibling's legal status and where she
    lives; once named, the header shows the name and no flag."""
    dialog, maya = _new_case_for_maya(window, "FB-UI-NN", "Maya")
    maya["legal"].setCurrentIndex(maya["legal"].findData("child_protection_plan"))
    maya["lives"].setCurrentIndex(maya["lives"].findData("kinship_care"))
    dialog.add_child_row()
    baby = dialog.child_rows[1]
    baby["unnamed"].setChecked(True)
    assert not baby["given"].isEnabled() and not baby["family"].isEnabled()
    baby["due"].setText("01/02/2027")
    window._create_case(dialog)
    assert dialog.error.text() == ""
    qtbot.waitUntil(lambda: "FB-UI-NN" in window.workspace.header.text(), timeout=5000)
    header = window.workspace.header.text()
    assert "Unborn baby (name not yet known)" in header and "⚑ NAME NOT YET KNOWN" in header
    assert "Child protection plan; Kinship care (with relatives or friends)" in header

    case = window.session.call(lambda s: s.get_case(s.find_case("FB-UI-NN")))
    window.session.call(lambda s: s.name_child(case.children[1].id, "Ada", "Okafor"))
    window.open_case(case.id)
    qtbot.waitUntil(lambda: "Ada Okafor" in window.workspace.header.text(), timeout=5000)
    assert "NAME NOT YET KNOWN" not in window.workspace.header.text()


def test_new_case_refuses_a_c1_control_character_in_a_name(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A name carrying an 8-bit CSI (U+009B, starts a terminal escape) is refused in the dialog,
    naming the field and the character, and no case is created."""
    dialog, _ = _new_case_for_maya(window, "FB-UI-C1", "Maya\x9b2J")
    window._create_case(dialog)
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=5000)
    assert "Given name" in dialog.error.text() and "U+009B CSI" in dialog.error.text()
    with pytest.raises(NotFound):
        window.session.call(lambda s: s.find_case("FB-UI-C1"))
