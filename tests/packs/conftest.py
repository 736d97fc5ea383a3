"""Shared fixtures for identity, PDF and pack tests: keys are generated once per session (RSA-3072
generation is deliberately slow), and every name in them is fictional."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.core.clock import FixedClock
from app.core.crypto.keys import Identity, generate_identity

# A fixed moment, deliberately not the real time: every signature (PAdES and CMS) is stamped by the
# injected clock, and verification is judged at a given ``now``, so no pack test may depend on when
# (or how long after collection) it runs. tests/packs/test_clock.py moves the verifier's clock.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class People:
    author: Identity  # Sam Carter, the practitioner who writes the pack
    manager: Identity  # Priya Shah, who countersigns
    impostor: Identity  # same name as the author, different key, not trusted
    expired: Identity  # the author's name on a certificate that ran out before NOW
    front_door: Identity  # the MASH recipient of encrypted packs


@pytest.fixture(scope="session")
def people() -> People:
    """Five fictional identities, generated once."""
    return People(
        author=generate_identity("Sam Carter", "Social Worker", "Northshire Children's Services", now=NOW),
        manager=generate_identity("Priya Shah", "Team Manager", "Northshire Children's Services", now=NOW),
        impostor=generate_identity("Sam Carter", "Social Worker", "Northshire Children's Services", now=NOW),
        expired=generate_identity(
            "Sam Carter",
            "Social Worker",
            "Northshire Children's Services",
            now=NOW,
            not_before=NOW - timedelta(days=400),
            days=365,
        ),
        front_door=generate_identity("Northshire MASH", "Front Door", "Northshire Council", now=NOW),
    )


@pytest.fixture
def clock() -> FixedClock:
    """The test clock, fixed at NOW."""
    return FixedClock(NOW)
