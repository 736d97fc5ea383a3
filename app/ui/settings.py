"""Settings: auto-lock, forms folder, trusted certificates (incl. front-door recipients), identity
and backup.

Everything is kept in the vault (``store.settings_set``, the trust store), never in QSettings or a
plaintext file. File choices go through ``ask_open``/``ask_save``, native dialogs by default and
replaceable in tests (SECURITY.md finding 8: no non-native dialog history).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldbookError, UsageError
from app.ui.dialogs import ask_folder, ask_open_file, ask_save_file, buddy
from app.ui.export import plain_label
from app.ui.models import RowsModel
from app.ui.session import Session
from app.ui.widgets.announce import StatusLabel

KIND_TEXT = {
    "practitioner": "Practitioner",
    "root": "Local authority root",
    "recipient": "Front door (encrypt to)",
}
AskPath = Callable[[str, str], str]
AskSecret = Callable[[str], "str | None"]


def _ask_secret(prompt: str) -> str | None:
    from app.ui.widgets.passphrase import ask_passphrase

    return ask_passphrase(None, prompt)  # its characters never reach accessibility events


class TrustModel(RowsModel):
    """Trusted certificates: who, what for, fingerprint."""

    columns = (("kind_text", "Used for"), ("label", "Name"), ("fingerprint", "Fingerprint"))


class SettingsDialog(QDialog):
    """One dialog; saving writes to the vault. Locking rejects it like every other dialog."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        # None: the file choosers open without blocking (tests may answer at once instead)
        self.ask_open: AskPath | None = None
        self.ask_save: AskPath | None = None
        self.ask_folder: AskPath | None = None
        self.ask_secret: AskSecret = _ask_secret
        self.ask_confirm: Callable[[str], bool] = _ask_confirm
        # Restoring needs the vault closed and every view cleared: the main window passes its
        # own lock here. None (e.g. a dialog opened on its own) locks the session directly.
        self.lock_first: Callable[[], None] | None = None
        self.restored_from: Path | None = None
        self.setWindowTitle("Settings")
        lay = QVBoxLayout(self)

        general = QGroupBox("General")
        form = QFormLayout(general)
        self.autolock = QSpinBox()
        self.autolock.setRange(1, 15)
        self.autolock.setSuffix(" minutes")
        self.autolock.setAccessibleName("Lock after idle minutes")
        auto_row = QHBoxLayout()
        auto_row.addWidget(self.autolock)
        auto_row.addStretch(1)
        form.addRow(buddy("&Lock after", self.autolock), auto_row)
        folder_row = QHBoxLayout()
        self.forms_dir = QLineEdit()
        self.forms_dir.setPlaceholderText("Built-in forms only")
        self.forms_dir.setAccessibleName("Local forms folder")
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Choose local forms folder")
        browse.clicked.connect(self._browse_forms)
        folder_row.addWidget(self.forms_dir, 1)
        folder_row.addWidget(browse)
        form.addRow(buddy("Local &forms folder", self.forms_dir), folder_row)
        lay.addWidget(general)

        trust = QGroupBox("Trusted certificates and front-door destinations")
        tlay = QVBoxLayout(trust)
        self.trust_model = TrustModel(self)
        self.trust_view = QTableView()
        self.trust_view.setModel(self.trust_model)
        self.trust_view.setAccessibleName("Trusted certificates")
        self.trust_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.trust_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.trust_view.verticalHeader().setVisible(False)
        self.trust_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.trust_view.horizontalHeader().setStretchLastSection(True)
        # Room for a handful of certificates at any text scale (measured in lines, not pixels).
        self.trust_view.setMinimumHeight(self.fontMetrics().height() * 8)
        tlay.addWidget(self.trust_view)
        # Authorities' revocation lists, one line each (added with the same button as certificates).
        self.crl_list = plain_label("", "Revocation lists")
        self.crl_list.setVisible(False)
        tlay.addWidget(self.crl_list)
        tbar = QHBoxLayout()
        self.trust_kind = QComboBox()
        self.trust_kind.setAccessibleName("Use the certificate for")
        for code, text in KIND_TEXT.items():
            self.trust_kind.addItem(text, code)
        add = QPushButton("&Add certificate…")
        add.setAccessibleName("Add a certificate")
        add.clicked.connect(self._add_cert)
        remove = QPushButton("&Remove")
        remove.setAccessibleName("Remove the selected certificate")
        remove.clicked.connect(self._remove_cert)
        tbar.addWidget(buddy("Use f&or", self.trust_kind))
        tbar.addWidget(self.trust_kind)
        tbar.addWidget(add)
        tbar.addStretch(1)
        tbar.addWidget(remove)
        tlay.addLayout(tbar)
        lay.addWidget(trust)

        ident = QGroupBox("My identity and backup")
        ilay = QVBoxLayout(ident)
        self.identity = QLabel()
        self.identity.setWordWrap(True)
        self.identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ilay.addWidget(self.identity)
        ibar = QHBoxLayout()
        export = QPushButton("E&xport my certificate…")
        export.setAccessibleName("Export my certificate")
        export.clicked.connect(self._export_cert)
        backup = QPushButton("Back &up now…")
        backup.setAccessibleName("Back up the vault now")
        backup.clicked.connect(self._backup)
        import_p12 = QPushButton("&Import a P12 from my local authority…")
        import_p12.setAccessibleName("Import a signing identity from a P12 file")
        import_p12.clicked.connect(self._import_p12)
        ibar.addWidget(export)
        ibar.addWidget(import_p12)
        ibar.addWidget(backup)
        restore = QPushButton("Re&store from a backup…")
        restore.setAccessibleName("Restore the vault from a backup")
        restore.clicked.connect(self._restore)
        ibar.addWidget(restore)
        ibar.addStretch(1)
        ilay.addLayout(ibar)
        lay.addWidget(ident)

        # Status in words (with a symbol), never colour alone.
        self.status = StatusLabel(title="Settings status")  # heard, and announced when it changes
        lay.addWidget(self.status)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.load()

    # -- reading ------------------------------------------------------------------------------
    def load(self) -> None:
        def job(store: Any) -> tuple[Any, Any, Any, Any]:
            from app.core import identity

            return (
                store.settings_get("autolock_minutes", 5),
                store.settings_get("forms.dir"),
                _trust_state(store),
                identity.current_certificate(store),
            )

        minutes, folder, trusted, cert = self.session.call(job)
        self.autolock.setValue(min(max(int(minutes or 5), 1), 15))
        self.forms_dir.setText(folder or "")
        self._show_trust(trusted)
        if cert is None:
            self.identity.setText("No signing identity in this vault.")
        else:
            from app.core.crypto.keys import cert_info, cert_sha256

            info = cert_info(cert)
            self.identity.setText(
                f"Signing as <b>{info.name}</b> ({info.role}, {info.agency})"
                f"<br>Fingerprint {_fingerprint(cert_sha256(cert))}"
            )
        self.cert = cert

    def _show_trust(self, state: tuple[list[Any], list[dict[str, Any]]]) -> None:
        trusted, crls = state
        self.crl_list.setText(
            "\n".join(
                f"Revocation list from {c['issuer']}, dated {c['last_update'][:10]} ({c['revoked']} revoked)"
                for c in crls
            )
        )
        self.crl_list.setVisible(bool(crls))
        self.trust_model.set_rows(
            [
                {
                    "id": t.sha256,
                    "kind": t.kind,
                    "kind_text": KIND_TEXT.get(t.kind, t.kind),
                    "label": t.label,
                    "fingerprint": _fingerprint(t.sha256),
                }
                for t in trusted
            ]
        )

    def _say(self, text: str, ok: bool) -> None:
        self.status.say(("✔ " if ok else "✖ ") + text)

    # -- actions ------------------------------------------------------------------------------
    def _choose(self, kind: str, title: str, pattern: str, then: Callable[[str], None]) -> None:
        """Ask for a file or folder, then ``then(path)`` if one is chosen."""
        ask = {"open": self.ask_open, "save": self.ask_save, "folder": self.ask_folder}[kind]
        if ask is not None:
            chosen = ask(title, pattern)
            if chosen:
                then(chosen)
        elif kind == "open":
            ask_open_file(self, title, pattern, lambda path: then(str(path)))
        elif kind == "save":
            ask_save_file(self, title, pattern, "", lambda path: then(str(path)))
        else:
            ask_folder(self, title, lambda path: then(str(path)))

    def _browse_forms(self) -> None:
        self._choose("folder", "Choose the local forms folder", "", self.forms_dir.setText)

    def _add_cert(self) -> None:
        self._choose(
            "open",
            "Choose a certificate or revocation list",
            "Certificates and CRLs (*.pem *.crt *.cer *.der *.crl)",
            self._add_cert_from,
        )

    def _add_cert_from(self, name: str) -> None:
        kind = self.trust_kind.currentData()
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            self._say(f"Certificate: could not read {Path(name).name} ({exc.strerror}).", False)
            return

        def job(store: Any) -> tuple[bool, tuple[list[Any], list[dict[str, Any]]]]:
            from app.core import identity

            # Certificates, and the CRLs of authorities already trusted.
            certs, _ = identity.add_trust_file(store, data, kind)
            return bool(certs), _trust_state(store)

        try:
            had_certs, state = self.session.call(job)
        except FieldbookError as exc:
            self._say(str(exc), False)
            return
        self._show_trust(state)
        what = f"as {KIND_TEXT[kind].lower()}" if had_certs else "as a revocation list"
        self._say(f"Added {Path(name).name} {what}.", True)

    def _remove_cert(self) -> None:
        rows = self.trust_view.selectionModel().selectedRows()
        if not rows:
            self._say("Certificate: select one in the list first.", False)
            return
        sha = self.trust_model.row(rows[0].row())["id"]

        def job(store: Any) -> tuple[list[Any], list[dict[str, Any]]]:
            from app.core import identity

            identity.remove_trusted(store, sha)  # the authority's revocation list goes with it
            return _trust_state(store)

        self._show_trust(self.session.call(job))
        self._say("Certificate removed from the trust store.", True)

    def _export_cert(self) -> None:
        if self.cert is None:
            self._say("Certificate: this vault has no signing identity to export.", False)
            return
        self._choose("save", "Export my certificate", "Certificate (*.pem)", self._export_cert_to)

    def _export_cert_to(self, name: str) -> None:
        assert self.cert is not None
        try:
            Path(name).write_bytes(self.cert.public_bytes(Encoding.PEM))
        except OSError as exc:
            self._say(f"Certificate: could not write {Path(name).name} ({exc.strerror}).", False)
            return
        self._say(f"Your certificate was saved to {name}. Give it to your manager to trust.", True)

    def _import_p12(self) -> None:
        pattern = "PKCS#12 (*.p12 *.pfx)"
        self._choose("open", "Choose the P12 file from your local authority", pattern, self._import_p12_from)

    def _import_p12_from(self, name: str) -> None:
        p12_password = self.ask_secret("Password of the P12 file")
        if p12_password is None:
            return
        # The vault passphrase re-protects the imported key inside the vault.
        passphrase = self.ask_secret("Your vault passphrase (to protect the imported key)")
        if passphrase is None:
            return
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            self._say(f"P12 file: could not read {Path(name).name} ({exc.strerror}).", False)
            return

        def job(store: Any) -> Any:
            from app.core import identity
            from app.core.crypto.keys import CryptoError

            if store.get_identity() is not None:
                # The current key opens with the vault passphrase: a mistyped one stops here
                # instead of sealing the new key under a passphrase nobody knows.
                try:
                    identity.load_identity(store, passphrase)
                except CryptoError:
                    raise UsageError(
                        "Vault passphrase: that is not this vault's passphrase; nothing was imported"
                    ) from None
            return identity.import_p12(store, data, p12_password, passphrase)

        try:
            info = self.session.call(job)
        except FieldbookError as exc:
            self._say(str(exc), False)
            return
        self.load()
        self._say(f"You now sign as {info.name} ({info.agency}).", True)

    def _restore(self) -> None:
        self._choose("open", "Choose a Fieldbook backup", "Fieldbook vault (*.fieldbook)", self._restore_from)

    def _restore_from(self, name: str) -> None:
        if not self.ask_confirm(
            "Replace everything in this vault with the backup? The vault "
            "is locked first; the current file is kept beside it."
        ):
            return
        passphrase = self.ask_secret("The backup's passphrase")
        if passphrase is None:
            return
        try:
            kept = restore_vault(self.session, Path(name), passphrase, self.lock_first)
        except FieldbookError as exc:
            self._say(str(exc), False)
            return
        self.restored_from = Path(name)
        where = f" The previous vault was kept as {kept.name}." if kept else ""
        self._say("Restored. Unlock with the backup's passphrase." + where, True)
        self.reject()  # the vault is locked now: nothing left to save here

    def _backup(self) -> None:
        self._choose("save", "Back up the vault", "Fieldbook vault (*.fieldbook)", self._backup_to)

    def _backup_to(self, name: str) -> None:
        try:
            path = self.session.call(lambda s: s.vault.backup(Path(name)))
        except FieldbookError as exc:
            self._say(str(exc), False)
            return
        self._say(f"Encrypted backup saved to {path}.", True)

    def save(self) -> None:
        folder = self.forms_dir.text().strip()
        if folder and not Path(folder).is_dir():
            self._say(f"Local forms folder: “{folder}” is not a folder on this computer.", False)
            return
        minutes = self.autolock.value()

        def job(store: Any) -> None:
            store.settings_set("autolock_minutes", minutes)
            store.settings_set("forms.dir", folder or None)

        self.session.call(job)
        self.accept()


def _ask_confirm(question: str) -> bool:
    answer = QMessageBox.question(None, "Fieldbook", question)
    return answer == QMessageBox.StandardButton.Yes


def restore_vault(
    session: Session, backup: Path, passphrase: str, lock: Callable[[], None] | None = None
) -> Path | None:
    """Lock (closing the vault and clearing views), then replace the vault file with the
    checked backup on the worker thread. Returns where the previous file was kept.

    A wrong passphrase or a damaged backup is found before anything changes; the vault stays
    locked either way, so the practitioner unlocks again."""
    from app.core.store import Vault

    (lock or session.lock)()
    kept: Path | None = session.worker.call(
        lambda: Vault.restore(session.vault_path, backup, passphrase, clock=session.clock)
    )
    return kept


def _fingerprint(sha256: str) -> str:
    """The first 16 hex digits in groups of four: enough to compare by eye over the phone."""
    return " ".join(sha256[i : i + 4].upper() for i in range(0, 16, 4))


def _trust_state(store: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    """What the trust list shows: the trusted certificates and the stored revocation lists."""
    from app.core import identity

    return identity.list_trusted(store), [c.as_dict() for c in identity.trust_crls(store)]
