"""Information sharing, logged: every export, parent's copy and recorded share (by phone, secure
mail, in a meeting) is an entry saying what, to whom, why, with consent or on what lawful basis,
and who decided (golden rule 7; domain.md §10.3). The export wizard, ``fieldbook export`` and
``fieldbook share`` all go through ``check_share``; ``fieldbook shares CASE`` lists the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.errors import Problem, ValidationError
from app.core.forms import codelists

METHODS = {
    "export": "Signed pack",
    "parents_copy": "Parent's copy",
    "phone": "Telephone",
    "secure_email": "Secure email",
    "meeting": "In a meeting",
    "letter": "Letter",
    "other": "Other",
}
CONSENT = {
    "given": "Consent given",
    "refused": "Consent refused",
    "not_sought": "Consent not sought",
}
# What a pack of each kind is for, and to whom it goes, unless the practitioner says otherwise.
KIND_DEFAULTS = {
    "referral": ("Children's social care front door", "Referral: concerns about the children's safety"),
    "conference": (
        "Child protection conference chair and members",
        "Agency report to a child protection conference",
    ),
    "parents": ("The parents", "Parent's copy of the conference report, before the conference"),
}
DEFAULT_BASIS = "public_task_sch1_18"


@dataclass(frozen=True)
class ShareIn:
    """A share about to be logged; every text is what the practitioner gave or a default."""

    shared_at: str
    method: str
    what: str
    recipient: str
    purpose: str
    consent: str
    lawful_basis: str
    decided_by: str
    family_informed: str = ""
    notes: str = ""

    def fields(self) -> dict[str, str]:
        return {k: str(getattr(self, k)) for k in self.__dataclass_fields__ if k != "shared_at"}


LABELS = {
    "shared_at": "When it was shared",
    "method": "How",
    "what": "What was shared",
    "recipient": "Shared with",
    "purpose": "Purpose",
    "consent": "Consent",
    "lawful_basis": "Lawful basis",
    "decided_by": "Who decided",
}


def basis_label(code: str) -> str:
    return codelists.label("lawful_bases", code)


def check_share(share: ShareIn) -> ShareIn:
    """The share, or a ValidationError naming every field that is missing or not allowed."""
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(key, LABELS.get(key, key), message))

    for key in LABELS:
        if key == "shared_at" and share.method in ("export", "parents_copy"):
            continue  # an export is shared when it is signed: the manifest's created_at
        if not str(getattr(share, key) or "").strip():
            bad(key, "is needed (golden rule 7: record what was shared, with whom, why and on what basis)")
    if share.method and share.method not in METHODS:
        bad("method", f"“{share.method}” is not one of {', '.join(METHODS)}")
    if share.consent and share.consent not in CONSENT:
        bad("consent", f"“{share.consent}” is not one of {', '.join(CONSENT)}")
    bases = [c for c, _ in codelists.codes("lawful_bases")]
    if share.lawful_basis and share.lawful_basis not in bases:
        bad("lawful_basis", f"“{share.lawful_basis}” is not one of {', '.join(bases)}")
    elif share.consent in ("refused", "not_sought") and share.lawful_basis == "consent":
        bad("lawful_basis", "consent cannot be the basis when consent was refused or not sought")
    if share.shared_at and len(share.shared_at) < 10:
        bad("shared_at", f"“{share.shared_at}” is not a date (YYYY-MM-DD, with a time if known)")
    if problems:
        raise ValidationError(problems, context="The share was not logged")
    return share


def referral_consent(store: Any, case_id: str) -> str:
    """The consent recorded on the case's latest final referral ("not_sought" when none)."""
    referrals = [r for r in store.list_records(case_id) if r.form_id == "referral" and r.status == "final"]
    consent = referrals[-1].data.get("consent") if referrals else None
    return str(consent) if consent in CONSENT else "not_sought"


def export_share(
    store: Any,
    case_id: str,
    kind: str,
    *,
    shared_at: str,
    recipient: str | None = None,
    purpose: str | None = None,
    lawful_basis: str | None = None,
    consent: str | None = None,
    decided_by: str | None = None,
    what: str = "",
) -> ShareIn:
    """The log entry for a pack export: what the practitioner said, else sensible defaults from
    the referral (its consent), the pack kind (recipient, purpose) and the profile (who decided)."""
    to, why = KIND_DEFAULTS.get(kind, KIND_DEFAULTS["conference"])
    share = ShareIn(
        shared_at=shared_at,
        method="parents_copy" if kind == "parents" else "export",
        what=what or f"{kind.capitalize()} pack",
        recipient=recipient or to,
        purpose=purpose or why,
        consent=consent or referral_consent(store, case_id),
        lawful_basis=lawful_basis or DEFAULT_BASIS,
        decided_by=decided_by or store.profile().name,
    )
    return check_share(share)


def manifest_entry(share: ShareIn) -> dict[str, str]:
    """The share as a signed pack carries it in its manifest and prints it on its cover."""
    return {
        "recipient": share.recipient,
        "purpose": share.purpose,
        "consent": share.consent,
        "lawful_basis": share.lawful_basis,
        "lawful_basis_label": basis_label(share.lawful_basis),
        "decided_by": share.decided_by,
    }


def cover_line(entry: dict[str, Any]) -> str:
    """One sentence for a pack's cover."""
    consent = CONSENT.get(str(entry.get("consent")), str(entry.get("consent", "")))
    basis = entry.get("lawful_basis_label") or entry.get("lawful_basis")
    return (
        f"Shared with {entry.get('recipient')} for: {entry.get('purpose')}. {consent}; "
        f"lawful basis: {basis}. Decided by {entry.get('decided_by')}."
    )


def log_share(store: Any, case_id: str, share: ShareIn, *, pack_id: str | None = None) -> str:
    """Write the entry (inside the caller's transaction when there is one)."""
    share = check_share(share)
    return str(store.add_share(case_id, share.shared_at, pack_id=pack_id, **share.fields()))
