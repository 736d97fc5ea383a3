"""The settings dialog over a real vault: auto-lock, forms folder, trust store, identity, backup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QSpinBox

from app.core.clock import FixedClock
from app.core.store import Store, Vault
from app.ui.main import make_app
from app.ui.session import Session
from app.ui.settings import SettingsDialog

PASS = "kestrel over the water meadow"


@pytest.fixture
def session(tmp_path: Path) -> Session:
    make_app()
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    s = Session(tmp_path / "vault.fieldbook", clock=clock, inline=True)
    errors: list[BaseException] = []
    s.create(
        PASS, "Sam Carter", "Social worker", "Northshire Children's Services", lambda _: None, errors.append
    )
    assert not errors and s.is_unlocked
    yield s
    s.shutdown()


def front_door_cert(path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Northshire MASH front door")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(Encoding.PEM))
    return path


def test_autolock_and_forms_folder_are_kept_in_the_vault(qtbot, session: Session, tmp_path: Path) -> None:
    """Saved auto-lock minutes and forms folder are there the next time settings open."""
    dlg = SettingsDialog(session)
    qtbot.addWidget(dlg)
    assert dlg.autolock.value() == 5
    dlg.autolock.setValue(12)
    dlg.forms_dir.setText(str(tmp_path))
    dlg.save()
    assert dlg.result() == SettingsDialog.DialogCode.Accepted
    again = SettingsDialog(session)
    qtbot.addWidget(again)
    assert again.autolock.value() == 12
    assert again.forms_dir.text() == str(tmp_path)


def test_autolock_is_limited_to_one_to_fifteen_minutes(qtbot, session: Session) -> None:
    """The practitioner cannot set an idle lock longer than 15 minutes or shorter than 1."""
    dlg = SettingsDialog(session)
    qtbot.addWidget(dlg)
    dlg.autolock.setValue(60)
    assert dlg.autolock.value() == 15
    dlg.autolock.setValue(0)
    assert dlg.autolock.value() == 1


def test_missing_forms_folder_is_named_and_nothing_is_saved(qtbot, session: Session, tmp_path: Path) -> None:
    """A forms folder that does not exist gets a message naming the field, and is not saved."""
    dlg = SettingsDialog(session)
    qtbot.addWidget(dlg)
    dlg.forms_dir.setText(str(tmp_path / "no-such-folder"))
    dlg.save()
    assert "Local forms folder" in dlg.status.text()
    assert "not a folder" in dlg.status.text()
    assert dlg.result() != SettingsDialog.DialogCode.Accepted
    assert session.call(lambda s: s.settings_get("forms.dir")) is None


def test_front_door_certificate_added_and_removed(qtbot, session: Session, tmp_path: Path) -> None:
    """A front-door certificate appears in the trust list as a destination and can be removed."""
    dlg = SettingsDialog(session)
    qtbot.addWidget(dlg)
    before = dlg.trust_model.rowCount()
    assert before >= 1  # the practitioner's own certificate, trusted at vault creation
    pem = front_door_cert(tmp_path / "front-door.pem")
    dlg.trust_kind.setCurrentIndex(dlg.trust_kind.findData("recipient"))
    dlg.ask_open = lambda *_: str(pem)
    dlg._add_cert()
    assert dlg.trust_model.rowCount() == before + 1
    labels = [dlg.trust_model.row(r) for r in range(dlg.trust_model.rowCount())]
    added = next(r for r in labels if "front door" in r["label"].lower())
    assert added["kind_text"] == "Front door (encrypt to)"
    dlg.trust_view.selectRow(labels.index(added))
    dlg._remove_cert()
    assert dlg.trust_model.rowCount() == before


def test_a_file_that_is_not_a_certificate_is_refused(qtbot, session: Session, tmp_path: Path) -> None:
    """Choosing a file that is not a certificate says so and trusts nothing new."""
    dlg = SettingsDialog(session)
    qtbot.addWidget(dlg)
    before = dlg.trust_model.rowCount()
    bad = tmp_path / "notes.pem"
    bad.write_text("shopping list, not a certificate")
    dlg.ask_open = lambda *_: str(bad)
    dlg._add_cert()
    assert dlg.status.text().startswith("✖")
    assert "ertificate" in dlg.status.text()
    assert dlg.trust_model.rowCount() == before


def test_export_certificate_and_backup_now(qtbot, session: Session, tmp_path: Path) -> None:
    """My exported certificate is the one shown, and Back up now makes a vault that opens."""
    dlg = SettingsDialog(session)
    qtbot.addWidget(dlg)
    assert "Sam Carter" in dlg.identity.text()
    out = tmp_path / "me.pem"
    dlg.ask_save = lambda *_: str(out)
    dlg._export_cert()
    cert = x509.load_pem_x509_certificate(out.read_bytes())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Sam Carter"
    backup = tmp_path / "backup.fieldbook"
    dlg.ask_save = lambda *_: str(backup)
    dlg._backup()
    assert dlg.status.text().startswith("✔"), dlg.status.text()
    copy = Vault.open(backup, PASS)
    try:
        assert Store(copy).profile().name == "Sam Carter"
    finally:
        copy.close()


def test_settings_inputs_have_accessible_names_and_model_is_sound(
    qtbot, qtmodeltester, session: Session
) -> None:
    """Screen readers can name every settings control; the trust model obeys Qt's rules."""
    dlg = SettingsDialog(session)
    qtbot.addWidget(dlg)
    for cls in (QLineEdit, QSpinBox, QComboBox, QAbstractButton):
        for w in dlg.findChildren(cls):
            if w.parent() is not None and type(w.parent()).__name__ == "QDialogButtonBox":
                continue  # standard Save/Cancel buttons carry their own text
            if isinstance(w, QLineEdit) and isinstance(w.parent(), QSpinBox):
                continue  # the spin box's inner editor
            if w.objectName().startswith("qt_"):
                continue  # Qt's own parts, e.g. the table's corner button
            assert w.accessibleName(), f"{cls.__name__} {w.objectName()} has no accessible name"
    qtmodeltester.check(dlg.trust_model)


def local_authority_p12(path: Path, password: str) -> Path:
    from app.core.crypto.keys import generate_identity, to_pkcs12

    ident = generate_identity(
        "Sam Carter",
        "Senior social worker",
        "Northshire County Council",
        now=datetime.now(UTC),
        key_bits=2048,
    )
    path.write_bytes(to_pkcs12(ident, password.encode()))
    return path


def test_import_p12_replaces_the_signing_identity(qtbot, session: Session, tmp_path: Path) -> None:
    """After importing the local authority's P12 the dialog shows the new signer."""
    dlg = SettingsDialog(session)
    qtbot.addWidget(dlg)
    p12 = local_authority_p12(tmp_path / "la.p12", "council issued secret")
    answers = iter(["council issued secret", PASS])
    dlg.ask_open = lambda *_: str(p12)
    dlg.ask_secret = lambda _prompt: next(answers)
    dlg._import_p12()
    assert dlg.status.text().startswith("✔"), dlg.status.text()
    assert "Northshire County Council" in dlg.identity.text()


def test_import_p12_with_wrong_vault_passphrase_changes_nothing(
    qtbot, session: Session, tmp_path: Path
) -> None:
    """A mistyped vault passphrase is named as the problem and the old identity stays."""
    dlg = SettingsDialog(session)
    qtbot.addWidget(dlg)
    before = dlg.identity.text()
    p12 = local_authority_p12(tmp_path / "la.p12", "council issued secret")
    answers = iter(["council issued secret", "not the vault passphrase at all"])
    dlg.ask_open = lambda *_: str(p12)
    dlg.ask_secret = lambda _prompt: next(answers)
    dlg._import_p12()
    assert dlg.status.text().startswith("✖")
    assert "Vault passphrase" in dlg.status.text()
    dlg.load()
    assert dlg.identity.text() == before


def test_restore_brings_back_the_backup_and_keeps_the_current_vault(
    qtbot, session: Session, tmp_path: Path
) -> None:
    """Restore locks the vault, puts the backup in place and keeps the newer file beside it."""
    from app.core.store import PersonIn

    kid = PersonIn(kind="child", given_name="Maya", family_name="Okafor", dob="2019-04-02")
    session.call(lambda s: s.create_case("FB-2026-0007", [kid]))
    backup = tmp_path / "backup.fieldbook"
    session.call(lambda s: s.vault.backup(backup))
    leo = PersonIn(kind="child", given_name="Leo", family_name="Okafor", dob="2021-08-15")
    session.call(lambda s: s.create_case("FB-2026-0008", [leo]))
    dlg = SettingsDialog(session)
    qtbot.addWidget(dlg)
    locked: list[bool] = []

    def lock() -> None:
        locked.append(True)
        session.lock()

    dlg.lock_first = lock
    answers = iter([PASS])
    dlg.ask_open = lambda *_: str(backup)
    dlg.ask_confirm = lambda _q: True
    dlg.ask_secret = lambda _p: next(answers)
    dlg._restore()
    assert dlg.status.text().startswith("✔"), dlg.status.text()
    assert locked and not session.is_unlocked
    vault = Vault.open(session.vault_path, PASS)
    try:
        refs = {c.reference for c in Store(vault).list_cases()}
    finally:
        vault.close()
    assert refs == {"FB-2026-0007"}
    kept = list(tmp_path.glob("vault.fieldbook.before-restore-*"))
    assert [p for p in kept if not p.name.endswith(("-wal", "-shm"))]


def test_restore_with_wrong_passphrase_changes_nothing(qtbot, session: Session, tmp_path: Path) -> None:
    """A wrong backup passphrase is reported and the vault file is left exactly as it was."""
    backup = tmp_path / "backup.fieldbook"
    session.call(lambda s: s.vault.backup(backup))
    dlg = SettingsDialog(session)
    qtbot.addWidget(dlg)
    dlg.ask_open = lambda *_: str(backup)
    dlg.ask_confirm = lambda _q: True
    dlg.ask_secret = lambda _p: "heron by the old mill race"
    dlg._restore()
    assert dlg.status.text().startswith("✖")
    assert not list(tmp_path.glob("vault.fieldbook.before-restore-*"))
    vault = Vault.open(session.vault_path, PASS)
    vault.close()


def test_main_window_settings_change_idle_lock_at_once(qtbot, tmp_path: Path) -> None:
    """Ctrl+, opens settings from the main window; a new idle limit applies without restart."""
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import MainWindow

    make_app()
    s = Session(tmp_path / "vault.fieldbook", clock=FixedClock(datetime.now(UTC)), inline=True)
    win = MainWindow(s)
    qtbot.addWidget(win)
    win.show()
    assert not win.settings_action.isEnabled()  # nothing to set before the vault is open
    page = win.create_page
    page.name.setText("Sam Carter")
    page.role.setText("Social worker")
    page.agency.setText("Northshire Children's Services")
    page.pass1.setText(PASS)
    page.pass2.setText(PASS)
    page.button.click()
    assert win.settings_action.isEnabled()
    win.settings_action.trigger()  # the dialog opens without blocking the window
    dlg = QApplication.activeModalWidget()
    assert isinstance(dlg, SettingsDialog)
    dlg.autolock.setValue(9)
    dlg.save()
    assert win.idle_minutes == 9
    assert s.call(lambda st: st.settings_get("autolock_minutes")) == 9
    win.lock()
    assert not win.settings_action.isEnabled()
    s.shutdown()


def test_an_authoritys_crl_is_added_shown_and_goes_with_its_authority(
    qtbot, session: Session, tmp_path: Path
) -> None:
    """Add certificate… takes a CRL once its authority is trusted: it is listed under the table
    with its date and count, and removing the authority removes its list."""
    from tests.packs.conftest import NOW
    from tests.packs.pki import Spec, crl, make

    authority = make(Spec("Northshire Council Root CA", ca=True))
    revoked = make(Spec("Amira Haddad", issuer=authority, crl=True))
    (tmp_path / "root.pem").write_bytes(authority.cert.public_bytes(Encoding.PEM))
    (tmp_path / "la.crl").write_bytes(crl(authority, [revoked.cert], NOW).public_bytes(Encoding.DER))
    dlg = SettingsDialog(session)
    qtbot.addWidget(dlg)
    dlg.ask_open = lambda *_: str(tmp_path / "la.crl")
    dlg._add_cert()  # its authority is not trusted yet
    assert dlg.status.text().startswith("✖") and "not signed by a certificate authority" in dlg.status.text()
    assert dlg.crl_list.isHidden()
    dlg.trust_kind.setCurrentIndex(dlg.trust_kind.findData("root"))
    dlg.ask_open = lambda *_: str(tmp_path / "root.pem")
    dlg._add_cert()
    dlg.ask_open = lambda *_: str(tmp_path / "la.crl")
    dlg._add_cert()
    assert dlg.status.text() == "✔ Added la.crl as a revocation list."
    assert not dlg.crl_list.isHidden()
    assert "Northshire Council Root CA" in dlg.crl_list.text() and "(1 revoked)" in dlg.crl_list.text()
    rows = [dlg.trust_model.row(r) for r in range(dlg.trust_model.rowCount())]
    dlg.trust_view.selectRow(next(i for i, r in enumerate(rows) if "Root CA" in r["label"]))
    dlg._remove_cert()
    assert dlg.crl_list.isHidden() and dlg.crl_list.text() == ""
