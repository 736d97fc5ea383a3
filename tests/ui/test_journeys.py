"""Journeys of the desktop app's users, driven only by the user robot (keys, clicks, screen reader)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QPushButton, QWidget

from app.core.clock import FixedClock
from app.core.crypto.keys import cert_pem, generate_identity
from app.ui.main import make_app
from app.ui.main_window import MainWindow
from app.ui.session import Session
from tests.ui.user import User, UserError

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
    create_vault_as(user, "Sam Carter", "Social worker")


def create_vault_as(user: User, name: str, role: str) -> None:
    """First run for a named person."""
    user.click("Your name")
    user.type(name)
    user.press("Tab")
    user.type(role)
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
    letters = [letter for letter, _ in user.mnemonics()]
    assert len(letters) == len(set(letters)), user.mnemonics()
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
    user.wait_until(lambda: "Saved to" in banner(user, "Export"), "the pack to be saved")
    summary = banner(user, "Export")
    assert "VERIFIED" in summary and str(out) in summary and "Encrypted" in summary
    assert export.isVisible()
    user.wait_for_window("Export a pack")  # back to the export window …
    user.press("Escape")  # … to close it: the case's Packs tab lists the new pack
    user.wait_gone("Export a pack")
    user.click("Back to the case")
    user.wait_for("Case summary")
    user.click_tab("Packs")
    user.wait_until(
        lambda: any("referral.p7m" in cell for row in user.rows("Packs") for cell in row), "the pack"
    )
    report = verify_bytes(
        out.read_bytes(),
        session.call(trust_roots),
        now=CLOCK.now(),
        key=(front_door.cert, front_door.key),  # type: ignore[attr-defined]
    )
    assert report.status == "valid", report.text()


def signed_pack(folder: Path, name: str, stem: str) -> tuple[Path, object]:
    """A conference pack of the demo case signed by ``name`` in their own new vault
    (``<stem>.fieldbook``; core, as the CLI does), saved as ``<stem>-conference.zip`` in
    ``folder``; returns it and the signer's certificate."""
    from app.core import identity
    from app.core.demo import create_demo
    from app.core.forms import load_registry
    from app.core.packs.export import ExportOptions, export_pack
    from app.core.store import Store, Vault

    registry = load_registry()
    vault = Vault.create(folder / f"{stem}.fieldbook", PASS, clock=CLOCK)
    store = Store(vault)
    store.set_profile(name, "Social worker", "Northshire Children's Services")
    identity.on_vault_created(store, PASS, clock=CLOCK)
    case_id = create_demo(store, registry)
    built = export_pack(
        store,
        registry,
        case_id,
        identity.load_identity(store, PASS),
        ExportOptions(kind="conference"),
        clock=CLOCK,
    )
    path = folder / f"{stem.lower()}-conference.zip"
    path.write_bytes(built.data)
    cert = identity.current_certificate(store)
    vault.close()
    return path, cert


def practitioner_packs(folder: Path) -> tuple[Path, Path, Path, object]:
    """Made before the manager sits down, in another practitioner's vault: a signed conference
    pack, the same pack tampered with, and a pack by a stranger. Returns them and the
    practitioner's certificate."""
    from app.core.packs.safezip import read_zip, write_zip

    pack, cert = signed_pack(folder, "Sam Carter", "Sam")
    stranger, _ = signed_pack(folder, "Alex Stranger", "Alex")
    entries = read_zip(pack.read_bytes())
    data = entries["data.json"].replace(b'"final"', b'"draft"', 1)
    tampered = folder / "tampered.zip"
    tampered.write_bytes(write_zip([(n, data if n == "data.json" else b, True) for n, b in entries.items()]))
    return pack, tampered, stranger, cert


def banner(user: User, which: str = "Verification") -> str:
    """What the verdict banner says: its headline and, under it, the details."""
    text = user.read(f"{which} result")
    return text + "\n" + user.read(f"{which} details") if user.sees(f"{which} details") else text


def open_pack(user: User, path: Path) -> QWidget:
    """Ctrl+O, type the file's path, Enter: the review window opens on it."""
    user.press("Ctrl+O")
    save_as(user, "Open a pack to review", path)
    window = user.wait_for_window(f"Review — {path.name}")
    user.wait_until(lambda: "Checking" not in user.read("Verification result"), "the pack to be checked")
    return window


def test_manager_journey_by_keyboard(user: User, session: Session, tmp_path: Path) -> None:
    """A manager opens a practitioner's pack: the banner says verified, in words, and who signed;
    the PDF, the child's words and the data are there; they return it with a comment,
    countersigned, and the saved pack verifies with both signatures. A tampered pack is invalid
    with its reasons and cannot be countersigned; a stranger's pack is intact but untrusted."""
    from app.core import identity
    from app.core.packs.verify import verify_bytes

    pack, tampered, stranger, cert = practitioner_packs(tmp_path)
    create_vault_as(user, "Priya Shah", "Team manager")
    # the practitioner gave the manager their certificate file; the manager trusts it in Settings…
    cert_file = tmp_path / "sam-carter.pem"
    cert_file.write_bytes(cert_pem(cert))  # type: ignore[arg-type]
    user.press("Ctrl+,")
    user.wait_for_window("Settings")
    user.choose("Use the certificate for", "Practitioner")
    user.click("Add a certificate")
    save_as(user, "Choose a certificate", cert_file)
    user.wait_until(lambda: user.sees_text("Added sam-carter.pem"), "the certificate to be trusted")
    user.press("Escape")
    user.wait_gone("Settings")

    review = open_pack(user, pack)
    said = banner(user)
    assert "VERIFIED" in said and "Signed by Sam Carter" in said
    assert user.sees("The pack's PDF")
    user.click_tab("Child's words")
    assert "“" in user.read("The child's words")
    user.click_tab("Structured data")
    assert "fieldbook-case" in user.read("Structured data")

    user.click("Countersign")
    user.wait_for_window("Countersign the pack")
    letters = [letter for letter, _ in user.mnemonics()]
    assert len(letters) == len(set(letters)), user.mnemonics()
    user.click("Return for changes")
    user.click("Review comment")
    user.type("Please add the school's view before conference.")
    user.click("Countersign and save")
    out = tmp_path / "reviewed.zip"
    save_as(user, "Save the countersigned pack", out)
    user.wait_gone("Countersign the pack")
    user.wait_until(lambda: "as reviewer" in banner(user), "the countersigned pack")
    said = banner(user)
    assert "VERIFIED" in said and "Signed by Priya Shah" in said and "Review: return" in said
    report = verify_bytes(out.read_bytes(), session.call(identity.trust_roots), now=CLOCK.now())
    assert report.status == "valid" and len(report.signers) == 2
    review.close()

    open_pack(user, tampered)
    said = banner(user)
    assert "INVALID" in said and "• " in said  # each reason on its own line
    with pytest.raises(UserError, match="greyed out"):
        user.click("Countersign")

    user.wait_for_window("Fieldbook —")
    user.drop_file(stranger)  # dragged from the file manager onto the main window
    user.wait_for_window(f"Review — {stranger.name}")
    user.wait_until(lambda: "Checking" not in user.read("Verification result"), "the pack to be checked")
    said = banner(user)
    assert "NOT TRUSTED" in said and "Signed by Alex Stranger" in said
    user.click("Countersign")
    user.wait_until(lambda: "trust store" in banner(user), "the refusal")
    assert not user.sees("Countersign the pack", QDialog)


def test_the_author_cannot_countersign_their_own_pack(user: User, session: Session, tmp_path: Path) -> None:
    """A practitioner who opens their own pack for review is told, in the banner, that a
    countersignature must come from someone else."""
    from app.core import identity
    from app.core.store import Store, Vault

    pack, _, _, _ = practitioner_packs(tmp_path)
    create_vault(user)
    author = Store(Vault.open(tmp_path / "Sam.fieldbook", PASS, clock=CLOCK))
    p12 = author.get_identity()
    author.vault.close()
    assert p12 is not None
    # the author's own certificate, as Settings… → Import a P12 would bring it in
    session.call(lambda s: identity.import_p12(s, p12[0], PASS, PASS))
    open_pack(user, pack)
    assert "VERIFIED" in banner(user)
    user.click("Countersign")
    user.wait_until(lambda: "someone else" in banner(user), "the refusal")
    assert not user.sees("Countersign the pack", QDialog)


def new_case(user: User, reference: str, given: str, family: str, born: str) -> None:
    """Ctrl+N, the case reference and one child, Enter."""
    user.press("Ctrl+N")
    user.wait_for_window("New case")
    user.type(reference)
    user.click("Child 1 First name")
    user.type(given)
    user.press("Tab")
    user.type(family)
    user.press("Tab")
    user.type(born)
    user.press("Return")
    user.wait_gone("New case")
    user.wait_for_text(f"Case {reference}")


MENU = {
    "File": [
        ("New case…", "Ctrl+N"),
        ("Open pack…", "Ctrl+O"),
        ("Export pack…", "Ctrl+E"),
        ("Settings…", "Ctrl+,"),
        ("Lock", "Ctrl+L"),
    ],
    "View": [("Find", "Ctrl+F"), ("Visit mode", "Ctrl+Shift+H")],
    "Help": [("Keyboard shortcuts", "F1")],
}


def test_every_menu_command_by_its_shortcut(user: User) -> None:
    """The menu bar lists every command with its shortcut, and each shortcut does what its
    entry says: a window opens (Esc closes it), the search takes focus, visit mode hides the
    case list, Lock asks for the passphrase."""
    create_vault(user)
    new_case(user, "FB-M-1", "Maya", "Okafor", "2017-03-02")
    assert user.menu_entries() == MENU

    def window_opens(title: str) -> None:
        user.wait_for_window(title)
        user.press("Escape")
        user.wait_gone(title)

    effects = {
        "New case…": lambda: window_opens("New case"),
        "Open pack…": lambda: window_opens("Open a pack to review"),
        "Export pack…": lambda: window_opens("Export a pack"),
        "Settings…": lambda: window_opens("Settings"),
        "Keyboard shortcuts": lambda: window_opens("Keyboard shortcuts"),
        "Find": lambda: user.wait_until(lambda: user.focus_name() == "Search cases", "the search"),
        "Visit mode": lambda: user.wait_until(lambda: not user.sees("Case list"), "the list to hide"),
        "Lock": lambda: user.wait_for("Passphrase"),
    }
    done = []
    last = [("Lock", "Ctrl+L")]  # then the passphrase is asked for
    for text, keys in [e for entries in MENU.values() for e in entries if e not in last] + last:
        if True:
            user.click("Case summary")  # start from the main window each time
            user.press(keys)
            effects[text]()
            done.append(text)
            if text == "Visit mode":
                user.press(keys)
                user.wait_for("Case list")
    assert sorted(done) == sorted(effects)
    user.type(PASS)  # Lock came last: unlock again
    user.press("Return")
    user.wait_for("Search cases")


def test_a_menu_entry_chosen_with_the_mouse(user: User) -> None:
    """Help → Keyboard shortcuts, clicked through the menu bar, lists every command's keys."""
    create_vault(user)
    user.menu("Help", "Keyboard shortcuts")
    user.wait_for_window("Keyboard shortcuts")
    text = user.screen_text()
    for entries in MENU.values():
        for name, keys in entries:
            assert keys in text and name.rstrip("…") in text


def test_mnemonics_are_unique_in_every_window(user: User, tmp_path: Path) -> None:
    """No two things a person can see in one window share an Alt+letter: the main window with a
    case, with a record open, and the new case, export, addendum and review windows."""

    def unique(where: str) -> None:
        seen: dict[str, str] = {}
        for letter, text in user.mnemonics():
            assert letter not in seen, f"{where}: Alt+{letter} is both {seen[letter]!r} and {text!r}"
            seen[letter] = text

    unique("the first-run page")
    create_vault(user)
    user.press("Ctrl+L")
    user.wait_for("Passphrase")
    unique("the unlock page")
    user.type(PASS)
    user.press("Return")
    user.wait_for("Search cases")

    unique("the main window")
    user.press("Ctrl+N")
    user.wait_for_window("New case")
    unique("New case")
    user.press("Escape")
    new_case(user, "FB-M-2", "Maya", "Okafor", "2017-03-02")
    for tab in ("Overview", "Child's voice", "Chronology", "Packs"):
        user.click_tab(tab)
        unique(f"the case, {tab} tab")
    user.press("Ctrl+E")
    user.wait_for_window("Export a pack")
    unique("Export a pack")
    user.press("Escape")
    user.click_tab("Child's voice")
    user.click("New Child's voice")
    user.wait_for("Date and time seen")
    unique("the record editor")
    user.press("Ctrl+Shift+H")
    unique("visit mode")
    user.press("Ctrl+Shift+H")
    pack, *_ = practitioner_packs(tmp_path)
    open_pack(user, pack)
    unique("the review window")
    user.click("Countersign")  # this vault does not trust the pack's author: refused, no dialog
    assert not user.sees("Countersign the pack", QDialog)


def test_visit_mode_hides_every_other_family(user: User) -> None:
    """With visit mode on, the case list, the search and the other family's names are gone (also
    after a lock and unlock) until it is turned off; Find does nothing meanwhile."""
    create_vault(user)
    new_case(user, "FB-V-1", "Maya", "Okafor", "2017-03-02")
    new_case(user, "FB-V-2", "Theo", "Brennan", "2019-06-11")
    user.wait_until(lambda: len(user.rows("Case list")) == 2, "both cases to be listed")
    assert user.sees_text("Okafor") and user.sees_text("Brennan")
    user.press("Ctrl+Shift+H")
    user.wait_for_text("Visit mode")

    def only_this_family() -> None:
        assert not user.sees("Case list") and not user.sees("Search cases")
        assert user.sees_text("Brennan") and not user.sees_text("Okafor")

    only_this_family()
    user.press("Ctrl+F")
    assert user.focus_name() != "Search cases"
    user.press("Ctrl+L")
    user.wait_for("Passphrase")
    user.type(PASS)
    user.press("Return")
    user.wait_for_text("Case FB-V-2")  # the visit's case comes back, and only it
    only_this_family()
    user.press("Ctrl+Shift+H")
    user.wait_for("Case list")
    assert user.sees_text("Okafor")


def test_arrow_keys_stay_on_the_family_while_a_record_is_open(user: User) -> None:
    """With a record open, F6 reaches the case list, where the arrow keys do not bring another
    family's case up; F6 goes on to the case and back to the record."""
    create_vault(user)
    new_case(user, "FB-A-1", "Maya", "Okafor", "2017-03-02")
    new_case(user, "FB-A-2", "Theo", "Brennan", "2019-06-11")
    user.click_tab("Child's voice")
    user.click("New Child's voice")
    user.wait_for("Date and time seen")
    user.type("first words")
    regions = []
    for _ in range(3):
        user.press("F6")
        regions.append(user.focus_name())
        if user.focus_name() == "Case list":
            user.press("Up", "Down", "Home", "End", "O")
    assert "Case list" in regions
    assert user.sees("Date and time seen")  # the record is still open …
    user.click("Back to the case")
    summary = user.wait_for("Case summary") and user.read("Case summary")
    assert "Brennan" in summary and "Okafor" not in summary  # … on the same family's case


def test_lock_hides_the_case_at_once_while_the_database_is_busy(user: User, session: Session) -> None:
    """Ctrl+L with a record open while the database thread is busy (as when a large pack signs):
    the case is off the screen before the draft is saved and the vault closed, and the draft is
    there after unlocking."""
    from PySide6.QtCore import QTimer

    create_vault(user)
    new_case(user, "FB-L-1", "Maya", "Okafor", "2017-03-02")
    user.click_tab("Child's voice")
    user.click("New Child's voice")
    user.wait_for("Date and time seen")
    user.click("What the child wants to happen")
    user.type("To see her brother at weekends")
    held, release = threading.Event(), threading.Event()
    session.run(lambda _store: (held.set(), release.wait(60)))
    assert held.wait(30)
    state: dict[str, object] = {"pressed": False}

    def look_while_locking() -> None:
        if not state["pressed"]:
            QTimer.singleShot(0, look_while_locking)
            return
        state["passphrase shown"] = user.sees("Passphrase")
        state["case shown"] = user.sees_text("Okafor") or user.sees_text("To see her brother")
        release.set()  # the database thread is free again: the draft is saved, the vault closes

    QTimer.singleShot(0, look_while_locking)
    state["pressed"] = True
    user.press("Ctrl+L")
    assert state == {"pressed": True, "passphrase shown": True, "case shown": False}
    user.type(PASS)
    user.press("Return")
    user.wait_for("Search cases")
    user.wait_until(lambda: user.rows("Case list"), "the case list")
    user.click_row("Case list", "FB-L-1")
    user.wait_for_text("Case FB-L-1")
    user.click_tab("Child's voice")
    user.wait_until(
        lambda: any("Draft" in cell for row in user.rows("Child's voice records") for cell in row),
        "the draft",
    )
