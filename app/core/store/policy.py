"""Passphrase policy (Cyber Essentials / NCSC): length and a deny-list, no complexity rules."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from app.core.errors import WeakPassphrase
from app.core.paths import resource

MIN_LENGTH = 12
_LEET = str.maketrans(
    {"@": "a", "4": "a", "0": "o", "1": "i", "3": "e", "5": "s", "$": "s", "7": "t", "8": "b", "9": "g"}
)


@lru_cache(maxsize=1)
def _deny_list() -> frozenset[str]:
    text = resource("passwords", "deny-list.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def normalise(passphrase: str) -> str:
    """NFC, so the same words typed on different keyboards open the same vault."""
    return unicodedata.normalize("NFC", passphrase)


def check_passphrase(passphrase: str) -> str:
    """The NFC passphrase, or ``WeakPassphrase`` saying what is wrong in plain words."""
    value = normalise(passphrase)
    if len(value) < MIN_LENGTH:
        raise WeakPassphrase(
            f"Passphrase: it has {len(value)} characters; use at least {MIN_LENGTH} "
            "(three random words make a strong, memorable passphrase)"
        )
    if any(unicodedata.category(c) == "Cs" for c in value):
        raise WeakPassphrase("Passphrase: it contains characters that cannot be stored")
    lowered = value.casefold()
    squashed = re.sub(r"[\W\d_]+", "", lowered)
    compact = re.sub(r"\s+", "", lowered)
    # "P@ssw0rd!!" is "password" to anyone guessing: undo common character swaps too.
    unleet = re.sub(r"[\W\d_]+", "", compact.translate(_LEET))
    deny = _deny_list()
    if any(v and v in deny for v in (lowered, compact, squashed, unleet)):
        raise WeakPassphrase(
            "Passphrase: it is on the list of commonly used passwords; choose three random words"
        )
    if len(set(compact)) <= 2:
        raise WeakPassphrase("Passphrase: it repeats one or two characters; choose three random words")
    return value


def strength_hint(passphrase: str) -> tuple[int, str]:
    """A 0–4 score and a plain-words hint for the create-vault screen (no network, no library)."""
    try:
        value = check_passphrase(passphrase)
    except WeakPassphrase as exc:
        return 0, exc.message.removeprefix("Passphrase: ")
    words = len(value.split())
    score = 1 + (len(value) >= 16) + (len(value) >= 20 or words >= 3) + (len(set(value)) >= 12)
    hints = {1: "acceptable — longer is stronger", 2: "good", 3: "strong", 4: "very strong"}
    return min(score, 4), hints[min(score, 4)]
