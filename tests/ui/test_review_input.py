"""The review window refuses what is not a regular file (issue 17 item 4): a FIFO chosen by mistake
would otherwise freeze the window waiting for a writer that never comes."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.clock import FixedClock
from app.ui.review import ReviewWindow
from app.ui.session import Session
from tests.packs.conftest import NOW


def test_review_window_names_a_fifo_instead_of_hanging(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Opening a FIFO shows 'not a regular file' in the verdict banner, at once."""
    session = Session(tmp_path / "vault.fieldbook", clock=FixedClock(NOW), inline=True)
    window = ReviewWindow(session)
    qtbot.addWidget(window)
    fifo = tmp_path / "pack.zip"
    os.mkfifo(fifo)
    window.open_path(fifo)
    assert "not a regular file" in window.banner.headline.text()
