"""Typed outcomes of checking a signature or a pack: exit codes and banners follow from these enums.

Nothing decides "tampered" or "untrusted" by reading English message text: a signature check
returns a ``SigStatus``, each status maps to a ``Verdict``, and the verdict carries the exit code
of DESIGN.md §5. The UI picks its banner by ``Verdict``; the CLI returns ``Verdict.exit_code``.
This module imports nothing heavy so that the GUI and scripts can use it freely.
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """The answer about a whole file (compares equal to its string value, e.g. ``"valid"``)."""

    VALID = "valid"  # intact and signed by someone trusted here (warnings may still be shown)
    UNTRUSTED = "untrusted"  # intact, but nobody here trusts the signer (or the signer's clock)
    INVALID = "invalid"  # changed, unreadable, or a fault in the signature or its certificates

    @property
    def exit_code(self) -> int:
        return _EXIT[self]

    @staticmethod
    def worst(verdicts: list[Verdict]) -> Verdict:
        """INVALID beats UNTRUSTED beats VALID."""
        for v in (Verdict.INVALID, Verdict.UNTRUSTED):
            if v in verdicts:
                return v
        return Verdict.VALID


_EXIT = {Verdict.VALID: 0, Verdict.INVALID: 1, Verdict.UNTRUSTED: 3}


class SigStatus(StrEnum):
    """What one signature check found; ``verdict`` says what that means for the file."""

    INTACT = "intact"  # unchanged, the maths holds, trusted, certificate valid when signed
    CHANGED = "changed"  # the signed bytes changed or the signature maths fails
    UNREADABLE = "unreadable"  # the signature cannot be read at all
    UNTRUSTED = "untrusted"  # intact, but no certificate path to anything in the trust store
    CLOCK = "clock"  # intact, but claims a signing time more than a day ahead of this computer
    EXPIRED = "expired"  # a certificate on the path had expired when it signed
    NOT_YET_VALID = "not-yet-valid"  # a certificate on the path was not yet valid when it signed
    REVOKED = "revoked"  # a certificate on the path is listed in its issuer's CRL
    REVOCATION_UNKNOWN = "revocation-unknown"  # an issuer publishes a CRL, and none is at hand
    BAD_ISSUER = "bad-issuer"  # a certificate was issued by one that may not issue (not a CA)
    KEY_USAGE = "key-usage"  # the signing certificate is not meant for signing documents
    WEAK_KEY = "weak-key"  # a key on the path is too weak (RSA < 2048, EC < P-256)

    @property
    def verdict(self) -> Verdict:
        if self is SigStatus.INTACT:
            return Verdict.VALID
        if self in (SigStatus.UNTRUSTED, SigStatus.CLOCK):
            return Verdict.UNTRUSTED
        return Verdict.INVALID

    @property
    def intact(self) -> bool:
        """The signed bytes are unchanged (whatever is wrong with trust or certificates)."""
        return self not in (SigStatus.CHANGED, SigStatus.UNREADABLE)
