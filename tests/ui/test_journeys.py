"""Journeys of the desktop app's users, driven only by the user robot (keys, clicks, screen reader)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton

from app.core.clock import FixedClock
from app.core.crypto.keys import cert_pem, generate_identity
from app.ui.main import make_app
from app.ui.main_window import MainWindow
from app.ui.session import Session
from tests.ui.user import User

PASS = "kestrel over the water meadow"
# The offscreen platform says it cannot raise windows or grab the keyboard for a popup (a file
# chooser's completer); a desktop can. Any other Qt warning fails a journey.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)


# Now, fixed: the PDF signing library stamps signatures with the real time, so certificates made
# with the app's clock must already be valid then.
CLOCK = FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def session(tmp_path: Path) -> Session:
    """The app's session on a fresh vault path, with the real database thread."""
    return Session(tmp_path / "vault.fieldbook", clock=CLOCK)


@pytest.fixture
def user(qtbot, session: Session) -> Iterator[User]:  # type: ignore[no-untyped-def]
    """Start the app as `fieldbook` does and sit a user at it."""
    make_app()
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    person = User(qtbot)
    person.wait_for_window("Fieldbook")
    yield person
    win.close()


@contextmanager
def database_busy(session: Session) -> Iterator[None]:
    """Hold the database thread (as a large export would) until the block ends."""
    held, release = threading.Event(), threading.Event()

    def hold(_store: object) -> None:
        held.set()
        release.wait(60)

    session.run(hold)
    assert held.wait(30)
    try:
        yield
    finally:
        release.set()


def front_door_certificate(folder: Path) -> tuple[Path, object]:
    """The front door's certificate file (what a practitioner is given) and its key pair."""
    ident = generate_identity("Northshire MASH", "Front Door", "Northshire Council", now=CLOCK.now())
    path = folder / "front-door.pem"
    path.write_bytes(cert_pem(ident.cert))
    return path, ident


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


def save_as(user: User, title: str, path: Path) -> None:
    """In a file chooser: type the whole path into the name box and press Enter."""
    user.wait_for_window(title)
    user.press("Ctrl+A")
    user.type(str(path))
    user.press("Return")
    user.wait_gone(title)


def test_practitioner_journey_by_keyboard(user: User, session: Session, tmp_path: Path) -> None:
    """Create and find a case, write a child's voice record with the child's words, finalise it,
    add an addendum, then export a signed pack encrypted for the front door — typing on while it
    signs — and read the verification result and where the file is."""
    from app.core.identity import trust_roots
    from app.core.packs.verify import verify_bytes

    create_vault(user)
    user.press("Ctrl+N")
    user.wait_for_window("New case")
    user.type("FB-J-1")
    user.click("Child 1 First name")
    user.type("Maya")
    user.press("Tab")
    user.type("Okafor")
    user.press("Tab")
    user.type("2017-03-02")
    user.press("Return")
    user.wait_gone("New case")
    user.wait_for_text("Case FB-J-1")

    # find it again from the case list, by keyboard
    user.press("Ctrl+F")
    assert user.focus_name() == "Search cases"
    user.type("Maya")
    user.wait_until(lambda: len(user.rows("Case list")) == 1, "the search to find one case")
    user.press("Tab")
    assert user.focus_name() == "Case list"
    user.press("Return")
    user.wait_for_text("Case FB-J-1")

    # a new child's voice record: the cursor starts in its first field
    user.click_tab("Child's voice")
    user.click("New Child's voice")
    user.wait_for("Date and time seen")
    assert user.focus_name() == "Date and time seen"
    user.type(f"{CLOCK.now() - timedelta(days=1):%d/%m/%Y} 15:30")
    user.check_item("Children seen", "Maya")
    user.choose("Where the child was seen", "At school or college")
    user.choose("Seen and spoken to alone", "Yes")
    user.check_item("How the child communicated", user.rows("How the child communicated")[0][0])
    user.click("Add to Child's words (verbatim)")
    user.click("Child's words (verbatim) 1: Child's exact words")
    words = "I like it when Nan picks me up. Mum shouts when she is sad."
    user.type(words)
    user.click("What the child wants to happen")
    user.type("To stay at Nan's on Fridays")
    user.wait_for_text("Ready to finalise")

    user.click("Finalise")
    user.wait_for_window("Finalise record")
    user.click("Finalise", QPushButton)
    user.wait_for_text("Final")
    assert not user.sees("Save draft") or not user.find("Save draft").isEnabled()

    # one addendum dialog; the record stays in view while it is written; Ctrl+Enter adds it
    user.click("Add addendum")
    user.wait_for_window("Add an addendum")
    assert user.focus_name() == "Reason for the addendum"
    user.type("Clarification")
    user.press("Tab")
    user.type("Nan is the maternal grandmother.")
    assert user.sees_text(words)  # the original, beside the dialog
    user.press("Ctrl+Return")
    user.wait_gone("Add an addendum")
    user.wait_for_text("Nan is the maternal grandmother.")
    assert user.sees_text(words)

    # export: kind, records, prompts, preview
    user.press("Ctrl+E")
    export = user.wait_for_window("Export a pack")
    user.wait_until(lambda: user.rows("Records in the pack"), "the final record to be offered")
    assert "Checking" not in user.read("Problems and practice prompts")
    user.choose("Pack kind", "Referral pack (to the front door)")
    user.click("Preview the pack")
    user.wait_until(lambda: not user.sees("Export progress"), "the preview to be signed")

    # encrypt for the front door's certificate, then sign and save while typing elsewhere
    cert_file, front_door = front_door_certificate(tmp_path)
    user.click("Encrypt for a certificate file")
    save_as(user, "Encrypt for a certificate", cert_file)
    user.wait_until(lambda: "Northshire MASH" in user.read("Encrypt for"), "the certificate to be chosen")
    out = tmp_path / "referral.p7m"
    with database_busy(session):
        user.click("Sign and save the pack")
        save_as(user, "Save the signed pack", out)
        assert user.sees("Export progress") and user.sees("Cancel signing")
        user.click("Search cases")
        user.type("Okafor")
        assert "Okafor" in user.read("Search cases")  # the app took every key while signing
        assert user.sees("Export progress") and not out.exists()
    user.wait_until(lambda: "Saved to" in user.read("Export result"), "the pack to be saved")
    summary = user.read("Export result")
    assert "VERIFIED" in summary and str(out) in summary and "Encrypted" in summary
    assert export.isVisible()
    report = verify_bytes(
        out.read_bytes(),
        session.call(trust_roots),
        now=CLOCK.now(),
        key=(front_door.cert, front_door.key),  # type: ignore[attr-defined]
    )
    assert report.status == "valid", report.text()
