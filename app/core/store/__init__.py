"""The encrypted vault and the record store (DESIGN.md §2–3, SECURITY.md)."""

from app.core.store.repo import (
    Addendum,
    Attachment,
    AuditEntry,
    Case,
    CaseSummary,
    PackRow,
    Person,
    PersonIn,
    Profile,
    Record,
    SearchHit,
    Store,
    TrustedCert,
)
from app.core.store.vault import KDF_ITER, CheckReport, Vault, unlock_delay

__all__ = [
    "KDF_ITER", "Addendum", "Attachment", "AuditEntry", "Case", "CaseSummary", "CheckReport",
    "PackRow", "Person", "PersonIn", "Profile", "Record", "SearchHit", "Store", "TrustedCert",
    "Vault", "unlock_delay",
]
