"""Qt keeps no plaintext trace of where a practitioner saved or opened files (SECURITY.md
finding 8): its file dialog would write the last folder visited, and its history, to
QtProject.conf under XDG_CONFIG_HOME."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QFileDialog

from app.ui.dialogs import ask_save_file
from app.ui.main import make_app


def test_saving_through_the_file_dialog_leaves_no_qt_settings_file(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A pack saved into a folder named after a case, through Fieldbook's save dialog: afterwards
    no file under XDG_CONFIG_HOME names that folder, and the dialog was Qt's own (not the desktop's,
    which keeps a recent-files list of its own)."""
    make_app()
    assert QCoreApplication.testAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)
    folder = tmp_path / "Okafor FB-2026-0042"
    folder.mkdir()
    chosen: list[Path] = []
    dlg = ask_save_file(
        None, "Save the signed pack", "Packs (*.fbpack)", str(folder / "referral"), chosen.append
    )  # type: ignore[arg-type]
    assert isinstance(dlg, QFileDialog)
    dlg.setDirectory(str(folder))
    dlg.selectFile(str(folder / "referral.fbpack"))
    gone: list[bool] = []
    dlg.destroyed.connect(lambda: gone.append(True))
    dlg.accept()  # WA_DeleteOnClose: Qt saves its dialog settings as the dialog is destroyed
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert gone and chosen == [folder / "referral.fbpack"]
    config = Path(os.environ["XDG_CONFIG_HOME"])
    written = [p for p in config.rglob("*") if p.is_file()] if config.exists() else []
    leaks = [p for p in written if b"Okafor" in p.read_bytes() or p.name == "QtProject.conf"]
    assert leaks == []
