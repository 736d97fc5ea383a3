"""``fieldbook`` with no command: the desktop app."""

from __future__ import annotations

import sys
from pathlib import Path

from app.core.process import harden_process


def keep_qt_settings_off_disk() -> None:
    """Qt writes no settings file: its file dialog would keep the last case folder it visited,
    and its history, in plaintext QtProject.conf (SECURITY.md finding 8).

    Fieldbook keeps every setting of its own in the vault, so Qt's user settings are pointed at a
    path that cannot be created (inside the null device): they live in memory only and are gone at
    exit. Qt's own dialogs are used instead of the desktop's (which keep a "recent files" list of
    their own, e.g. GTK's recently-used.xbel)."""
    import os

    from PySide6.QtCore import QCoreApplication, QSettings, Qt

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)
    nowhere = os.path.join(os.devnull, "fieldbook-qt-settings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, nowhere)


def make_app() -> object:
    import os

    # With no display at all (a server, CI, a console session), Qt's default xcb plugin aborts the
    # process; render offscreen instead, as benchmarks and screenshots expect.
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    keep_qt_settings_off_disk()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Fieldbook")
    app.setOrganizationName("Fieldbook")
    if not getattr(app, "_fieldbook_themed", False):  # once: restyling repolishes every widget
        from app.ui.theme import apply

        apply(app)  # type: ignore[arg-type]
        from app.ui.widgets.announce import install_roles

        install_roles()
        app._fieldbook_themed = True  # type: ignore[attr-defined]
    return app


def run(vault_path: Path, forms_dir: Path | None = None) -> int:
    harden_process()
    app = make_app()
    from app.ui.main_window import MainWindow
    from app.ui.session import Session

    session = Session(vault_path, forms_dir=forms_dir)
    window = MainWindow(session)
    window.show()
    return int(app.exec())  # type: ignore[attr-defined]
