"""``fieldbook`` with no command: the desktop app."""

from __future__ import annotations

import sys
from pathlib import Path


def harden_process() -> None:
    """No core dumps of a process holding decrypted records (SECURITY.md, process hardening)."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
        except (OSError, AttributeError):
            pass


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
