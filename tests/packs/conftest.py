"""Shared fixtures for identity, PDF and pack tests: keys are generated once per session (RSA-3072
generation is deliberately slow), and every name in them is fictional."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.core.clock import FixedClock
from app.core.crypto.keys import Identity, generate_identity

# Signing libraries stamp signatures with the real time (cryptography and pyHanko take no clock), so
# the fixed test clock starts just before the real "now" and certificates are valid around it.
NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)


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
    """A clock fixed a minute before the real time of the test run."""
    return FixedClock(NOW)
