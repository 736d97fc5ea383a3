"""Small pieces of English shared by the app, the command line and packs."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` with its noun agreeing: "1 day", "3 days", "0 packs" ("1 draft record", not "(s)")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
