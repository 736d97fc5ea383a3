"""Counts read as English: no "(s)" on screen, in packs or at the command line."""

from __future__ import annotations

from app.core.wording import count


def test_nouns_agree_with_their_count() -> None:
    assert count(1, "day") == "1 day"
    assert count(0, "pack") == "0 packs"
    assert count(3, "draft record") == "3 draft records"
    assert count(2, "child", "children") == "2 children"
    assert count(1, "child", "children") == "1 child"
