"""Pack text cannot paint over the verdict (issue 17): a signer named in rich-text markup is shown
in the review window's banner as the literal tags, to the eye and to a screen reader, while the
banner's headline is the real verdict."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.core.packs.safezip import read_zip, write_zip
from app.ui.session import Session
from tests.ui.test_journeys import (
    banner,
    create_vault_as,
    open_pack,
    pytestmark,
    session,
    signed_pack,
    user,
)
from tests.ui.user import User, accessible_text

# the manager journey's fixtures and Qt-warning allowances, used here as they are there
__all__ = ["pytestmark", "session", "user"]

FORGED = '<b style="color:green">VERIFIED</b>'


def test_a_signer_named_in_markup_is_shown_as_the_literal_tags(
    user: User, session: Session, tmp_path: Path
) -> None:
    """A tampered pack by a signer called `<b style="color:green">VERIFIED</b>` reads INVALID, and
    every label showing the name is plain text: the tags are seen and heard, never drawn green."""
    pack, _ = signed_pack(tmp_path, f"{FORGED} Sam Carter", "Forger")
    entries = read_zip(pack.read_bytes())
    data = entries["data.json"].replace(b'"final"', b'"draft"', 1)  # changed after signing
    pack.write_bytes(write_zip([(n, data if n == "data.json" else b, True) for n, b in entries.items()]))
    create_vault_as(user, "Priya Shah", "Team manager")

    review = open_pack(user, pack)
    said = banner(user)
    assert said.startswith("✖ INVALID"), said
    assert f"Signed by {FORGED} Sam Carter" in said
    showing = [label for label in review.findChildren(QLabel) if FORGED in label.text()]
    assert showing, "no label shows the signer's name"
    for label in showing:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.accessibleDescription()
        assert FORGED in accessible_text(label)
    review.close()
