"""Export pack… (Ctrl+E): kind → records and dates → problems and practice prompts → preview →
sign and save → optionally encrypted to a front door → a summary with the verification result.

Building and signing run on the database thread with a progress bar and Cancel: the window (and
the rest of the app) stays live. Cancel throws the signed bytes away; nothing is written.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldbookError
from app.core.forms import ValidationContext, codelists, practice_prompts, validate
from app.core.forms.dates import normalise, shown
from app.core.outcome import Verdict
from app.core.shares import DEFAULT_BASIS
from app.core.wording import count
from app.ui.dialogs import ask_open_file, ask_save_file, buddy
from app.ui.session import Session
from app.ui.theme import colour as theme_colour
from app.ui.widgets.announce import announce

KINDS = (
    ("referral", "Referral pack (to the front door)"),
    ("conference", "Conference pack"),
    ("parents", "Parent's copy (for the family)"),
)
KIND_HELP = {
    "referral": "The referral, the child's voice, concerns and the chronology, for the front door.",
    "conference": "A summary, the conference report, the child's voice, the agencies' contributions "
    "and the chronology. Strategy discussion minutes only when you tick them.",
    "parents": "The report and what it rests on, for the family before the conference. Left out: "
    "what the forms mark not for the family (the referrer's identity, third-party information) "
    "and strategy minutes unless you tick them. Untick a record to withhold it; the cover and the "
    "signed manifest say what was left out, by reason.",
}
# How a verification outcome reads, the same words in the export summary and the review banner.
STATUS_TEXT = {
    "valid": "✔ VERIFIED — intact and signed by a trusted practitioner",
    "untrusted": "⚠ INTACT, BUT THE SIGNER IS NOT TRUSTED — nothing was changed, but this vault "
    "does not trust who signed it",
    "invalid": "✖ INVALID — do not rely on this pack",
}


def pdf_view(parent: QWidget) -> tuple[QPdfView, QPdfDocument]:
    doc = QPdfDocument(parent)
    view = QPdfView(parent)
    view.setDocument(doc)
    view.setPageMode(QPdfView.PageMode.MultiPage)
    view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
    view.setAccessibleName("PDF preview")
    return view, doc


def load_pdf(doc: QPdfDocument, data: bytes, keep: dict[str, Any]) -> None:
    """Show a PDF from memory: no temporary file ever holds case data."""
    buf = QBuffer()
    buf.setData(QByteArray(data))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    keep["buffer"] = buf  # the document reads lazily; the buffer must outlive it
    doc.load(buf)


def plain_label(text: str = "", name: str = "") -> QLabel:
    """A wrapping label that shows text as typed (pack and case content is never rich text)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    if name:
        label.setAccessibleDescription(name)
    return label


# Banner colours (background, text and border) per verdict: the words carry the meaning. Chosen by
# the report's typed verdict (app.core.outcome), never by the wording of its reasons.
BANNER = {  # names of palette colours (app.ui.theme), so a dark palette has dark banners
    Verdict.VALID: ("valid_bg", "valid_fg"),
    Verdict.UNTRUSTED: ("untrusted_bg", "untrusted_fg"),
    Verdict.INVALID: ("invalid_bg", "invalid_fg"),
}


class VerdictBanner(QFrame):
    """A verification outcome: a bold headline and the details under it, both plain text, in the
    verdict's colours (the words alone say it all, for a screen reader and in any palette)."""

    def __init__(self, name: str, text: str = "") -> None:
        super().__init__()
        self.setObjectName("banner")
        lay = QVBoxLayout(self)
        self.headline = plain_label(text, name)
        font = self.headline.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.headline.setFont(font)
        self.details = plain_label("", f"{name.split()[0]} details")
        self.details.setVisible(False)
        lay.addWidget(self.headline)
        lay.addWidget(self.details)

    def say(self, verdict: Verdict | None, headline: str, details: str = "") -> None:
        self.headline.setText(headline)
        self.details.setText(details)
        self.details.setVisible(bool(details))
        if verdict is None:
            self.setStyleSheet("")
            return
        # said aloud as well: the result appears where the person's focus is not
        announce(self, f"{headline}. {details}" if details else headline, urgent=verdict is Verdict.INVALID)
        bg, fg = (theme_colour(name).name() for name in BANNER[verdict])
        self.setStyleSheet(
            f"QFrame#banner {{ background:{bg}; border:2px solid {fg}; border-radius:6px; }}"
            f"QFrame#banner QLabel {{ color:{fg}; background:transparent; }}"
        )


class ExportDialog(QDialog):
    """A window of its own (not modal): the practitioner can go on writing while a pack signs."""

    exported = Signal(str)  # the case id, once a pack is saved and recorded

    def __init__(self, session: Session, case_id: str, reference: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.case_id = session, case_id
        self._by_default: set[str] = set()  # the records the chosen kind holds unless changed
        self._on_purpose: set[str] = set()  # records it holds only when ticked (strategy minutes)
        self.setWindowTitle(f"Export a pack — case {reference}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.built: Any = None
        self.saved_to: Path | None = None
        self._job = 0  # the running job's number; a cancelled or superseded result is dropped
        self._gone = False  # closed: answers still arriving from the database thread are dropped
        self._keep: dict[str, Any] = {}
        self._recipient_files: dict[str, Any] = {}
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.setAccessibleName("Pack kind")
        for code, label in KINDS:
            self.kind.addItem(label, code)
        self.kind.setCurrentIndex(1)
        self.date_from = QLineEdit()
        self.date_from.setPlaceholderText("DD/MM/YYYY (optional)")
        self.date_from.setAccessibleName("Chronology from date")
        self.date_to = QLineEdit()
        self.date_to.setPlaceholderText("DD/MM/YYYY (optional)")
        self.date_to.setAccessibleName("Chronology to date")
        self.records = QListWidget()
        self.records.setAccessibleName("Records in the pack")
        self.records.setMinimumHeight(120)
        self.records.setWordWrap(True)  # a long record title wraps rather than scroll sideways
        self.records.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recipient = QComboBox()
        self.recipient.setAccessibleName("Encrypt for")
        self.recipient.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.kind_help = plain_label(KIND_HELP["conference"], "What the pack holds")
        self.kind.currentIndexChanged.connect(
            lambda _: self.kind_help.setText(KIND_HELP[self.kind.currentData()])
        )
        form.addRow(buddy("&Kind", self.kind), self.kind)
        form.addRow("", self.kind_help)
        form.addRow(buddy("&From", self.date_from), self.date_from)
        form.addRow(buddy("&To", self.date_to), self.date_to)
        form.addRow(buddy("&Records", self.records), self.records)
        cert_file = QPushButton("Certificate f&ile…")
        cert_file.setAccessibleName("Encrypt for a certificate file")
        cert_file.setToolTip("Encrypt for the front door's certificate, from a file they gave you")
        cert_file.clicked.connect(self._choose_certificate)
        encrypt = QHBoxLayout()
        encrypt.addWidget(self.recipient, 1)
        encrypt.addWidget(cert_file)
        form.addRow(buddy("&Encrypt for", self.recipient), encrypt)
        # The sharing log (golden rule 7): blank means the default for the kind and the referral.
        self.shared_with = QLineEdit()
        self.shared_with.setPlaceholderText("Default: the front door, or the conference, by kind")
        self.shared_with.setAccessibleName("Shared with")
        self.purpose = QLineEdit()
        self.purpose.setPlaceholderText("Default: by kind")
        self.purpose.setAccessibleName("Purpose of sharing")
        self.lawful_basis = QComboBox()
        self.lawful_basis.setAccessibleName("Lawful basis for sharing")
        for code, label in codelists.codes("lawful_bases"):
            self.lawful_basis.addItem(label, code)
        self.lawful_basis.setCurrentIndex(max(self.lawful_basis.findData(DEFAULT_BASIS), 0))
        form.addRow(buddy("Shared wit&h", self.shared_with), self.shared_with)
        form.addRow(buddy("P&urpose", self.purpose), self.purpose)
        form.addRow(buddy("Lawful &basis", self.lawful_basis), self.lawful_basis)
        left.addLayout(form)
        self.checks = plain_label(
            "Working out problems and practice prompts…", "Problems and practice prompts"
        )
        self.checks.setObjectName("problems")
        left.addWidget(self.checks)
        buttons = QHBoxLayout()
        self.preview_button = QPushButton("&Preview")
        self.preview_button.setAccessibleName("Preview the pack")
        self.preview_button.clicked.connect(self.build_preview)
        self.save = QPushButton("&Sign and save…")
        self.save.setAccessibleName("Sign and save the pack")
        self.save.clicked.connect(self._save_clicked)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save)
        left.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Export progress")
        self.progress.setRange(0, 0)  # signing gives no steps to count: a busy bar
        self.progress.setTextVisible(False)
        self.busy_text = plain_label("", "Export progress")
        left.addWidget(self.busy_text)
        self.cancel = QPushButton("&Cancel signing")
        self.cancel.setAccessibleName("Cancel signing")
        self.cancel.clicked.connect(self._cancel)
        busy = QHBoxLayout()
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel)
        left.addLayout(busy)
        self.summary = VerdictBanner("Export result")
        left.addWidget(self.summary)
        left.addStretch(1)
        side = QWidget()
        side.setLayout(left)
        side.setMinimumWidth(360)
        side.setMaximumWidth(520)
        lay.addWidget(side)
        self.view, self.doc = pdf_view(self)
        self.pages = QStackedWidget()
        hint = QLabel(
            "Preview shows the pack here, as it will be signed. Nothing is saved until Sign and save."
        )
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(hint)
        self.pages.addWidget(self.view)
        lay.addWidget(self.pages, 1)
        self._busy(False)
        self.kind.currentIndexChanged.connect(self._load_choices)
        self.records.itemChanged.connect(self._stale)
        self.recipient.currentIndexChanged.connect(self._stale)
        for edit in (self.date_from, self.date_to):
            edit.textChanged.connect(self._stale)
        self.resize(1100, 760)
        self._load_choices()

    # -- choices ------------------------------------------------------------------------------
    def _load_choices(self) -> None:
        """The kind's final records (ticked), front-door certificates, and the prompts."""
        from app.core import identity
        from app.core.packs.export import KIND_FORMS, ON_PURPOSE

        kind = self.kind.currentData()
        registry = self.session.registry
        titles = {f.id: f.title for f in registry.all()}

        def family_reason(rec: Any) -> str:
            if kind != "parents":
                return ""
            return str(registry.get(rec.form_id, rec.form_version).not_for_family or "")

        def job(store: Any) -> tuple[list[tuple[str, str, bool]], list[Any], list[str]]:
            recs = [
                r
                for r in store.list_records(self.case_id, status="final", exclude_form="chronology_entry")
                if r.form_id in KIND_FORMS[kind]
            ]
            rows = [
                (
                    r.id,
                    f"{shown((r.occurred_at or r.created_at)[:10])} — {titles.get(r.form_id, r.form_id)}"
                    + (f" (not for the family: {why})" if (why := family_reason(r)) else ""),
                    # strategy minutes, and for the family whatever its form keeps back: ticked on purpose
                    r.form_id in ON_PURPOSE.get(kind, ()) or bool(why),
                )
                for r in recs
            ]
            return rows, identity.list_trusted(store, "recipient"), self._prompts(store, kind)

        self.session.run(job, self._show_choices)

    def _show_choices(self, result: tuple[list[tuple[str, str, bool]], list[Any], list[str]]) -> None:
        if self._gone:
            return
        rows, recipients, lines = result
        self.records.blockSignals(True)
        self.records.clear()
        self._by_default = {rid for rid, _, on_purpose in rows if not on_purpose}
        self._on_purpose = {rid for rid, _, on_purpose in rows if on_purpose}
        for rid, text, on_purpose in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, rid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if on_purpose else Qt.CheckState.Checked)
            self.records.addItem(item)
        self.records.blockSignals(False)
        self.recipient.clear()
        self.recipient.addItem("Not encrypted", None)
        for t in recipients:
            self.recipient.addItem(f"The front door: {t.label}", t.sha256)
        for label, cert in self._recipient_files.items():
            self.recipient.addItem(label, cert)
        if not rows:  # nothing to sign: say so, rather than fail on Preview
            kind = self.kind.currentText().lower()
            lines = [f"✖ There are no final records for a {kind} yet: finalise a record first.", *lines]
        self.checks.setText("\n".join(lines[:12]) if lines else "✔ No problems or prompts.")
        self.preview_button.setEnabled(bool(rows))
        self.save.setEnabled(bool(rows))
        self._stale()

    def _choose_certificate(self) -> None:
        ask_open_file(
            self, "Encrypt for a certificate", "Certificates (*.pem *.crt *.cer *.der)", self._add_file
        )

    def _add_file(self, path: Path) -> None:
        from app.core.crypto.keys import cert_info, load_certificate

        try:
            cert = load_certificate(path.read_bytes(), what="Recipient certificate")
        except (FieldbookError, OSError) as exc:
            self.summary.say(None, f"✖ Encrypt for: {path.name} is not a certificate ({_message(exc)})")
            return
        label = f"{cert_info(cert).name} (from {path.name})"
        self._recipient_files[label] = cert
        self.recipient.addItem(label, cert)
        self.recipient.setCurrentIndex(self.recipient.count() - 1)

    def _prompts(self, store: Any, kind: str) -> list[str]:
        from app.core.packs.export import KIND_FORMS

        case = store.get_case(self.case_id)
        ctx = ValidationContext(children=case.children, today=store.vault.clock.today())
        lines = []
        for rec in store.list_records(self.case_id, status="final", exclude_form="chronology_entry"):
            if rec.form_id not in KIND_FORMS[kind]:
                continue
            form = self.session.registry.get(rec.form_id, rec.form_version)
            lines += [f"✖ {form.title}: {p}" for p in validate(form, rec.data, ctx)]
            lines += [f"⚑ {form.title}: {p.message}" for p in practice_prompts(form, rec.data, ctx)]
        drafts = len(store.list_records(self.case_id, status="draft"))
        if drafts:
            lines.append(f"ℹ {count(drafts, 'draft record')} left out until finalised.")
        return lines

    def _choices(self) -> dict[str, Any]:
        """What the person chose, read from the widgets here on the window's thread."""

        def day(edit: QLineEdit) -> date | None:
            text = normalise(edit.text().strip(), "date")  # 20/11/2026 as well as ISO
            if not text:
                return None
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise FieldbookError(
                    f"{edit.accessibleName()}: “{text}” is not a date (DD/MM/YYYY or YYYY-MM-DD)"
                ) from None

        items = [self.records.item(i) for i in range(self.records.count())]
        ticked = [i.data(Qt.ItemDataRole.UserRole) for i in items if i.checkState() == Qt.CheckState.Checked]
        if items and not ticked:
            raise FieldbookError("Records: none is ticked — tick the records the pack should hold")
        everyone = {i.data(Qt.ItemDataRole.UserRole) for i in items}
        return {
            "kind": self.kind.currentData(),
            # a parent's copy: what the practitioner keeps back, and what is shared on purpose
            "withhold": tuple(sorted(self._by_default & (everyone - set(ticked)))),
            "share": tuple(sorted(self._on_purpose & set(ticked))),
            # the kind's own choice unless the practitioner changed it
            "ticked": tuple(ticked) if set(ticked) != self._by_default else (),
            "date_from": day(self.date_from),
            "date_to": day(self.date_to),
            "recipient": self.recipient.currentData(),
            "shared_with": self.shared_with.text().strip() or None,
            "purpose": self.purpose.text().strip() or None,
            "lawful_basis": self.lawful_basis.currentData(),
        }

    def _options(self, store: Any, chosen: dict[str, Any]) -> Any:
        """The export options, completed on the database thread (chronology ids, certificates)."""
        from app.core import identity
        from app.core.crypto.keys import cert_info
        from app.core.packs.export import ExportOptions
        from app.core.shares import export_share

        record_ids: tuple[str, ...] = ()
        if (
            chosen["ticked"] and chosen["kind"] != "parents"
        ):  # a choice of records: the ticked ones and the chronology
            entries = store.list_records(self.case_id, "chronology_entry", status="final")
            record_ids = chosen["ticked"] + tuple(r.id for r in entries)
        recipient = chosen["recipient"]
        if isinstance(recipient, str):
            recipient = next(
                t.cert for t in identity.list_trusted(store, "recipient") if t.sha256 == recipient
            )
        subject = cert_info(recipient).subject if recipient is not None else None
        sharing = export_share(
            store,
            self.case_id,
            chosen["kind"],
            shared_at="",
            recipient=chosen["shared_with"] or subject,
            purpose=chosen["purpose"],
            lawful_basis=chosen["lawful_basis"],
        )
        return ExportOptions(
            kind=chosen["kind"],
            record_ids=record_ids,
            date_from=chosen["date_from"],
            date_to=chosen["date_to"],
            recipient=recipient,
            sharing_log=sharing,
            # a parent's copy names what it leaves out, so its choice is withheld/shared records
            withhold=chosen["withhold"] if chosen["kind"] == "parents" else (),
            share=chosen["share"] if chosen["kind"] == "parents" else (),
        )

    def _stale(self) -> None:
        """A changed choice makes the last preview out of date."""
        self.built = None

    def done(self, result: int) -> None:
        """Closing (Esc, Close, a lock) drops whatever the database thread is still doing for it."""
        self._job += 1
        self._gone = True
        super().done(result)

    # -- build and save -------------------------------------------------------------------------
    def _busy(self, on: bool, text: str = "Signing the pack…") -> None:
        self.busy_text.setText(f"{text} The window stays usable; Cancel throws the pack away.")
        self.busy_text.setVisible(on)
        self.progress.setVisible(on)
        self.cancel.setVisible(on)
        for w in (self.preview_button, self.save, self.kind, self.records, self.recipient):
            w.setEnabled(not on)
        if on:
            self.cancel.setFocus()

    def _cancel(self) -> None:
        self._job += 1  # the running job's result will be dropped
        self._busy(False)
        self.summary.say(None, "Cancelled — nothing was saved.")
        self.save.setFocus()

    def _build(self, then: Any) -> None:
        """Build and sign the pack on the database thread, then ``then(built)``."""
        from app.core.identity import load_identity
        from app.core.packs.export import export_pack

        registry, clock, case_id = self.session.registry, self.session.clock, self.case_id
        try:
            chosen = self._choices()
        except FieldbookError as exc:
            self.summary.say(None, "✖ " + exc.message)
            return
        self._job += 1
        job_id = self._job

        def job(store: Any) -> Any:
            opts = self._options(store, chosen)
            identity = load_identity(store, store.vault.passphrase())
            return export_pack(store, registry, case_id, identity, opts, clock=clock)

        def done(built: Any) -> None:
            if job_id != self._job:
                return  # cancelled
            self.built = built
            load_pdf(self.doc, built.pdf, self._keep)
            self.pages.setCurrentWidget(self.view)
            then(built)

        self.summary.say(None, "")
        self._busy(True)
        self.session.run(job, done, lambda exc: self._failed(exc, job_id))

    def _failed(self, exc: BaseException, job_id: int) -> None:
        if job_id != self._job:
            return
        self._busy(False)
        if not isinstance(exc, FieldbookError):
            raise exc
        self.summary.say(None, "✖ " + exc.message)

    def build_preview(self) -> None:
        """Build and sign the pack in memory and show its PDF (nothing is written yet)."""
        self._build(lambda _built: self._busy(False))

    def _save_clicked(self) -> None:
        suggested = f"{self.built.pack_id}.zip" if self.built else "pack.zip"
        pattern = "Encrypted packs (*.p7m)" if self.recipient.currentData() else "Packs (*.zip)"
        if self.recipient.currentData():
            suggested = suggested.replace(".zip", ".p7m")
        ask_save_file(self, "Save the signed pack", pattern, suggested, self.save_to)

    def save_to(self, path: Path) -> None:
        """Sign (unless the preview is current), write atomically, record, verify, and say so."""
        if self.built is not None:
            self._write(self.built, path)
        else:
            self._build(lambda built: self._write(built, path))

    def _write(self, built: Any, path: Path) -> None:
        from app.core.identity import vault_trust
        from app.core.packs.export import write_and_record
        from app.core.packs.verify import verify_bytes

        clock, case_id = self.session.clock, self.case_id
        self._job += 1
        job_id = self._job

        def job(store: Any) -> Any:
            write_and_record(store, case_id, built, path)
            on_disk = path.read_bytes()
            if hashlib.sha256(on_disk).hexdigest() != built.sha256:
                raise FieldbookError(f"Save: {path.name} on disk differs from the signed pack")
            # an encrypted pack opens only with the front door's key: check what is inside
            roots, crls = vault_trust(store)
            return verify_bytes(
                built.zip_bytes if built.encrypted else on_disk, roots, now=clock.now(), crls=crls
            )

        self._busy(True, "Saving and checking the pack…")
        self.cancel.setEnabled(False)  # writing is quick and must not be half done
        self.session.run(
            job, lambda report: self._saved(report, built, path, job_id), lambda e: self._failed(e, job_id)
        )

    def _saved(self, report: Any, built: Any, path: Path, job_id: int) -> None:
        if job_id != self._job:
            return
        self._busy(False)
        self.cancel.setEnabled(True)
        self.saved_to = path
        self.exported.emit(self.case_id)
        lines = [f"• {r}" for r in report.reasons[:4]]
        if built.encrypted:
            lines.append("Encrypted: only the front door's key opens it.")
        lines += [f"Saved to {path}", f"SHA-256 {built.sha256[:16]}…"]
        self.summary.say(report.status, STATUS_TEXT[report.status], "\n".join(lines))
        self.summary.headline.setFocus()


def _message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, FieldbookError) else str(exc)
