"""Export wizard: kind → records and dates → problems and practice prompts → PDF preview from
memory → sign and save → a summary with the verification result."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldbookError
from app.core.forms import ValidationContext, practice_prompts, validate
from app.core.forms.dates import normalise
from app.core.wording import count
from app.ui.session import Session

KINDS = (
    ("referral", "Referral pack (to the front door)"),
    ("conference", "Conference pack (report, chronology, child's voice, direct work, strategy discussions)"),
)


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


class ExportDialog(QDialog):
    def __init__(self, session: Session, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.case_id = session, case_id
        self.setWindowTitle("Export a signed pack")
        self.built: Any = None
        self._keep: dict[str, Any] = {}
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
        form.addRow("&Kind", self.kind)
        form.addRow("&From", self.date_from)
        form.addRow("&To", self.date_to)
        left.addLayout(form)
        self.checks = QLabel()
        self.checks.setWordWrap(True)
        self.checks.setObjectName("problems")
        self.checks.setAccessibleName("Problems and practice prompts")
        left.addWidget(self.checks)
        preview = QPushButton("&Preview")
        preview.setAccessibleName("Preview the pack")
        preview.clicked.connect(self.build_preview)
        self.save = QPushButton("&Sign and save…")
        self.save.setAccessibleName("Sign and save the pack")
        self.save.clicked.connect(self._save_clicked)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Export result")
        left.addWidget(preview)
        left.addWidget(self.save)
        left.addWidget(self.summary)
        left.addStretch(1)
        side = QWidget()
        side.setLayout(left)
        side.setMaximumWidth(380)
        lay.addWidget(side)
        self.view, self.doc = pdf_view(self)
        lay.addWidget(self.view, 1)

    def _options(self) -> Any:
        from app.core.packs.export import ExportOptions

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

        return ExportOptions(
            kind=self.kind.currentData(), date_from=day(self.date_from), date_to=day(self.date_to)
        )

    def _prompts(self, store: Any) -> list[str]:
        case = store.get_case(self.case_id)
        ctx = ValidationContext(children=case.children, today=store.vault.clock.today())
        lines = []
        for rec in store.list_records(self.case_id, status="final"):
            form = self.session.registry.get(rec.form_id, rec.form_version)
            lines += [f"✖ {form.title}: {p}" for p in validate(form, rec.data, ctx)]
            lines += [f"⚑ {form.title}: {p.message}" for p in practice_prompts(form, rec.data, ctx)]
        drafts = len(store.list_records(self.case_id, status="draft"))
        if drafts:
            lines.append(f"ℹ {count(drafts, 'draft record')} left out until finalised.")
        return lines

    def build_preview(self) -> None:
        """Build and sign the pack in memory and show its PDF (nothing is written yet)."""
        from app.core.identity import load_identity
        from app.core.packs.export import export_pack

        try:
            opts = self._options()
        except FieldbookError as exc:
            self.checks.setText("✖ " + exc.message)
            return
        registry, clock = self.session.registry, self.session.clock

        def job(store: Any) -> tuple[Any, list[str]]:
            identity = load_identity(store, store.vault.passphrase())
            built = export_pack(store, registry, self.case_id, identity, opts, clock=clock)
            return built, self._prompts(store)

        try:
            self.built, lines = self.session.call(job)
        except FieldbookError as exc:
            self.checks.setText("✖ " + exc.message)
            return
        self.checks.setText("\n".join(lines[:12]) if lines else "✔ No problems or prompts.")
        load_pdf(self.doc, self.built.pdf, self._keep)

    def _save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the pack", f"{self.built.pack_id}.zip" if self.built else "pack.zip", "Packs (*.zip)"
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> Path:
        """Write the signed pack atomically, record it, verify it, and say so."""
        from app.core.identity import trust_roots
        from app.core.packs.export import write_and_record
        from app.core.packs.verify import verify_bytes

        if self.built is None:
            self.build_preview()
        built = self.built
        self.session.call(lambda s: write_and_record(s, self.case_id, built, path))
        roots = self.session.call(trust_roots)
        report = verify_bytes(path.read_bytes(), roots, now=self.session.clock.now())
        mark = {"valid": "✔ Verified", "untrusted": "⚠ Intact, signer not trusted", "invalid": "✖ INVALID"}[
            report.status
        ]
        self.summary.setText(f"{mark}\nSaved {path.name}\nSHA-256 {built.sha256[:16]}…")
        return path
