"""Review window for managers: open a pack, see a verification banner in plain words, read the
PDF and the structured data, and approve or return it with a countersignature."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldbookError
from app.ui.export import load_pdf, pdf_view
from app.ui.session import Session

BANNER = {
    "valid": ("#e6f4ea", "#1e6b34", "✔ VERIFIED — intact and signed by a trusted practitioner"),
    "untrusted": (
        "#fff4d6",
        "#8a5a00",
        "⚠ INTACT, BUT THE SIGNER IS NOT TRUSTED — nothing was "
        "changed, but this vault does not trust who signed it",
    ),
    "invalid": ("#fdecea", "#a1231b", "✖ INVALID — do not rely on this pack"),
}


class ReviewWindow(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.setWindowTitle("Review a pack")
        self.data: bytes | None = None
        self._keep: dict[str, Any] = {}
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        open_button = QPushButton("&Open pack…")
        open_button.setAccessibleName("Open a pack")
        open_button.clicked.connect(self._choose)
        top.addWidget(open_button)
        top.addStretch(1)
        lay.addLayout(top)
        self.banner = QLabel("Open a pack to verify it.")
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Verification result")
        lay.addWidget(self.banner)
        self.tabs = QTabWidget()
        self.view, self.doc = pdf_view(self)
        self.tabs.addTab(self.view, "&Document")
        self.checks = QPlainTextEdit()
        self.checks.setReadOnly(True)
        self.checks.setAccessibleName("Verification checks")
        self.tabs.addTab(self.checks, "&Checks")
        self.structured = QPlainTextEdit()
        self.structured.setReadOnly(True)
        self.structured.setAccessibleName("Structured data")
        self.tabs.addTab(self.structured, "&Structured data")
        lay.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        self.decision = QComboBox()
        self.decision.setAccessibleName("Decision")
        self.decision.addItem("Approve", "approve")
        self.decision.addItem("Return for changes", "return")
        self.comment = QPlainTextEdit()
        self.comment.setAccessibleName("Review comment")
        self.comment.setPlaceholderText("Comment (required): why approved, or what must change")
        self.comment.setMaximumHeight(70)
        self.sign = QPushButton("Countersign and &save…")
        self.sign.setAccessibleName("Countersign and save")
        self.sign.clicked.connect(self._countersign_clicked)
        bottom.addWidget(self.decision)
        bottom.addWidget(self.comment, 1)
        bottom.addWidget(self.sign)
        lay.addLayout(bottom)
        self.report: Any = None

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a pack", "", "Packs (*.zip *.p7m)")
        if path:
            self.open_bytes(Path(path).read_bytes(), Path(path).name)

    def open_bytes(self, data: bytes, name: str) -> Any:
        from app.core.identity import trust_roots
        from app.core.packs.safezip import read_zip
        from app.core.packs.verify import verify_bytes

        self.data = data
        roots = self.session.call(trust_roots)
        report = verify_bytes(data, roots, now=self.session.clock.now())
        self.report = report
        bg, fg, text = BANNER[report.status]
        reasons = "".join(f"<br>• {r}" for r in report.reasons[:5])
        self.banner.setText(f"<b>{text}</b><br>{name}{reasons}")
        self.banner.setStyleSheet(
            f"background:{bg}; color:{fg}; padding:10px; border:2px solid {fg}; border-radius:6px;"
        )
        self.checks.setPlainText(report.text())
        try:
            entries = read_zip(data)
            load_pdf(self.doc, entries["pack.pdf"], self._keep)
            doc = json.loads(entries["data.json"])
            self.structured.setPlainText(json.dumps(doc, ensure_ascii=False, indent=2)[:200_000])
        except Exception as exc:  # an invalid pack is shown as invalid, never a crash
            self.structured.setPlainText(f"The pack's contents cannot be shown: {exc}")
        self.sign.setEnabled(report.status != "invalid")
        return report

    def countersign(self, decision: str, comment: str) -> bytes:
        from app.core.identity import load_identity
        from app.core.packs.review import add_review

        assert self.data is not None
        data, clock = self.data, self.session.clock

        def job(store: Any) -> bytes:
            identity = load_identity(store, store.vault.passphrase())
            out = add_review(data, identity, decision=decision, comment=comment, clock=clock)
            store.audit(
                "review", "pack", str((self.report.manifest or {}).get("pack_id")), {"decision": decision}
            )
            return out

        return bytes(self.session.call(job))

    def _countersign_clicked(self) -> None:
        try:
            out = self.countersign(self.decision.currentData(), self.comment.toPlainText())
        except FieldbookError as exc:
            self.banner.setText(f"✖ {exc.message}")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save the reviewed pack", "reviewed.zip", "Packs (*.zip)")
        if path:
            Path(path).write_bytes(out)
            self.open_bytes(out, Path(path).name)
