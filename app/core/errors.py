"""One hierarchy of errors, each carrying the command-line exit code of DESIGN.md §5.

Messages are written for the practitioner: they name the field or the file and say what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass


class FieldbookError(Exception):
    """Base of every error Fieldbook reports to a user."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(FieldbookError):
    """Bad usage or invalid input (exit 2)."""

    exit_code = 2


class NotFound(UsageError):
    """A case, record, person or file named by the user does not exist."""


@dataclass(frozen=True)
class Problem:
    """One validation problem: which field, and what is wrong, in the practitioner's words."""

    field: str  # the field key ("participants", "children[0].dob"); "" for the whole record
    label: str  # the label the practitioner sees ("Participants")
    message: str  # what is wrong ("no one from the police is listed — …")

    def __str__(self) -> str:
        return f"{self.label}: {self.message}" if self.label else self.message


class ValidationError(UsageError):
    """Input that does not satisfy its form or schema; carries every problem found."""

    def __init__(self, problems: list[Problem] | str, *, context: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem("", "", problems)]
        self.problems = list(problems)
        head = f"{context}: " if context else ""
        super().__init__(head + "; ".join(str(p) for p in self.problems))


class WeakPassphrase(UsageError):
    """The new passphrase does not meet the policy (length, deny-list)."""


class FormError(UsageError):
    """A form definition is missing or broken."""


class RecordLocked(UsageError):
    """A final record cannot be edited; add an addendum instead."""


class VaultError(FieldbookError):
    """The vault cannot be unlocked (exit 4).

    A wrong passphrase and a damaged file deliberately share one message so that the prompt
    tells an attacker nothing about which it was.
    """

    exit_code = 4
    GENERIC = "The vault could not be unlocked: the passphrase is wrong or the vault file is damaged."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.GENERIC)


class WrongPassphrase(VaultError):
    """The passphrase did not open the vault (or the file is damaged; the two are not told apart)."""


class VaultMissing(VaultError):
    """No vault where one is expected: never silently replaced by a new, empty one."""


class VaultDamaged(VaultError):
    """The vault file is truncated, empty or fails its integrity check; it is kept as it is."""


class VaultLocked(FieldbookError):
    """An operation needs an unlocked vault."""

    exit_code = 4


class VaultBusy(FieldbookError):
    """Another Fieldbook kept the vault busy writing for longer than we wait (exit 2: try again)."""

    exit_code = 2

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Another Fieldbook is writing to this vault (this command waited a few seconds, then "
            "gave up before changing it). Try again when the other one has finished."
        )


class IntegrityFailure(FieldbookError):
    """A check failed: vault integrity, audit chain, or a pack (exit 1)."""

    exit_code = 1


class PackError(IntegrityFailure):
    """A pack is invalid or tampered with (exit 1)."""


class UntrustedSigner(FieldbookError):
    """The pack is intact but its signer is not trusted (exit 3)."""

    exit_code = 3
