"""``fieldbook screenshots --out DIR``: every main screen rendered offscreen from a demo vault.

The demo vault lives in a temporary folder that is removed afterwards; everything shown is the
fictional demo case.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

PASSPHRASE = "screenshot heron at dusk"  # noqa: S105 - a throwaway demo vault


def render_all(
    out_dir: Path, scale: float = 1.0, forms_dir: Path | None = None, theme: str = "light"
) -> list[Path]:
    """Every screen at one scale in one theme (both fixed once the application exists)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(scale)
    os.environ["FIELDBOOK_THEME"] = theme
    from app.core.clock import FixedClock
    from app.core.demo import create_demo
    from app.ui.main import make_app
    from app.ui.main_window import MainWindow
    from app.ui.session import Session

    app: Any = make_app()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def shot(widget: Any, name: str, settle: float = 0.0) -> None:
        import time

        end = time.monotonic() + settle
        app.processEvents()
        while time.monotonic() < end:  # QtPdf renders pages on its own thread
            app.processEvents()
            time.sleep(0.02)
        path = out_dir / f"{len(written) + 1:02d}-{name}.png"
        widget.grab().save(str(path))
        written.append(path)

    with tempfile.TemporaryDirectory() as tmp:
        from datetime import UTC, datetime

        # Now, fixed: signatures made during the run fall inside the new certificate's validity.
        clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
        session = Session(Path(tmp) / "vault.fieldbook", forms_dir=forms_dir, clock=clock, inline=True)
        window = MainWindow(session)
        window.resize(1280, 860)
        window.show()
        shot(window, "create-vault")
        page = window.create_page
        page.name.setText("Sam Carter")
        page.role.setText("Social worker")
        page.agency.setText("Northshire Children's Services")
        page.pass1.setText(PASSPHRASE)
        page.pass2.setText(PASSPHRASE)
        page.create_vault()
        case_id = session.call(lambda s: create_demo(s, session.registry))
        window.lock()
        window.unlock_page.passphrase.setText("not the passphrase")
        window.unlock_page.try_unlock()
        shot(window, "unlock")
        window.unlock_page.passphrase.setText(PASSPHRASE)
        window.unlock_page.try_unlock()
        window.refresh_cases()
        shot(window, "case-list")
        window.open_case(case_id)
        shot(window, "case-overview")
        window.workspace.tabs.setCurrentWidget(window.workspace.chronology)
        shot(window, "chronology")
        snap = window.workspace.snapshot
        assert snap is not None

        def first(form_id: str) -> str:
            return str(next(r["id"] for r in snap.records if r["form_id"] == form_id))

        draft = window.new_record("childs_voice")  # a record being written
        quotes: Any = draft.editors["quotes"]
        quotes.add_button.click()
        quotes.groups[0]["words"].setPlainText(
            "Nan lets me feed the ducks. I don't like it when the door bangs."
        )
        draft.focus_first()
        shot(window, "childs-voice-writing")
        window.close_editor()
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("childs-voice-read-view", lambda: window.open_record(first("childs_voice"))),
            ("strategy-discussion-editor", lambda: window.open_record(first("strategy_discussion"))),
        ]
        for name, step in steps:
            step()
            shot(window, name)
        editor = window.open_record(first("concern"))
        from app.ui.widgets.body_map import BodyMapWidget

        read: Any = editor.scroller.widget()
        body_map = read.findChildren(BodyMapWidget)[0]  # in the read view
        body_map.setMinimumHeight(520)
        for _ in range(5):  # the editor puts the focus on its first field first (posted)
            app.processEvents()
        body_map.canvas.setFocus()
        editor.scroller.ensureWidgetVisible(body_map, 0, 0)
        shot(window, "body-map")
        window.close_editor()
        window.toggle_visit_mode()  # a home visit: only this family on screen
        window.open_case(case_id)
        shot(window, "visit-mode")
        window.toggle_visit_mode()
        try:
            shot_packs(session, window, case_id, snap.reference, Path(tmp), shot)
        except ModuleNotFoundError as exc:  # a build without the pack screens
            if not (exc.name or "").startswith("app.ui"):
                raise
        window.close()
    return written


def shot_packs(session: Any, window: Any, case_id: str, reference: str, tmp: Path, shot: Any) -> None:
    """Export (preview, signing, saved) and the review banner verified, untrusted and invalid."""
    from app.core import identity
    from app.core.crypto.keys import cert_sha256
    from app.core.packs.safezip import read_zip, write_zip
    from app.ui.export import ExportDialog
    from app.ui.review import ReviewWindow

    dialog = ExportDialog(session, case_id, reference, window)
    dialog.resize(1100, 800)
    dialog.show()
    dialog.build_preview()
    shot(dialog, "export-preview", settle=1.5)
    dialog._busy(True)  # as it looks while the database thread signs
    shot(dialog, "export-signing")
    dialog._busy(False)
    pack = tmp / "pack.zip"
    dialog.save_to(pack)
    shot(dialog, "export-saved", settle=0.5)
    dialog.close()

    def review(path: Path, name: str) -> None:
        win = ReviewWindow(session, window)
        win.resize(1200, 820)
        win.show()
        win.open_path(path)
        shot(win, name, settle=1.5)
        win.close()

    review(pack, "review-verified")
    entries = read_zip(pack.read_bytes())
    tampered = tmp / "tampered.zip"
    data = entries["data.json"].replace(b'"final"', b'"draft"', 1)
    tampered.write_bytes(write_zip([(n, data if n == "data.json" else b, True) for n, b in entries.items()]))
    review(tampered, "review-invalid")
    # the same pack in a vault that does not trust its signer
    own = session.call(identity.current_certificate)
    session.call(lambda s: identity.remove_trusted(s, cert_sha256(own)))
    review(pack, "review-untrusted")
    session.call(lambda s: identity.add_trusted(s, own, "practitioner"))
