"""Journeys of the desktop app's users, driven only by the user robot (keys, clicks, screen reader)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.clock import FixedClock
from app.ui.main import make_app
from app.ui.main_window import MainWindow
from app.ui.session import Session
from tests.ui.user import User

PASS = "kestrel over the water meadow"


@pytest.fixture
def user(qtbot, tmp_path: Path) -> Iterator[User]:  # type: ignore[no-untyped-def]
    """Start the app as `fieldbook` does (real worker thread, a fresh vault path) and sit a user at it."""
    make_app()
    clock = FixedClock(datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
    win = MainWindow(Session(tmp_path / "vault.fieldbook", clock=clock))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    person = User(qtbot)
    person.wait_for_window("Fieldbook")
    yield person
    win.close()


def create_vault(user: User) -> None:
    """First run: the person fills in who they are and a passphrase twice, by keyboard."""
    user.click("Your name")
    user.type("Sam Carter")
    user.press("Tab")
    user.type("Social worker")
    user.press("Tab")
    user.type("Northshire Children's Services")
    user.press("Tab")
    user.type(PASS)
    user.press("Tab")
    user.type(PASS)
    user.click("Create vault")
    user.wait_for("Search cases")


def test_first_run_then_lock_and_unlock_by_keyboard(user: User) -> None:
    """A new user creates a vault by typing, locks it with Ctrl+L and unlocks it by typing again."""
    create_vault(user)
    assert "Sam Carter" in user.front().windowTitle()  # type: ignore[union-attr]
    user.click("Search cases")
    user.press("Ctrl+L")
    user.wait_for("Passphrase")
    assert not user.sees("Search cases")
    assert user.focus_name() == "Passphrase"
    user.type("not the passphrase at all")
    user.press("Return")
    user.wait_for_text("passphrase is wrong")
    user.press("Ctrl+A")
    user.type(PASS)
    user.press("Return")
    user.wait_for("Search cases")
